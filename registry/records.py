"""An approved submission's answers read as registry records: plain frozen dataclasses.

``Submission.answers`` is the dict intake stores (groups as dicts, repeats as
lists of dicts, every value a string, a select_multiple's choices separated by
spaces). Which question is the head's NIK, the KK, the members' repeat… comes
from ``forms.roles`` (so other household forms with a members repeat work
too); the housing, assets and programme questions are found by our question
names (``forms/questionnaires/ppls_household.yaml``) wherever they sit.

A follow-up (an assessment, a registration) may pick a household or a person
from the phone's registry lists (``forms.roles``: ``household_pick``,
``person_pick``): the record carries the ids as answered (``Picks``), and the
merge decides whether they may be linked.

What kind of record a questionnaire gives is decided once, by ``kind_of``.
"""

import functools
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

import phonenumbers

from forms.geopoint import GeoPoint, parse_geopoint
from forms.models import FormVersion
from forms.roles import FormRoles, RepeatRoles, read_form_roles, rows_at, value_at
from forms.xform_outline import read_outline
from foundation.names import name_key

logger = logging.getLogger(__name__)

# The housing questions of the PPLS (Household.housing keeps them by these names).
HOUSING_QUESTIONS = (
    "tenure",
    "floor_area",
    "floor_material",
    "wall_material",
    "wall_condition",
    "roof_material",
    "roof_condition",
    "water_source",
    "lighting",
    "power_va",
    "cooking_fuel",
    "toilet",
    "sewage",
)
# The roster's answers that are the person's identity or place in the household, not
# details; ``age`` is calculated from the birth date and not kept.
_MEMBER_OWN = frozenset({"name", "sex", "nik", "birth_date", "relation", "kk", "age"})
_NONE_CHOICE = "none"
_SIXTEEN_DIGITS = re.compile(r"^[0-9]{16}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
# A complaint (its complainant, the complaint itself) asks about a programme too, but is
# a case to follow (issue: cases), not a record of the registry.
_COMPLAINT = re.compile(r"complain|pengaduan|keluhan", re.I)


class RecordKind(StrEnum):
    HOUSEHOLD = "household"  # a survey of a household and its members (PPLS)
    ASSESSMENT = "assessment"  # a near-poor needs assessment of a person
    REGISTRATION = "registration"  # a person's registration for a programme
    PERSON = "person"  # a person alone, without her household (an imported identity row)
    NONE = "none"  # nothing to merge (a complaint…)


@dataclass(frozen=True)
class PlaceRecord:
    village_code: str  # an Area code: 35.07.13.2011 ("" when unknown)
    rt: str = ""
    rw: str = ""
    address: str = ""
    location: GeoPoint | None = None


@dataclass(frozen=True)
class PersonRecord:
    name: str
    nik: str = ""  # a valid NIK, else ""
    sex: str = ""  # male | female | ""
    birth_date: date | None = None
    kk: str = ""  # the family card (16 digits), else ""
    relation: str = ""  # to the head of household: a choice code
    phone: str = ""  # E.164, else ""
    details: dict[str, str] = field(default_factory=dict)

    @property
    def name_key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True)
class HouseholdRecord:
    place: PlaceRecord
    head_nik: str
    head_name: str
    kk: str
    members: tuple[PersonRecord, ...]
    housing: dict[str, str] = field(default_factory=dict)
    assets: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    kks_number: str = ""
    photo_filename: str = ""

    @property
    def head_index(self) -> int | None:
        """The member who heads the household: the one whose NIK is the head's, else the
        one whose relation is ``head``."""
        if self.head_nik:
            for index, member in enumerate(self.members):
                if member.nik == self.head_nik:
                    return index
        for index, member in enumerate(self.members):
            if member.relation == "head":
                return index
        return None


@dataclass(frozen=True)
class Picks:
    """The registry ids a follow-up picked from the phone's lists (``households.csv``,
    ``people.csv``) as answered: the merge checks them before it links (``""``: none)."""

    household: str = ""
    person: str = ""


@dataclass(frozen=True)
class AssessmentRecord:
    place: PlaceRecord
    person: PersonRecord
    answers: dict[str, Any]
    is_recommended: bool | None
    picks: Picks = Picks()


@dataclass(frozen=True)
class RegistrationRecord:
    place: PlaceRecord
    person: PersonRecord
    programme: str
    membership: str
    membership_class: str
    answers: dict[str, Any]
    picks: Picks = Picks()


Record = HouseholdRecord | AssessmentRecord | RegistrationRecord


# --- values ---------------------------------------------------------------------------------


def valid_nik(text: str) -> str:
    """The NIK when it has 16 digits and a real date in digits 7–12 (day + 40 for women),
    else ""."""
    text = (text or "").strip()
    if not _SIXTEEN_DIGITS.match(text):
        return ""
    day, month = int(text[6:8]), int(text[8:10])
    if day > 40:
        day -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return ""
    return text


def valid_kk(text: str) -> str:
    text = (text or "").strip()
    return text if _SIXTEEN_DIGITS.match(text) else ""


def e164_phone(text: str) -> str:
    """An Indonesian (or international) mobile number in E.164 (+6281234567890), else ""."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def iso_date(text: str) -> date | None:
    match = _ISO_DATE.match((text or "").strip())
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def sex_code(text: str) -> str:
    text = (text or "").strip().lower()
    return text if text in ("male", "female") else ""


def geopoint(text: str) -> GeoPoint | None:
    """ODK's ``lat lon [altitude [accuracy]]`` (forms.geopoint, the one reader)."""
    return parse_geopoint(text)


def choices(text: str) -> tuple[str, ...]:
    """A select_multiple's codes, without ``none``."""
    return tuple(code for code in (text or "").split() if code != _NONE_CHOICE)


# --- the form -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormShape:
    """What the merge reads of a form: its kind, its roles and where our questions are."""

    kind: RecordKind
    roles: FormRoles
    paths: dict[str, str]  # question name → path, outside repeats ("housing/tenure")
    members: RepeatRoles | None


@functools.lru_cache(maxsize=64)
def _shape_of_xform(xform_xml: str) -> FormShape:
    roles = read_form_roles(xform_xml)
    outline = read_outline(xform_xml)
    repeat_paths = [n.path for n in outline.nodes if n.kind == "repeat"]
    paths: dict[str, str] = {}
    for node in outline.nodes:
        if node.is_question and not any(node.path.startswith(r + "/") for r in repeat_paths):
            paths.setdefault(node.name, node.path)
    members = next((r for r in roles.repeats if r.nik and r.name), None)
    if any(_COMPLAINT.search(node.name) for node in outline.nodes):
        kind = RecordKind.NONE
    elif members is not None:
        kind = RecordKind.HOUSEHOLD
    elif "programme" in paths:
        kind = RecordKind.REGISTRATION
    elif "needs" in paths or "recommended" in paths:
        kind = RecordKind.ASSESSMENT
    else:
        kind = RecordKind.NONE
    return FormShape(kind=kind, roles=roles, paths=paths, members=members)


def shape_of(form_version: FormVersion) -> FormShape:
    return _shape_of_xform(form_version.xform_xml)


def kind_of(form_version: FormVersion) -> RecordKind:
    """What approving a submission of this form merges, decided from its questions:

    - a question or group named for a complaint (``complainant``…) → nothing to merge;
    - a repeat of people with an NIK and a name (PPLS ``members``) → a household survey;
    - else a question named ``programme`` → a programme registration;
    - else a question named ``needs`` or ``recommended`` → a near-poor needs assessment;
    - else nothing: ``RecordKind.NONE``.
    """
    return shape_of(form_version).kind


# --- reading answers ------------------------------------------------------------------------


def _at(answers: dict[str, Any], shape: FormShape, name: str) -> str:
    path = shape.paths.get(name)
    return value_at(answers, path) if path else ""


def _place(answers: dict[str, Any], shape: FormShape, fallback_village: str) -> PlaceRecord:
    gps_path = shape.roles.gps
    return PlaceRecord(
        village_code=_at(answers, shape, "village") or fallback_village,
        rt=_at(answers, shape, "rt"),
        rw=_at(answers, shape, "rw"),
        address=_at(answers, shape, "address"),
        location=geopoint(value_at(answers, gps_path)) if gps_path else None,
    )


def _member(row: dict[str, Any], roles: RepeatRoles) -> PersonRecord:
    def cell(name: str) -> str:
        value = row.get(name) if name else None
        return value.strip() if isinstance(value, str) else ""

    own = {roles.nik, roles.kk, roles.name, roles.sex, roles.birth_date} | _MEMBER_OWN
    details = {
        key: value.strip()
        for key, value in row.items()
        if key not in own and isinstance(value, str) and value.strip()
    }
    nik = valid_nik(cell(roles.nik))
    if cell(roles.nik) and not nik:
        details["nik_as_answered"] = cell(roles.nik)
    phone = e164_phone(cell("phone"))
    details.pop("phone", None)
    return PersonRecord(
        name=cell(roles.name),
        nik=nik,
        sex=sex_code(cell(roles.sex) or cell("sex")),
        birth_date=iso_date(cell(roles.birth_date) or cell("birth_date")),
        kk=valid_kk(cell(roles.kk)),
        relation=cell("relation"),
        phone=phone,
        details=details,
    )


def _household(answers: dict[str, Any], shape: FormShape, village: str) -> HouseholdRecord:
    assert shape.members is not None
    roles = shape.roles
    head_nik = valid_nik(value_at(answers, roles.head_nik)) if roles.head_nik else ""
    members = [_member(row, shape.members) for row in rows_at(answers, shape.members.path)]
    members = [m for m in members if m.name or m.nik]
    phones = [e164_phone(value_at(answers, p)) for p in roles.phones]
    head_phone = next((p for p in phones if p), "")
    record = HouseholdRecord(
        place=_place(answers, shape, village),
        head_nik=head_nik,
        head_name=value_at(answers, roles.head_name) if roles.head_name else "",
        kk=valid_kk(value_at(answers, roles.kk)) if roles.kk else "",
        members=tuple(members),
        housing={name: value for name in HOUSING_QUESTIONS if (value := _at(answers, shape, name))},
        assets=choices(_at(answers, shape, "assets")),
        programmes=choices(_at(answers, shape, "programmes")),
        kks_number=_at(answers, shape, "kks_number"),
        photo_filename=_at(answers, shape, "house_photo"),
    )
    head = record.head_index
    if head is not None and head_phone and not members[head].phone:
        # The phone is asked of the head, outside the roster.
        members[head] = replace(members[head], phone=head_phone)
        record = replace(record, members=tuple(members))
    return record


def _applicant(answers: dict[str, Any], shape: FormShape) -> PersonRecord:
    roles = shape.roles

    def top(path: str, name: str) -> str:
        return value_at(answers, path) if path else _at(answers, shape, name)

    phones = [e164_phone(value_at(answers, p)) for p in roles.phones]
    return PersonRecord(
        name=top(roles.head_name, "name"),
        nik=valid_nik(top(roles.head_nik, "nik")),
        sex=sex_code(top(roles.head_sex, "sex")),
        birth_date=iso_date(top(roles.head_birth_date, "birth_date")),
        kk=valid_kk(top(roles.kk, "kk")),
        phone=next((p for p in phones if p), ""),
    )


def _picks(answers: dict[str, Any], shape: FormShape) -> Picks:
    roles = shape.roles
    return Picks(
        household=value_at(answers, roles.household_pick) if roles.household_pick else "",
        person=value_at(answers, roles.person_pick) if roles.person_pick else "",
    )


def read_record(
    *, form_version: FormVersion, answers: dict[str, Any], fallback_village: str = ""
) -> Record | None:
    """The record of one submission's answers; None for a form with nothing to merge.

    ``fallback_village`` (the submission's area) stands in where the form asks no village.
    """
    shape = shape_of(form_version)
    if shape.kind == RecordKind.HOUSEHOLD:
        return _household(answers, shape, fallback_village)
    if shape.kind == RecordKind.ASSESSMENT:
        recommended = _at(answers, shape, "recommended")
        return AssessmentRecord(
            place=_place(answers, shape, fallback_village),
            person=_applicant(answers, shape),
            answers=answers,
            is_recommended={"yes": True, "no": False}.get(recommended),
            picks=_picks(answers, shape),
        )
    if shape.kind == RecordKind.REGISTRATION:
        return RegistrationRecord(
            place=_place(answers, shape, fallback_village),
            person=_applicant(answers, shape),
            programme=_at(answers, shape, "programme"),
            membership=_at(answers, shape, "bpjs_membership"),
            membership_class=_at(answers, shape, "bpjs_class"),
            answers=answers,
            picks=_picks(answers, shape),
        )
    return None
