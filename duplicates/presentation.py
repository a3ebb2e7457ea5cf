"""A duplicate pair as a reviewer reads it: both records side by side, masked, each field
with its part of the score in words, and what a merge of the two would do.

Plain functions over a pair whose records are loaded; nothing here writes or
checks permission (``duplicates.queries`` decided who reads the pair). The
numbers shown are masked as everywhere in the registry (``registry.masking``);
a level in words may be computed from the full numbers (two digits swapped),
never showing them.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from duplicates.models import DuplicatePair, PairKind
from foundation.names import same_person_name
from registry.masking import mask_kk, mask_nik, mask_phone
from registry.models import Household, Person
from registry.presentation import SEX_LABELS

MINUS = "\u2212"

# How alike a field is, per level of the linkage model (duplicates.linkage_model), in the
# reviewer's words. "unknown": one of the two records holds no value (no weight).
LEVEL_WORDS: dict[str, dict[str, Promise]] = {
    "name": {
        "exact": _("the same"),
        "same_letters": _("alike: the same letters, spaced or ordered differently"),
        "typo": _("alike: a letter or two differ"),
        "words_within": _("alike: one name's words are all in the other"),
        "close": _("close"),
        "different": _("different"),
    },
    "birth_date": {
        "exact": _("the same"),
        "day_month_swapped": _("day and month swapped"),
        "days_apart": _("a day or two apart"),
        "year_apart": _("the same day and month, a year apart"),
        "month_differs": _("only the month differs"),
        "one_part_differs": _("one of day, month and year differs"),
        "different": _("different"),
    },
    "nik": {
        "exact": _("the same"),
        "typo": _("a typing error: one digit differs"),
        "serial_swapped": _("the same but the last four digits in another order"),
        "other_serial": _("the same but the last four digits"),
        "same_date_digits": _("the same birth date digits"),
        "different": _("different"),
    },
    "sex": {"exact": _("the same"), "different": _("different")},
    "area": {
        "same_village": _("the same village"),
        "same_kecamatan": _("another village of the same kecamatan"),
        "different": _("another kecamatan"),
    },
    "kk": {"exact": _("the same family card"), "different": _("different family cards")},
    "phone": {"exact": _("the same"), "different": _("different")},
}
NOT_KNOWN = _("not recorded on one side: counts for nothing")
TWO_DIGITS_SWAPPED = _("a typing error: two digits swapped")

FIELD_LABELS: dict[str, Promise] = {
    "name": _("Name"),
    "nik": _("NIK"),
    "birth_date": _("Birth date"),
    "sex": _("Sex"),
    "area": _("Village"),
    "kk": _("Family card (KK)"),
    "phone": _("Phone"),
}
PERSON_FIELDS = ("name", "nik", "birth_date", "sex", "area", "kk", "phone")


def signed(weight: float) -> str:
    """``+6.1`` or ``−2.3`` (a real minus), in the active language's decimal sign."""
    text = number_format(abs(weight), 1)
    if round(weight, 1) == 0:
        return number_format(0.0, 1)
    return ("+" if weight > 0 else MINUS) + text


def sign_of(weight: float) -> str:
    """``plus``, ``minus`` or ``zero``: the class that colours a contribution."""
    if round(weight, 1) == 0:
        return "zero"
    return "plus" if weight > 0 else "minus"


def percent(probability: float) -> str:
    return number_format(probability * 100, 1) + "%"


def _digits_swapped(first: str, second: str) -> bool:
    if len(first) != len(second):
        return False
    apart = [i for i, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    return (
        len(apart) == 2
        and first[apart[0]] == second[apart[1]]
        and (first[apart[1]] == second[apart[0]])
    )


@dataclass(frozen=True)
class FieldRow:
    """One line of the comparison: a field, both values (masked), how alike, its weight."""

    key: str
    label: str
    left: str
    right: str
    level: str
    weight: float | None  # None: a line that gives no weight (shown for reading)
    note: str = ""

    @property
    def shown_weight(self) -> str:
        return "" if self.weight is None else signed(self.weight)

    @property
    def is_number(self) -> bool:
        """An identifier (shown masked, in the numbers' font)."""
        return self.key in ("nik", "kk", "phone")

    @property
    def sign(self) -> str:
        return "zero" if self.weight is None else sign_of(self.weight)


def _person_values(person: Person) -> dict[str, str]:
    return {
        "name": person.name,
        "nik": mask_nik(person.nik or ""),
        "birth_date": date_format(person.birth_date, "j M Y") if person.birth_date else "",
        "sex": str(SEX_LABELS.get(person.sex, person.sex)),
        "area": person.village.name if person.village else person.kecamatan_code,
        "kk": mask_kk(person.family.kk_number) if person.family else "",
        "phone": mask_phone(person.phone),
    }


def _level_words(name: str, code: str, left: Person, right: Person) -> str:
    if code == "unknown":
        return str(NOT_KNOWN)
    if name == "nik" and code == "typo" and _digits_swapped(left.nik or "", right.nik or ""):
        return str(TWO_DIGITS_SWAPPED)
    return str(LEVEL_WORDS.get(name, {}).get(code, code))


def person_rows(pair: DuplicatePair) -> list[FieldRow]:
    """The compared fields of a pair of people, in the order a reviewer reads them."""
    assert pair.person_a is not None and pair.person_b is not None
    left, right = pair.person_a, pair.person_b
    values = (_person_values(left), _person_values(right))
    contributions = pair.contributions or {}
    levels = contributions.get("levels") or {}
    rows = []
    for name in PERSON_FIELDS:
        weight = float(contributions.get(name) or 0.0)
        note = ""
        if name == "name":
            frequency = float(contributions.get("name_frequency") or 0.0)
            weight += frequency
            if round(frequency, 1) < 0:
                note = str(_("a common name counts for less: %(weight)s of it")) % {
                    "weight": signed(frequency)
                }
        rows.append(
            FieldRow(
                key=name,
                label=str(FIELD_LABELS[name]),
                left=values[0][name],
                right=values[1][name],
                level=_level_words(name, str(levels.get(name, "unknown")), left, right),
                weight=weight,
                note=note,
            )
        )
    return rows


def _household_values(household: Household, kks: list[str], size: int) -> dict[str, str]:
    head = household.head
    return {
        "area": household.village.name if household.village else household.village_id,
        "rt_rw": f"{household.rt or '—'} / {household.rw or '—'}",
        "address": household.address,
        "head": (f"{head.name} · {mask_nik(head.nik or '')}" if head else "").strip(" ·"),
        "kk": ", ".join(mask_kk(kk) for kk in kks),
        "members": str(size),
    }


HOUSEHOLD_LABELS: dict[str, Promise] = {
    "area": _("Village"),
    "rt_rw": _("RT / RW"),
    "address": _("Address"),
    "head": _("Head of household"),
    "kk": _("Family cards (KK)"),
    "members": _("Members"),
}


def household_rows(
    pair: DuplicatePair, kks: dict[int, list[str]], sizes: dict[int, int]
) -> list[FieldRow]:
    """The two households' lines (their score comes from their members, shown apart)."""
    assert pair.household_a is not None and pair.household_b is not None
    left = _household_values(
        pair.household_a, kks.get(pair.household_a.pk, []), sizes.get(pair.household_a.pk, 0)
    )
    right = _household_values(
        pair.household_b, kks.get(pair.household_b.pk, []), sizes.get(pair.household_b.pk, 0)
    )
    return [
        FieldRow(
            key=key,
            label=str(label),
            left=left[key],
            right=right[key],
            level=str(_("the same")) if left[key] and left[key] == right[key] else "",
            weight=None,
        )
        for key, label in HOUSEHOLD_LABELS.items()
    ]


# --- what a merge does ---------------------------------------------------------------


@dataclass(frozen=True)
class MergePreview:
    """What merging the pair would do, whichever record is kept."""

    conflicts: list[str] = field(default_factory=list)  # the fields' labels
    taken: list[str] = field(default_factory=list)  # held by one record only
    moves_household: bool = False  # people of two households: the other's stay ends


def _empty(value: Any) -> bool:
    return value is None or value == ""


_PERSON_IDENTITY: dict[str, Promise] = {
    "nik": _("NIK"),
    "name": _("Name"),
    "sex": _("Sex"),
    "birth_date": _("Birth date"),
    "family_id": _("Family card (KK)"),
}
_PERSON_TAKEN: dict[str, Promise] = {"phone": _("Phone"), "relation": _("Relation to the head")}


def merge_preview(pair: DuplicatePair) -> MergePreview:
    """The conflicts a merge of ``pair`` would open (values that disagree; the kept
    record's stays) and the values the kept one would take (held by one record only),
    following ``registry.person_merge`` and ``registry.household_merge``."""
    if pair.kind == PairKind.PERSON:
        assert pair.person_a is not None and pair.person_b is not None
        left, right = pair.person_a, pair.person_b
        conflicts: list[str] = []
        taken: list[str] = []
        for name, label in _PERSON_IDENTITY.items():
            a, b = getattr(left, name), getattr(right, name)
            if a == b or (_empty(a) and _empty(b)):
                continue
            if name == "name" and (
                left.name_key == right.name_key or same_person_name(left.name, right.name)
            ):
                continue  # a spelling of the same name: the kept one's stays, no conflict
            (taken if _empty(a) or _empty(b) else conflicts).append(str(label))
        for name, label in _PERSON_TAKEN.items():
            a, b = getattr(left, name), getattr(right, name)
            if _empty(a) != _empty(b):
                taken.append(str(label))
        return MergePreview(
            conflicts=conflicts,
            taken=taken,
            moves_household=bool(
                left.household_id and right.household_id and left.household_id != right.household_id
            ),
        )
    assert pair.household_a is not None and pair.household_b is not None
    first, second = pair.household_a, pair.household_b
    conflicts = []
    if first.head_id and second.head_id and first.head_id != second.head_id:
        conflicts.append(str(_("Head of household")))
    taken = [
        str(label)
        for name, label in (
            ("rt", _("RT")),
            ("rw", _("RW")),
            ("address", _("Address")),
            ("kks_number", _("KKS card")),
        )
        if _empty(getattr(first, name, None)) != _empty(getattr(second, name, None))
    ]
    return MergePreview(conflicts=conflicts, taken=taken)
