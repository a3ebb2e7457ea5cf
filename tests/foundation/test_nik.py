"""The NIK's digits read once for the checks, the registry and the imports."""

from datetime import date

from foundation.nik import full_year, is_valid_nik, kecamatan_code_of, nik_birth_date

TODAY = date(2026, 12, 8)


def test_a_womans_nik_has_forty_added_to_her_day():
    assert nik_birth_date("3507135205830002", today=TODAY) == (date(1983, 5, 12), True)
    assert nik_birth_date("3507131708800001", today=TODAY) == (date(1980, 8, 17), False)


def test_a_two_digit_year_is_never_in_the_future():
    assert full_year(25, TODAY) == 2025
    assert full_year(27, TODAY) == 1927
    assert nik_birth_date("3507130106250001", today=TODAY)[0] == date(2025, 6, 1)


def test_no_real_date_is_no_valid_nik():
    assert nik_birth_date("3507133102900001", today=TODAY) == (None, False)  # 31 February
    assert nik_birth_date("3507137102900001", today=TODAY) == (None, True)  # 31 Feb, a woman
    assert not is_valid_nik("3507133202900001")  # day 32
    assert not is_valid_nik("350713170880001")  # 15 digits
    assert is_valid_nik("3507131708800001")


def test_the_prefix_is_the_kecamatan():
    assert kecamatan_code_of("3507131708800001") == "35.07.13"
