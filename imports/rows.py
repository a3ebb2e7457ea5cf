"""One row of an extract, mapped to registry fields, read as an import row or refused.

``read_batch`` reads a batch of rows (the unit a run commits): it asks the areas
table once for every area code of the batch not seen before (``AreaBook``), then
reads each row with ``read_row``, which touches no database. A row is either an
``ImportRow`` (the person as ``registry.records.PersonRecord``, where she lives,
the household key her source groups her by, and warnings) or an ``InvalidRow``
with its reasons. Reasons and warnings are ``Reason`` values: a stable code and
parameters, rendered in the reader's language when shown (the report of a run
may be read in another language than the upload's).

What is checked, in the words of the row's source:

- the NIK: 16 digits, a real date in digits 7–12 (day + 40 for women), agreeing
  with the row's sex and birth date; first six digits no kecamatan known: warning;
- the KK: 16 digits (the family card source needs it; elsewhere a bad one is dropped
  with a warning);
- the birth date: a real date (no day 32, no 31 February), not in the future;
  missing, it is the NIK's date, and a missing sex the NIK's;
- the village: a code (whole, or in parts with the kecamatan, regency and province,
  completed by the import's area) or a name within a kecamatan, known in the areas
  table and inside the import's area;
- the name: not empty.
"""

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from areas.models import AreaLevel
from foundation.nik import full_year, nik_birth_date
from imports.columns import SourceKind
from imports.places import AreaBook, area_ref, digits_of, dotted, resolve_village
from imports.readers import SourceRow
from registry.records import HOUSING_QUESTIONS, PersonRecord, PlaceRecord, e164_phone, valid_kk

_MESSAGES = {
    "nik.missing": _("The NIK is empty."),
    "nik.scientific": _(
        "The NIK “%(nik)s” was saved as a number in scientific notation and its last digits "
        "are lost. Export the NIK column as text."
    ),
    "nik.format": _("The NIK “%(nik)s” is not 16 digits (it has %(count)s characters)."),
    "nik.date": _(
        "The NIK's digits 7–12 (%(digits)s) are no real date of birth "
        "(for women 40 is added to the day)."
    ),
    "nik.sex": _("The NIK is a %(nik_sex)s's (day %(day)s), but the row's sex is %(sex)s."),
    "nik.birth_date": _("The NIK says born %(nik_date)s; the row's date of birth is %(born)s."),
    "nik.area_unknown": _("The NIK's first six digits (%(code)s) are no kecamatan we know."),
    "kk.missing": _("The family card (KK) number is empty."),
    "kk.format": _("The KK number “%(kk)s” is not 16 digits (it has %(count)s characters)."),
    "kk.dropped": _("The KK number “%(kk)s” is not 16 digits: it was left out."),
    "kk.area_unknown": _("The KK number's first six digits (%(code)s) are no kecamatan we know."),
    "name.missing": _("The name is empty."),
    "name.digits": _("The name “%(name)s” has digits in it."),
    "birth_date.impossible": _("The date of birth “%(value)s” is no real date."),
    "birth_date.unreadable": _(
        "The date of birth “%(value)s” is not a date we can read: write it as DD-MM-YYYY."
    ),
    "birth_date.future": _("The date of birth %(value)s is in the future."),
    "birth_date.too_old": _("The date of birth %(value)s makes the person over 120 years old."),
    "ektp.under_17": _("The e-KTP holder is %(age)s years old: an e-KTP is given from 17."),
    "sex.unknown": _("The sex “%(value)s” is neither male nor female: it was left out."),
    "relation.missing": _("The relation to the head of the family is empty."),
    "relation.unknown": _("The relation “%(value)s” is not one we know: it was left out."),
    "household.missing": _("The household id is empty."),
    "card.missing": _("The KPS/KKS card number is empty."),
    "place.missing": _("The row says no village (no village code or name)."),
    "place.kecamatan_unknown": _("The kecamatan “%(code)s” is no kecamatan we know."),
    "place.village_unknown": _("The village “%(code)s” is no village we know."),
    "place.village_name_unknown": _(
        "No village called “%(name)s” is known in the kecamatan %(kecamatan)s."
    ),
    "place.incomplete": _(
        "The village code “%(code)s” is only a part of one: map the kecamatan, regency and "
        "province columns too, or import into one regency."
    ),
    "place.outside": _("The village %(code)s is outside the area of this import (%(scope)s)."),
    "row.extra_cells": _(
        "The row has %(count)s more cells than the file has columns: is a value with the "
        "delimiter in it not in quotation marks?"
    ),
    "phone.invalid": _("The phone number “%(value)s” is not valid: it was left out."),
}


@dataclass(frozen=True)
class Reason:
    """Why a row is invalid, or what a warning says: rendered with ``text`` when read."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        params = dict(self.params)
        message = str(_MESSAGES[self.code])
        if "nik_sex" in params:
            params["nik_sex"] = str(_("woman") if params["nik_sex"] == "female" else _("man"))
        if "sex" in params:
            params["sex"] = str(_("female") if params["sex"] == "female" else _("male"))
        return message % params if params else message


def _reason(code: str, /, **params: object) -> Reason:
    return Reason(code=code, params=tuple((k, str(v)) for k, v in params.items()))


@dataclass(frozen=True)
class HouseholdKey:
    """What the row's source groups people by: the PPLS household id, the family card, the
    KPS card; and where that household lives, with the PPLS housing answers."""

    place: PlaceRecord
    household_id: str = ""  # PPLS
    kk: str = ""
    card_number: str = ""  # KPS/KKS
    housing: dict[str, str] = field(default_factory=dict)
    welfare_decile: str = ""


@dataclass(frozen=True)
class ImportRow:
    number: int
    source: SourceKind
    person: PersonRecord
    household: HouseholdKey
    # The mapped values' digest: the same row twice in a file (or in two files) has one.
    digest: str
    warnings: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class InvalidRow:
    number: int
    source: SourceKind
    reasons: tuple[Reason, ...]
    warnings: tuple[Reason, ...] = ()
    digest: str = ""


ReadRow = ImportRow | InvalidRow


# --- values ---------------------------------------------------------------------------------

_SEX = {
    "male": "male", "m": "male", "l": "male", "lk": "male", "laki": "male", "lakilaki": "male",
    "pria": "male", "1": "male",
    "female": "female", "f": "female", "p": "female", "pr": "female", "perempuan": "female",
    "wanita": "female", "w": "female", "2": "female",
}  # fmt: skip
_RELATION_WORDS = {
    "kepalakeluarga": "head", "kepalarumahtangga": "head", "kk": "head", "krt": "head",
    "kepala": "head", "head": "head",
    "suami": "spouse", "istri": "spouse", "isteri": "spouse", "istrisuami": "spouse",
    "suamiistri": "spouse", "spouse": "spouse", "wife": "spouse", "husband": "spouse",
    "anak": "child", "child": "child", "menantu": "child_in_law", "cucu": "grandchild",
    "orangtua": "parent", "mertua": "parent", "orangtuamertua": "parent", "parent": "parent",
    "pembantu": "servant", "pembanturumahtangga": "servant", "famililain": "other",
    "lainnya": "other", "other": "other",
}  # fmt: skip
# The numeric codes of each source's exports: SIAK's SHDK and the PPLS's hubungan dengan KRT.
_RELATION_CODES = {
    SourceKind.KK: {
        "1": "head", "2": "spouse", "3": "spouse", "4": "child", "5": "child_in_law",
        "6": "grandchild", "7": "parent", "8": "parent", "9": "other", "10": "servant",
        "11": "other",
    },
    SourceKind.PPLS: {
        "1": "head", "2": "spouse", "3": "child", "4": "child_in_law", "5": "grandchild",
        "6": "parent", "7": "servant", "8": "other",
    },
}  # fmt: skip
_MARITAL = {
    "belumkawin": "single", "1": "single", "single": "single", "nevermarried": "single",
    "kawin": "married", "kawintercatat": "married", "kawinbelumtercatat": "married",
    "2": "married", "married": "married",
    "ceraihidup": "divorced", "3": "divorced", "divorced": "divorced",
    "ceraimati": "widowed", "4": "widowed", "widowed": "widowed",
}  # fmt: skip
_MONTHS = {
    "jan": 1, "januari": 1, "january": 1, "feb": 2, "peb": 2, "februari": 2, "pebruari": 2,
    "february": 2, "mar": 3, "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5,
    "may": 5, "jun": 6, "juni": 6, "june": 6, "jul": 7, "juli": 7, "july": 7, "agu": 8,
    "ags": 8, "agt": 8, "agus": 8, "agustus": 8, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "okt": 10, "oct": 10, "oktober": 10, "october": 10, "nov": 11, "nop": 11,
    "november": 11, "nopember": 11, "des": 12, "dec": 12, "desember": 12, "december": 12,
}  # fmt: skip
_SIXTEEN = re.compile(r"^\d{16}$")
_SCIENTIFIC = re.compile(r"^\d([.,]\d+)?[eE]\+?\d+$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/. ](\d{1,2}|[A-Za-z]+)[-/. ](\d{2}|\d{4})(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{4,5}(\.0+)?$")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01, past Excel's 29 February 1900


def _word(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (text or "").casefold())


class _Unreadable(ValueError):
    pass


def parse_date(text: str, *, today: date) -> date | None:
    """A date as the sources write it: ``DD-MM-YYYY`` (also with / . or a month's name,
    Indonesian or English, or a two-digit year), ``YYYY-MM-DD``, ``YYYYMMDD`` or an Excel
    serial number. None when empty; raises ValueError for no real date (day 32, 31
    February) and _Unreadable for text that is no date at all."""
    text = (text or "").strip()
    if not text:
        return None
    if match := _ISO.match(text) or _COMPACT.match(text):
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _DMY.match(text):
        day, month_text, year_text = match.groups()
        month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.casefold())
        if month is None:
            raise _Unreadable(text)
        year = int(year_text) if len(year_text) == 4 else full_year(int(year_text), today)
        return date(year, month, int(day))
    if _SERIAL.match(text):
        return _EXCEL_EPOCH + timedelta(days=int(float(text)))
    raise _Unreadable(text)


def _neighbourhood(text: str) -> str:
    """An RT or RW as the questionnaire stores it: ``005`` and ``RT 5`` are ``5``."""
    digits = digits_of(text)
    return str(int(digits)) if digits else ""


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def digest_of(values: Mapping[str, str]) -> str:
    """The same mapped values (whatever the columns' order) give the same digest."""
    text = "\x1f".join(f"{k}={values[k]}" for k in sorted(values))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# --- a row ----------------------------------------------------------------------------------


def mapped_values(row: SourceRow, mapping: Mapping[str, str]) -> dict[str, str]:
    """``{field: text}`` of the mapped columns (``check_mapping``'s mapping)."""
    return {field: row.cells.get(column, "").strip() for field, column in mapping.items()}


def _nik_text(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text or "")


def read_row(
    *,
    source: SourceKind,
    row: SourceRow,
    values: Mapping[str, str],
    book: AreaBook,
    today: date,
) -> ReadRow:
    """The row as an import row, or the reasons it is invalid. ``book`` must have been
    prepared with the row's area (``read_batch`` does that)."""
    problems: list[Reason] = []
    warnings: list[Reason] = []
    digest = digest_of(values)
    if row.extra_cells:
        problems.append(_reason("row.extra_cells", count=len(row.extra_cells)))

    name = " ".join(values.get("name", "").split())
    if not name and not (source == SourceKind.KPS and values.get("nik")):
        problems.append(_reason("name.missing"))
    elif re.search(r"\d", name):
        warnings.append(_reason("name.digits", name=name))

    sex_text = values.get("sex", "")
    sex = _SEX.get(_word(sex_text), "")
    if sex_text and not sex:
        warnings.append(_reason("sex.unknown", value=sex_text))

    born: date | None = None
    born_text = values.get("birth_date", "")
    try:
        born = parse_date(born_text, today=today)
    except _Unreadable:
        problems.append(_reason("birth_date.unreadable", value=born_text))
    except ValueError:
        problems.append(_reason("birth_date.impossible", value=born_text))
    if born is not None:
        if born > today:
            problems.append(_reason("birth_date.future", value=born.isoformat()))
        elif _age(born, today) > 120:
            problems.append(_reason("birth_date.too_old", value=born.isoformat()))

    nik = ""
    nik_written = values.get("nik", "").strip()
    nik_text = _nik_text(nik_written)
    if not nik_text:
        if source in (SourceKind.EKTP, SourceKind.KK):
            problems.append(_reason("nik.missing"))
    elif _SCIENTIFIC.match(nik_written):
        problems.append(_reason("nik.scientific", nik=nik_written))
    elif not _SIXTEEN.match(nik_text):
        problems.append(_reason("nik.format", nik=nik_text, count=len(nik_text)))
    else:
        written, woman = nik_birth_date(nik_text, today=today)
        if written is None:
            problems.append(_reason("nik.date", digits=nik_text[6:12]))
        else:
            nik = nik_text
            if sex and (sex == "female") != woman:
                problems.append(
                    _reason(
                        "nik.sex",
                        nik_sex="female" if woman else "male",
                        day=nik_text[6:8],
                        sex=sex,
                    )
                )
            if born is not None and (born.day, born.month, born.year % 100) != (
                written.day,
                written.month,
                written.year % 100,
            ):
                problems.append(
                    _reason(
                        "nik.birth_date",
                        nik_date=f"{written.day:02d}-{written.month:02d}-{nik_text[10:12]}",
                        born=born.isoformat(),
                    )
                )
            sex = sex or ("female" if woman else "male")
            born = born or written
            prefix = dotted(nik_text[:6])
            if book.level_of(prefix) != AreaLevel.SUBDISTRICT:
                warnings.append(_reason("nik.area_unknown", code=prefix))

    kk_text = _nik_text(values.get("kk", ""))
    kk = valid_kk(kk_text)
    if not kk_text and source == SourceKind.KK:
        problems.append(_reason("kk.missing"))
    elif kk_text and not kk:
        if source == SourceKind.KK:
            problems.append(_reason("kk.format", kk=kk_text, count=len(kk_text)))
        else:
            warnings.append(_reason("kk.dropped", kk=kk_text))
    elif kk and book.level_of(dotted(kk[:6])) != AreaLevel.SUBDISTRICT:
        warnings.append(_reason("kk.area_unknown", code=dotted(kk[:6])))

    relation_text = values.get("relation", "")
    relation = _RELATION_CODES.get(source, {}).get(relation_text.strip()) or _RELATION_WORDS.get(
        _word(relation_text), ""
    )
    if not relation_text and source in (SourceKind.KK, SourceKind.PPLS):
        problems.append(_reason("relation.missing"))
    elif relation_text and not relation:
        warnings.append(_reason("relation.unknown", value=relation_text))

    household_id = values.get("household_id", "")
    if source == SourceKind.PPLS and not household_id:
        problems.append(_reason("household.missing"))
    card_number = values.get("card_number", "")
    if source == SourceKind.KPS and not card_number:
        problems.append(_reason("card.missing"))

    if source == SourceKind.EKTP and born is not None and born <= today and _age(born, today) < 17:
        warnings.append(_reason("ektp.under_17", age=_age(born, today)))

    phone_text = values.get("phone", "")
    phone = e164_phone(phone_text)
    if phone_text and not phone:
        warnings.append(_reason("phone.invalid", value=phone_text))

    village, place_problem = resolve_village(area_ref(values, book.scope), book)
    if place_problem is not None:
        problems.append(_reason(place_problem[0], **place_problem[1]))
    if (
        village
        and book.scope
        and not (village == book.scope or village.startswith(book.scope + "."))
    ):
        problems.append(_reason("place.outside", code=village, scope=book.scope))

    if problems:
        return InvalidRow(
            number=row.number,
            source=source,
            reasons=tuple(problems),
            warnings=tuple(warnings),
            digest=digest,
        )
    details = {
        key: values[key]
        for key in (
            "birth_place",
            "religion",
            "occupation",
            "education",
            "mother_name",
            "father_name",
        )
        if values.get(key)
    }
    marital_text = values.get("marital_status", "")
    if marital_text:
        details["marital_status"] = _MARITAL.get(_word(marital_text), marital_text)
    place = PlaceRecord(
        village_code=village,
        rt=_neighbourhood(values.get("rt", "")),
        rw=_neighbourhood(values.get("rw", "")),
        address=" ".join(values.get("address", "").split()),
    )
    person = PersonRecord(
        name=name,
        nik=nik,
        sex=sex,
        birth_date=born,
        kk=kk,
        relation=relation,
        phone=phone,
        details=details,
    )
    household = HouseholdKey(
        place=place,
        household_id=household_id,
        kk=kk,
        card_number=card_number,
        housing={key: values[key] for key in HOUSING_QUESTIONS if values.get(key)},
        welfare_decile=values.get("welfare_decile", ""),
    )
    return ImportRow(
        number=row.number,
        source=source,
        person=person,
        household=household,
        digest=digest,
        warnings=tuple(warnings),
    )


def read_batch(
    *,
    source: SourceKind,
    rows: Sequence[SourceRow],
    mapping: Mapping[str, str],
    book: AreaBook,
    today: date,
) -> list[ReadRow]:
    """Each row read, with one query to the areas table for the batch (none when every
    area it names is known already)."""
    values = [mapped_values(row, mapping) for row in rows]
    refs = [area_ref(v, book.scope) for v in values]
    prefixes = [
        n[:6]
        for v in values
        for n in (_nik_text(v.get("nik", "")), _nik_text(v.get("kk", "")))
        if len(n) == 16 and n.isdigit()
    ]
    book.prepare(refs, prefixes)
    return [
        read_row(source=source, row=row, values=v, book=book, today=today)
        for row, v in zip(rows, values, strict=True)
    ]


__all__ = [
    "AreaBook",
    "HouseholdKey",
    "ImportRow",
    "InvalidRow",
    "Reason",
    "read_batch",
    "read_row",
]
