"""What merging a submission would do to the registry: the plan, read without writing.

``registry.merge`` computes the plan with the rows it changes locked and then
applies it; the review page shows it (``plan_merge``) side by side with what
the registry holds. The rules the plan follows are in ``registry.merge``'s
docstring; values are JSON (dates as ISO strings, a location as
``{"lat", "lon", "accuracy_m"}``, a head as the person's id, a family as its
KK number).
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model

from registry.models import Household, Person
from registry.records import (
    PersonRecord,
    Record,
    RecordKind,
)

logger = logging.getLogger(__name__)

IDENTITY_FIELDS = ("nik", "name", "sex", "birth_date", "family")
MAX_MERGE_HOPS = 20  # merged into a record later merged itself: a short chain
M = TypeVar("M", Person, Household)
HOUSEHOLD = "household"
PICKED_HOUSEHOLD = "picked:household"  # the household a follow-up picked (its Ref.key)


@dataclass(frozen=True)
class Ref:
    """What a change is about: an existing row (``pk``) or one the merge creates."""

    kind: str  # "household", "person" or "family"
    key: str  # "household", "member:0", "person" (an applicant), "kk:3507…"
    pk: int | None
    label: str = ""


@dataclass(frozen=True)
class FieldChange:
    ref: Ref
    field: str  # "birth_date", "housing.roof_material", "details.work_hours", "head"…
    before: Any
    after: Any
    after_ref: str = ""  # the value is the id of the row created for this key


@dataclass(frozen=True)
class PlannedConflict:
    ref: Ref
    field: str
    held: Any
    offered: Any
    held_source_id: int | None
    offered_ref: str = ""


@dataclass(frozen=True)
class PlannedMove:
    ref: Ref  # the person
    from_household_id: int
    to_household_id: int | None  # None: the household this merge creates


@dataclass(frozen=True)
class PlannedPick:
    """A follow-up's pick of a registry household or person, and whether it is linked."""

    question: str  # "household" | "person"
    answer: str  # the id as answered
    outcome: str  # "linked", or why not: "unknown", "out_of_scope", "not_in_household"
    linked_id: int | None = None


@dataclass(frozen=True)
class MemberPlan:
    ref: Ref
    record: PersonRecord
    residence: str  # "stay", "join" (new, or had none), "move", "elsewhere" (left as-is)


@dataclass
class MergePlan:
    """Every row a merge would create and every value it would set or leave in conflict."""

    kind: RecordKind
    record: Record | PersonRecord | None
    village_code: str
    observed_at: datetime
    household: Ref | None = None
    members: list[MemberPlan] = field(default_factory=list)
    creates: list[Ref] = field(default_factory=list)
    updates: list[FieldChange] = field(default_factory=list)
    conflicts: list[PlannedConflict] = field(default_factory=list)
    moves: list[PlannedMove] = field(default_factory=list)
    picks: list[PlannedPick] = field(default_factory=list)
    programmes_started: tuple[str, ...] = ()
    programmes_ended: tuple[str, ...] = ()
    photo_id: int | None = None
    merged_source_id: int | None = None  # already merged: approving again does nothing
    # The rows read (locked when merging), by Ref.key; not for display.
    rows: dict[str, Model] = field(default_factory=dict, repr=False)

    @property
    def is_merged(self) -> bool:
        return self.merged_source_id is not None


def _json_date(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}
