"""NIK and KK numbers: their shape, their area prefix, the date in a NIK.

A NIK (Nomor Induk Kependudukan) has 16 digits: ``PPKKCC`` the kecamatan where
it was issued (province, regency, kecamatan of Kemendagri's codes), ``DDMMYY``
the birth date with 40 added to the day for women, then four digits of serial.
A KK (family card) number has 16 digits and begins with the kecamatan code too.
Kecamatan codes are checked against every kecamatan of Indonesia that the
project ships (``areas/data/idn-area-data``), not only the areas loaded; an
unknown one is a warning, as codes change when regencies split.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

from areas.area_codes import kecamatan_codes, province_codes
from foundation.nik import SIXTEEN_DIGITS, kecamatan_code_of, nik_birth_date
from review.checks.base import ERROR, INFO, WARNING, FindingDraft, make_finding

_SEX_WORDS = {
    "male": "male",
    "m": "male",
    "1": "male",
    "laki-laki": "male",
    "laki_laki": "male",
    "l": "male",
    "female": "female",
    "f": "female",
    "2": "female",
    "perempuan": "female",
    "p": "female",
}


def _sex_of(answer: str | None) -> str | None:
    return _SEX_WORDS.get((answer or "").strip().lower())


def _birth_date_of(answer: str | None) -> date | None:
    try:
        return date.fromisoformat((answer or "").strip()[:10])
    except ValueError:
        return None


def check_nik(
    nik: str,
    *,
    field: str,
    member_index: int | None = None,
    sex: str | None = None,
    birth_date: str | None = None,
) -> list[FindingDraft]:
    """What is wrong with a NIK as written, and with what the same person's answers say."""
    number = (nik or "").strip()
    if not SIXTEEN_DIGITS.match(number):
        return [
            make_finding(
                "nik.format",
                ERROR,
                field,
                member_index,
                _("The NIK “%(nik)s” is not 16 digits (it has %(count)s characters)."),
                nik=number,
                count=len(number),
            )
        ]
    found: list[FindingDraft] = []
    prefix = number[:6]
    if prefix[:2] not in province_codes():
        found.append(
            make_finding(
                "nik.area_unknown",
                ERROR,
                field,
                member_index,
                _("The NIK begins with %(code)s: no province of Indonesia has that code."),
                code=prefix[:2],
            )
        )
    elif prefix not in kecamatan_codes():
        found.append(
            make_finding(
                "nik.area_unknown",
                WARNING,
                field,
                member_index,
                _(
                    "The NIK's first six digits (%(code)s) are no kecamatan of Indonesia today. "
                    "Check the number on the identity card (codes change when regencies split)."
                ),
                code=kecamatan_code_of(number),
            )
        )
    written, woman = nik_birth_date(number)
    if written is None:
        found.append(
            make_finding(
                "nik.date",
                ERROR,
                field,
                member_index,
                _(
                    "The NIK's digits 7–12 (%(digits)s) are no real date of birth "
                    "(for women 40 is added to the day)."
                ),
                digits=number[6:12],
            )
        )
        return found
    answered_sex = _sex_of(sex)
    if answered_sex is not None and (answered_sex == "female") != woman:
        found.append(
            make_finding(
                "nik.sex",
                WARNING,
                field,
                member_index,
                _(
                    "The NIK is a %(nik_sex)s's (day %(day)s), but the answered sex is "
                    "%(answered)s."
                ),
                nik_sex=_("woman") if woman else _("man"),
                day=number[6:8],
                answered=_("female") if answered_sex == "female" else _("male"),
            )
        )
    born = _birth_date_of(birth_date)
    if born is not None and (born.day, born.month, born.year % 100) != (
        written.day,
        written.month,
        written.year % 100,
    ):
        found.append(
            make_finding(
                "nik.birth_date",
                WARNING,
                field,
                member_index,
                _("The NIK says born %(nik_date)s; the answered birth date is %(answered)s."),
                nik_date=f"{written.day:02d}-{written.month:02d}-{number[10:12]}",
                answered=born.isoformat(),
            )
        )
    return found


def check_kk(kk: str, *, field: str) -> list[FindingDraft]:
    """A family card number: 16 digits beginning with a real kecamatan code."""
    number = (kk or "").strip()
    if not SIXTEEN_DIGITS.match(number):
        return [
            make_finding(
                "kk.format",
                ERROR,
                field,
                None,
                _("The KK number “%(kk)s” is not 16 digits (it has %(count)s characters)."),
                kk=number,
                count=len(number),
            )
        ]
    if number[:6] not in kecamatan_codes():
        return [
            make_finding(
                "kk.format",
                WARNING if number[:2] in province_codes() else ERROR,
                field,
                None,
                _("The KK number's first six digits (%(code)s) are no kecamatan of Indonesia."),
                code=kecamatan_code_of(number),
            )
        ]
    return []


def duplicates_in_household(
    entries: list[tuple[int | None, str]], *, field: str
) -> list[FindingDraft]:
    """The same NIK given to two members of one household: a finding on each later row."""
    first_row: dict[str, int | None] = {}
    found: list[FindingDraft] = []
    for member_index, number in entries:
        number = (number or "").strip()
        if not number:
            continue
        if number in first_row:
            earlier = first_row[number]
            found.append(
                make_finding(
                    "nik.duplicate_in_household",
                    ERROR,
                    field,
                    member_index,
                    _("This NIK is also the NIK of member %(row)s of this household."),
                    row=(earlier + 1) if earlier is not None else _("the head"),
                )
            )
        else:
            first_row[number] = member_index
    return found


__all__ = [
    "INFO",
    "check_kk",
    "check_nik",
    "duplicates_in_household",
]
