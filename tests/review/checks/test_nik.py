"""NIK and KK checks with real cases (the NIK's structure: DOMAIN.md)."""

import pytest

from areas.area_codes import kecamatan_codes
from review.checks.base import ERROR, WARNING
from review.checks.nik import check_kk, check_nik, duplicates_in_household

# Kepanjen (35.07.13), a man born 17-08-1980.
MAN = "3507131708800001"
# Kepanjen, a woman born 10-05-1983: day 10 + 40 = 50.
WOMAN = "3507135005830002"


def _checks(findings) -> list[str]:
    return [f.check for f in findings]


def test_a_right_nik_with_matching_answers_has_no_finding():
    assert check_nik(MAN, field="members/nik", sex="male", birth_date="1980-08-17") == []
    assert check_nik(WOMAN, field="members/nik", sex="female", birth_date="1983-05-10") == []


def test_every_kecamatan_of_indonesia_is_known_not_only_the_loaded_ones():
    codes = kecamatan_codes()
    assert len(codes) > 7000
    assert {"350713", "110101", "940101"} <= codes or {"350713", "110101"} <= codes
    # Aceh Selatan's Bakongan, far from Malang, is a real kecamatan: no finding.
    assert check_nik("1101011708800001", field="nik") == []


@pytest.mark.parametrize("day", ["41", "55", "71"])
def test_a_womans_nik_against_a_male_answer(day):
    findings = check_nik(f"350713{day}0883" + "0002", field="members/nik", sex="male")
    assert _checks(findings) == ["nik.sex"]
    assert findings[0].severity == WARNING
    assert "woman" in findings[0].message_en and "perempuan" in findings[0].message_id


def test_a_mans_nik_against_a_female_answer():
    assert _checks(check_nik(MAN, field="nik", sex="female")) == ["nik.sex"]
    assert _checks(check_nik(MAN, field="nik", sex="2")) == ["nik.sex"]


def test_31_february_is_no_date():
    findings = check_nik("3507133102800001", field="nik")
    assert _checks(findings) == ["nik.date"]
    assert findings[0].severity == ERROR
    # A woman's 31 February (71) neither.
    assert _checks(check_nik("3507137102800001", field="nik")) == ["nik.date"]
    # Day 00 and month 13 neither.
    assert _checks(check_nik("3507130013800001", field="nik")) == ["nik.date"]


def test_a_kecamatan_code_that_does_not_exist_is_a_warning():
    findings = check_nik("3507991708800001", field="nik")
    assert _checks(findings) == ["nik.area_unknown"]
    assert findings[0].severity == WARNING
    assert "35.07.99" in findings[0].message_en


def test_a_province_that_does_not_exist_is_an_error():
    findings = check_nik("9907131708800001", field="nik")
    assert _checks(findings) == ["nik.area_unknown"]
    assert findings[0].severity == ERROR


def test_the_birth_date_must_agree_with_the_nik():
    findings = check_nik(MAN, field="members/nik", member_index=2, birth_date="1980-08-18")
    assert _checks(findings) == ["nik.birth_date"]
    assert findings[0].member_index == 2
    # Only the two digits of the year are in the NIK: 1980 and 2080 alike, 1981 not.
    assert _checks(check_nik(MAN, field="nik", birth_date="1981-08-17")) == ["nik.birth_date"]


@pytest.mark.parametrize("wrong", ["350713170880000", "35071317088000011", "3507-1317088000", ""])
def test_a_nik_that_is_not_16_digits(wrong):
    findings = check_nik(wrong, field="nik")
    assert _checks(findings) == ["nik.format"]
    assert findings[0].severity == ERROR


def test_messages_come_in_both_languages():
    (finding,) = check_nik("12", field="nik")
    assert finding.message_en.startswith("The NIK")
    assert finding.message_id != finding.message_en
    assert "16" in finding.message_id


def test_kk_numbers():
    assert check_kk("3507131203150009", field="kk_number") == []
    assert _checks(check_kk("35071312031500", field="kk_number")) == ["kk.format"]
    (unknown,) = check_kk("3507991203150009", field="kk_number")
    assert unknown.check == "kk.format" and unknown.severity == WARNING


def test_the_same_nik_twice_in_one_household():
    findings = duplicates_in_household(
        [(0, MAN), (1, WOMAN), (2, MAN), (3, "")], field="members/nik"
    )
    assert [(f.check, f.member_index) for f in findings] == [("nik.duplicate_in_household", 2)]
    assert "member 1" in findings[0].message_en
