"""A merge plan written into the registry: its rows, its values, its history.

``PlanApplier`` turns one ``MergePlan`` (computed under lock) into rows, in
steps that set values on the rows in memory and say what to write;
``registry.merge`` writes one plan's rows one by one (``apply``),
``registry.batch_merge`` runs the same steps for every plan of a batch and
writes each table at once. What a step sets is the same for both.

The order of the steps: new rows built; the households' values; new
households written; the families' values (a new family belongs to its
household, which has an id now); the people's values, then where members live
(``place_members``); people written; heads (a head may be a person just
written); then residences, conflicts, programmes and the changes.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db.models import Model
from django.utils import timezone

from areas.models import Area
from registry.errors import VillageUnknown
from registry.merge_plan import (
    HOUSEHOLD,
    PICKED_HOUSEHOLD,
    FieldChange,
    MergePlan,
    PlannedConflict,
    Ref,
)
from registry.models import (
    Application,
    Assessment,
    Conflict,
    Family,
    Household,
    Participation,
    Person,
    RegistryChange,
    Residence,
    Source,
)
from registry.name_index import note_names
from registry.records import AssessmentRecord, RegistrationRecord
from registry.values import kecamatan_of, set_value

logger = logging.getLogger(__name__)

RowOf = Callable[[str], int | None]


class PlanApplier:
    """Writes a plan computed under lock: rows first, then values, then the history.

    ``at``: when its changes are recorded (the Source's approval, else now); ``row_of``:
    the source's row (an import's row number) of a ``Ref.key``, for each change and
    conflict; ``village``: the plan's village, when the caller read it already."""

    def __init__(
        self,
        plan: MergePlan,
        source: Source,
        *,
        at: datetime | None = None,
        row_of: RowOf | None = None,
        village: Area | None = None,
    ) -> None:
        self.plan = plan
        self.source = source
        self.at = at or source.approved_at
        self.row_of = row_of
        self.rows: dict[str, Model] = dict(plan.rows)
        self.changes: list[RegistryChange] = []
        self.day: date = timezone.localdate(plan.observed_at)
        self.village: Area | None = village
        self.dirty: set[str] = set()
        self.arriving: list[tuple[Person, bool, bool]] = []
        self.conflicts: list[Conflict] = []
        self.participations: list[Participation] = []
        self.moves = 0

    def _village(self) -> Area:
        if self.village is None:
            self.village = Area.objects.filter(code=self.plan.village_code).first()
        if self.village is None or self.village.level != "village":
            raise VillageUnknown(code=self.plan.village_code or "—")
        return self.village

    def _pk(self, key: str) -> int:
        pk = self.rows[key].pk
        assert isinstance(pk, int)
        return pk

    def _row(self, key: str) -> int | None:
        return self.row_of(key) if self.row_of is not None else None

    def _record(self, ref: Ref, name: str, before: Any, after: Any) -> None:
        row = self.rows[ref.key]
        self.changes.append(
            RegistryChange(
                source=self.source,
                household=row if isinstance(row, Household) else None,
                person=row if isinstance(row, Person) else None,
                family=row if isinstance(row, Family) else None,
                field=name,
                before=before,
                after=after,
                at=self.at,
                row=self._row(ref.key),
            )
        )

    @property
    def is_empty(self) -> bool:
        return self.plan.kind == "none" or self.plan.record is None

    # -- rows ------------------------------------------------------------------------------

    def build_rows(self) -> tuple[list[Household], list[Family], list[Person]]:
        """The rows the plan creates, not yet written: households, then families in the
        order of their numbers (two merges that create the same ones wait on the first of
        them, not on each other: a deadlock), then people."""
        households: list[Household] = []
        families: list[Family] = []
        people: list[Person] = []
        for ref in sorted(
            (r for r in self.plan.creates if r.kind in ("household", "family")),
            key=lambda r: (r.kind != "household", r.key),
        ):
            if ref.kind == "household":
                village = self._village()
                household = Household(
                    village=village,
                    kecamatan_code=kecamatan_of(village.code),
                    created_by_source=self.source,
                )
                self.rows[ref.key] = household
                households.append(household)
            else:
                family = Family(kk_number=ref.key.removeprefix("kk:"))
                self.rows[ref.key] = family
                families.append(family)
        for ref in self.plan.creates:
            if ref.kind == "person":
                person = Person(name=ref.label, created_by_source=self.source)
                self.rows[ref.key] = person
                people.append(person)
        return households, families, people

    def _resolved(self, value: Any, key: str) -> Any:
        return self._pk(key) if key else value

    def _set(self, change: FieldChange) -> None:
        row = self.rows[change.ref.key]
        after = self._resolved(change.after, change.after_ref)
        if change.field == "programmes":
            self._programmes()
        elif change.field == "family" and f"kk:{after}" in self.rows:
            row.family = self.rows[f"kk:{after}"]  # type: ignore[attr-defined]
        else:
            set_value(row, change.field, after)
        self.dirty.add(change.ref.key)
        self._record(change.ref, change.field, change.before, after)

    def _updates(self, kind: str) -> list[FieldChange]:
        return [c for c in self.plan.updates if c.ref.kind == kind]

    def set_household_values(self) -> None:
        """The households' values but their head (who may be a person not written yet)."""
        for change in self._updates("household"):
            if change.field != "head":
                self._set(change)

    def set_family_values(self) -> None:
        """The families' values: a new family belongs to its household (written by now)."""
        for change in self._updates("family"):
            self._set(change)

    def set_person_values(self) -> None:
        """The people's values (each saved once with all of hers), and where members live."""
        for change in self._updates("person"):
            self._set(change)
        self._place_members()

    def people_to_save(self) -> list[Person]:
        """The people new or changed, in the order of their NIKs (those without last)."""
        people = [
            row
            for key, row in self.rows.items()
            if isinstance(row, Person) and (key in self.dirty or row.pk is None)
        ]
        return sorted(people, key=lambda p: (p.nik is None, p.nik or ""))

    def set_heads(self) -> None:
        for change in self._updates("household"):
            if change.field == "head":
                self._set(change)

    def rows_to_save(self) -> list[Family | Household]:
        return [
            row
            for key, row in self.rows.items()
            if isinstance(row, Family | Household) and key in self.dirty
        ]

    def apply(self) -> dict[str, Any]:
        """Write the plan, row by row; returns the summary ``Source.summary`` keeps."""
        if self.is_empty:
            return {"kind": str(self.plan.kind)}
        households, families, people = self.build_rows()
        for household in households:
            household.save()
        self.set_household_values()
        for family in families:
            family.save()
        self.set_family_values()
        self.set_person_values()
        people = self.people_to_save()
        for person in people:
            person.save()
        note_names(person.name_key for person in people)
        self.set_heads()
        for row in self.rows_to_save():
            row.save()
        closing = self.residences()
        if closing:
            Residence.objects.filter(person__in=closing, until__isnull=True).update(
                until=self.day, ended_by=self.source
            )
        Residence.objects.bulk_create(self.new_residences)
        self.build_conflicts()
        Conflict.objects.bulk_create(self.conflicts)
        self.write_programmes()
        self._own_record()
        RegistryChange.objects.bulk_create(self.changes)
        return self.summary()

    def summary(self) -> dict[str, Any]:
        plan = self.plan
        if self.is_empty:
            return {"kind": str(plan.kind)}
        created = [ref.kind for ref in plan.creates]
        summary: dict[str, Any] = {
            "kind": str(plan.kind),
            "households_created": created.count("household"),
            "people_created": created.count("person"),
            "families_created": created.count("family"),
            "people_updated": len(
                {c.ref.key for c in plan.updates if c.ref.kind == "person" and c.ref.pk}
            ),
            "changes": len(self.changes),
            "conflicts": len(plan.conflicts),
            "moves": self.moves,
            "programmes_started": len(plan.programmes_started),
            "programmes_ended": len(plan.programmes_ended),
        }
        if HOUSEHOLD in self.rows:
            summary["household_id"] = self._pk(HOUSEHOLD)
        elif PICKED_HOUSEHOLD in self.rows:
            summary["household_id"] = self._pk(PICKED_HOUSEHOLD)
        if "person" in self.rows:
            summary["person_id"] = self._pk("person")
        if plan.picks:
            summary["picks"] = [
                {"question": pick.question, "answer": pick.answer[:40], "outcome": pick.outcome}
                for pick in plan.picks
            ]
        return summary

    def _village_or_none(self) -> Area | None:
        try:
            return self._village()
        except VillageUnknown:
            return None

    # -- residences, conflicts, programmes -----------------------------------------------

    def _place_members(self) -> None:
        """Members who join or move live here now (and all of them in its village): set
        before their one save. Keeps those who arrive: whether each moved, and whether
        she was in the registry before (and may have a Residence to close)."""
        household = self.rows.get(HOUSEHOLD)
        if not isinstance(household, Household):
            return
        for member in self.plan.members:
            if member.residence == "elsewhere":
                continue
            person = self.rows[member.ref.key]
            assert isinstance(person, Person)
            if member.residence in ("join", "move"):
                self.arriving.append((person, member.residence == "move", person.pk is not None))
                self._record(member.ref, "household", person.household_id, household.pk)
                person.household = household
            if person.village_id != household.village_id:
                self._record(member.ref, "village", person.village_id, household.village_id)
                person.village_id = household.village_id
                person.kecamatan_code = household.kecamatan_code
            self.dirty.add(member.ref.key)

    def residences(self) -> list[Person]:
        """A Residence here for each who arrives (``new_residences``); returns those
        whose open Residence elsewhere a move closes (the caller's UPDATE, which locks
        what it changes)."""
        self.new_residences: list[Residence] = []
        household = self.rows.get(HOUSEHOLD)
        if not isinstance(household, Household) or not self.arriving:
            return []
        self.new_residences = [
            Residence(person=person, household=household, since=self.day, source=self.source)
            for person, _moved, _existed in self.arriving
        ]
        self.moves = sum(1 for _person, moved, _existed in self.arriving if moved)
        return [person for person, _moved, existed in self.arriving if existed]

    def build_conflicts(self) -> None:
        village = self._village_or_none()
        if village is None and self.plan.conflicts:
            village = self._village()
        for planned in self.plan.conflicts:
            self._conflict(planned, village)

    def _conflict(self, planned: PlannedConflict, village: Area | None) -> None:
        row = self.rows[planned.ref.key]
        if village is None:
            return
        offered = self._resolved(planned.offered, planned.offered_ref)
        if isinstance(row, Person) and row.village_id:
            village_code = row.village_id
        else:
            village_code = village.code
        self.conflicts.append(
            Conflict(
                household=row if isinstance(row, Household) else None,
                person=row if isinstance(row, Person) else None,
                field=planned.field,
                held=planned.held,
                offered=offered,
                held_source_id=planned.held_source_id,
                source=self.source,
                village_id=village_code,
                kecamatan_code=kecamatan_of(village_code),
                row=self._row(planned.ref.key),
            )
        )

    def _programmes(self) -> None:
        household = self.rows[HOUSEHOLD]
        assert isinstance(household, Household)
        self.participations = [
            Participation(
                household=household, programme=programme, source=self.source, since=self.day
            )
            for programme in self.plan.programmes_started
        ]

    def write_programmes(self) -> None:
        """The programmes started and ended (a batch writes its started ones at once)."""
        Participation.objects.bulk_create(self.participations)
        self.end_programmes()

    def end_programmes(self) -> None:
        household = self.rows.get(HOUSEHOLD)
        if self.plan.programmes_ended and isinstance(household, Household):
            Participation.objects.filter(
                household=household,
                person__isnull=True,
                until__isnull=True,
                programme__in=self.plan.programmes_ended,
            ).update(until=self.day)

    def _own_record(self) -> None:
        """The assessment or the application itself."""
        record = self.plan.record
        person = self.rows.get("person")
        if person is None:
            return
        assert isinstance(person, Person)
        if isinstance(record, AssessmentRecord):
            picked = self.rows.get(PICKED_HOUSEHOLD)
            Assessment.objects.create(
                person=person,
                household_id=picked.pk if picked is not None else person.household_id,
                source=self.source,
                answers=record.answers,
                is_recommended=record.is_recommended,
                assessed_at=self.plan.observed_at,
            )
        elif isinstance(record, RegistrationRecord):
            Application.objects.create(
                person=person,
                programme=record.programme,
                membership=record.membership,
                membership_class=record.membership_class,
                source=self.source,
                answers=record.answers,
                applied_at=self.plan.observed_at,
            )
