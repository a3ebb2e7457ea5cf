"""The NIK's digits read: its area prefix and the birth date it holds.

A NIK (Nomor Induk Kependudukan) has 16 digits: ``PPKKCC`` the kecamatan where
it was issued (province, regency, kecamatan of Kemendagri's codes), ``DDMMYY``
the birth date with 40 added to the day for women, then four digits of serial.
The review checks, the registry's records and the source-database imports all
read it here.
"""

import re
from datetime import date

SIXTEEN_DIGITS = re.compile(r"^[0-9]{16}$")


def full_year(two_digits: int, today: date | None = None) -> int:
    """A two-digit year's century: of the two, the one that is not in the future."""
    this_year = (today or date.today()).year
    century = this_year - this_year % 100
    return century + two_digits if century + two_digits <= this_year else century - 100 + two_digits


def nik_birth_date(number: str, *, today: date | None = None) -> tuple[date | None, bool]:
    """The date written in a 16-digit NIK's digits 7–12 and whether it is a woman's (day +
    40). Returns (None, is_woman) when the digits are no real date (day 32, 31 February)."""
    day, month, year = int(number[6:8]), int(number[8:10]), int(number[10:12])
    woman = day > 40
    if woman:
        day -= 40
    try:
        return date(full_year(year, today), month, day), woman
    except ValueError:
        return None, woman


def is_valid_nik(text: str) -> bool:
    """16 digits with a real date in digits 7–12."""
    return bool(SIXTEEN_DIGITS.match(text)) and nik_birth_date(text)[0] is not None


def kecamatan_code_of(number: str) -> str:
    """A NIK's or KK's first six digits as an area code: ``35.07.13``."""
    return f"{number[0:2]}.{number[2:4]}.{number[4:6]}"
