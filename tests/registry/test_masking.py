"""NIK, KK and phone numbers are masked: the area prefix and the last four digits stay."""

import pytest

from registry.masking import mask_data, mask_for_key, mask_kk, mask_nik, mask_phone, mask_text


def test_an_nik_keeps_its_kecamatan_and_serial_and_hides_the_birth_date():
    assert mask_nik("3507131708800001") == "350713••••••0001"


def test_a_kk_number_is_masked_like_an_nik():
    assert mask_kk("3507130101090001") == "350713••••••0001"


def test_a_phone_keeps_the_country_and_operator_prefix_and_the_last_four_digits():
    assert mask_phone("+6281234565678") == "+62812••••5678"
    assert mask_phone("081234565678") == "0812••••5678"


@pytest.mark.parametrize("empty", ["", None])
def test_nothing_masks_to_nothing(empty):
    assert mask_nik(empty) == "" and mask_kk(empty) == "" and mask_phone(empty) == ""


def test_a_short_value_shows_at_most_two_characters():
    assert mask_nik("35071317") == "••••••17"
    assert mask_nik("1234") == "••••"


def test_answers_are_masked_by_the_key_and_by_the_shape_of_the_value():
    answers = {
        "nik": "3507131708800001",
        "kk_number": "3507130101090001",
        "phone": "+6281234565678",
        "head": {"hh_head_nik": "3507135205830002"},
        "members": [{"nik": "3507130309080003", "name": "Andi"}],
        "note": "her NIK is 3507134711680005, call 081298765432",
        "floor_area": "36",
    }

    masked = mask_data(answers)

    assert masked["nik"] == "350713••••••0001"
    assert masked["kk_number"] == "350713••••••0001"
    assert masked["phone"] == "+62812••••5678"
    assert masked["head"]["hh_head_nik"] == "350713••••••0002"
    assert masked["members"][0] == {"nik": "350713••••••0003", "name": "Andi"}
    assert "3507134711680005" not in masked["note"] and "081298765432" not in masked["note"]
    assert masked["floor_area"] == "36"


def test_a_value_is_masked_by_the_field_it_belongs_to():
    assert mask_for_key("nik", "3507131708800001") == "350713••••••0001"
    assert mask_for_key("family.kk_number", "3507130101090001") == "350713••••••0001"
    assert mask_for_key("birth_date", "1980-08-17") == "1980-08-17"
    assert mask_text("no number here") == "no number here"


def test_a_persons_family_is_her_kk_number_and_is_masked_whatever_its_length():
    # A conflict's or a history's "family" holds the KK number, a typo of it too.
    assert mask_for_key("family", "3507130101090001") == "350713••••••0001"
    assert mask_for_key("family", "350713010109001") == "350713•••••9001"
    assert mask_for_key("family", "") == ""


def test_a_number_in_a_text_is_masked_whole_never_by_halves():
    text = "NIK 3507130801900001, typed 350713080190001, BPJS 0001234567890, area 36 m2"

    masked = mask_text(text)

    for number in ("3507130801900001", "350713080190001", "0001234567890", "0801900001"):
        assert number not in masked
    assert "350713••••••0001" in masked and "•••••••••7890" in masked
    assert "area 36 m2" in masked and mask_text("on 20260101") == "on 20260101"
