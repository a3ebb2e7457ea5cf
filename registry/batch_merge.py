"""A batch of an imported extract's records merged into the registry at once.

The rows of an e-KTP, family card (KK), PPLS or KPS extract merge by the same
rules as approved submissions (``registry.merge``'s docstring): ``plan_batch``
plans each record with the merge's own ``Planner``, whose reads of the registry
are served here from what one pass read for the whole batch (people by NIK,
families by KK, their households, those households' people without an NIK,
the provenance of every row found, open conflicts and programmes: a constant
number of queries, whatever the batch's size); ``apply_batch`` writes the plans
with the merge's own ``PlanApplier`` steps, each table at once.

What a batch holds (``BatchRecord``), as the import groups its rows:

- a PPLS household (its rows grouped by the PPLS household id) is a
  ``HouseholdRecord`` with one row per member: found, created and surveyed as a
  household survey is;
- an e-KTP or KK row is a person alone (``PersonRecord`` and her village): her
  identity and her family (KK) merge, she is created in her village without a
  household when new, and no household is created or moved for her: a family
  card says who is in a family, not who lives and eats together. The import
  orders such rows by KK, then by PPLS household id, so that a family's rows
  fall in one batch.

Records of one batch that name the same people, families or households (a row
twice, a person in two KKs, a member also in another household of the batch)
are not planned against each other's writes: a record that shares any NIK, KK
or row found with an earlier record of the pass waits for the next pass, which
``apply_batch`` plans after writing the first, as if merged one after another.
``plan_batch`` (the dry run) plans those later records against the registry as
it is: their counts may differ from the apply's.

Provenance: one ``Source`` per import run (``create_import_source``: the file,
who applied it, when its data were observed); each ``RegistryChange`` and
``Conflict`` keeps the row of the file (``row``). Idempotency: the Source's
``summary["applied_rows"]`` keeps the ranges of rows applied, written in the
batch's transaction; a batch within them changes nothing (a retried task, a
worker restarted after its commit).
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from areas.models import Area, AreaLevel
from audit.trail import record_change
from registry.errors import RegistryError
from registry.merge_apply import PlanApplier
from registry.merge_plan import M, MergePlan
from registry.models import (
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
from registry.planner import Planner
from registry.provenance import Held, latest_sources
from registry.records import HouseholdRecord, PersonRecord, RecordKind

logger = logging.getLogger(__name__)

__all__ = [
    "BatchPlan",
    "BatchRecord",
    "BatchSummary",
    "RecordOutcome",
    "apply_batch",
    "create_import_source",
    "plan_batch",
]

CHUNK = 5000  # ids in one IN list (SQLite's bound on parameters)
T = TypeVar("T")


class BatchOverlap(RegistryError):
    code = "batch_overlap"
    message = "A batch overlaps rows of this import already applied in part."  # developers'


@dataclass(frozen=True)
class BatchRecord:
    """One record of a batch: a household (one row per member, in order) or a person
    alone (one row, and the village she lives in)."""

    rows: tuple[int, ...]
    record: HouseholdRecord | PersonRecord
    village_code: str = ""

    @property
    def village(self) -> str:
        if isinstance(self.record, HouseholdRecord):
            return self.record.place.village_code or self.village_code
        return self.village_code

    def row_of(self, key: str) -> int | None:
        """The row a plan's ``Ref.key`` came from: a member's own row; the household's,
        the person's or a family's: the first row of the record (a family: of its first
        member with that KK)."""
        if key.startswith("member:"):
            index = int(key.removeprefix("member:"))
            return self.rows[index] if index < len(self.rows) else self.rows[0]
        if key.startswith("kk:") and isinstance(self.record, HouseholdRecord):
            kk = key.removeprefix("kk:")
            for index, member in enumerate(self.record.members):
                if member.kk == kk and index < len(self.rows):
                    return self.rows[index]
        return self.rows[0] if self.rows else None


@dataclass(frozen=True)
class RecordOutcome:
    """What a record does (or would do): counts of people and households created, rows
    updated, conflicts and moves; ``invalid``: why it is not merged."""

    first_row: int
    created: int = 0
    updated: int = 0
    conflicts: int = 0
    moves: int = 0
    invalid: str = ""
    later_pass: bool = False  # planned after an earlier record of the batch (see above)

    @property
    def outcome(self) -> str:
        for name in ("invalid", "conflicts", "moves", "created", "updated"):
            if getattr(self, name):
                return {"conflicts": "conflict", "moves": "move"}.get(name, name)
        return "unchanged"


@dataclass
class BatchPlan:
    """A batch's records and what merging them would do; written by nothing."""

    records: tuple[BatchRecord, ...]
    observed_at: datetime
    source_label: str
    outcomes: list[RecordOutcome] = field(default_factory=list)
    passes: int = 0
    queries: int = 0

    @property
    def first_row(self) -> int:
        return min((r for record in self.records for r in record.rows), default=0)

    @property
    def last_row(self) -> int:
        return max((r for record in self.records for r in record.rows), default=0)

    @property
    def totals(self) -> dict[str, int]:
        return _totals(self.outcomes)


@dataclass(frozen=True)
class BatchSummary:
    first_row: int
    last_row: int
    totals: dict[str, int]
    outcomes: tuple[RecordOutcome, ...]
    passes: int
    changes: int
    is_replay: bool = False  # applied before: nothing written


def _totals(outcomes: Iterable[RecordOutcome]) -> dict[str, int]:
    totals = {"created": 0, "updated": 0, "conflicts": 0, "moves": 0, "invalid": 0}
    for outcome in outcomes:
        for name in ("created", "updated", "conflicts", "moves"):
            totals[name] += getattr(outcome, name)
        totals["invalid"] += bool(outcome.invalid)
    return totals


def _chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


# --- the reads of a pass -------------------------------------------------------------------


class _BatchPlanner(Planner):
    """The merge's Planner, its reads served from what ``read`` read for a whole pass."""

    def __init__(self, *, lock: bool, observed_at: datetime) -> None:
        self.submission = None
        self.lock = lock
        self.chain_sources = {}  # an import is no edit of an earlier one
        self.observed_at = observed_at
        self.start(None, kind=RecordKind.NONE, village_code="", observed_at=observed_at)

    def read(self, records: Sequence[BatchRecord]) -> None:
        niks: set[str] = set()
        kks: set[str] = set()
        villages: set[str] = set()
        for item in records:
            villages.add(item.village)
            record = item.record
            people = record.members if isinstance(record, HouseholdRecord) else (record,)
            niks.update(p.nik for p in people if p.nik)
            kks.update(p.kk for p in people if p.kk)
            if isinstance(record, HouseholdRecord):
                niks.update([record.head_nik] if record.head_nik else [])
                kks.update([record.kk] if record.kk else [])
        self.people: dict[int, Person] = {}
        self.by_nik: dict[str, Person] = {}
        for chunk in _chunks(sorted(niks)):
            for person in self._rows(Person, "family").filter(nik__in=chunk):
                self.people[person.pk] = person
                if person.nik:
                    self.by_nik[person.nik] = person
        self.family_rows: dict[str, Family] = {}
        for chunk in _chunks(sorted(kks)):
            self.family_rows.update(
                (f.kk_number, f) for f in self._rows(Family).filter(kk_number__in=chunk)
            )
        household_ids = {p.household_id for p in self.people.values() if p.household_id}
        household_ids |= {f.household_id for f in self.family_rows.values() if f.household_id}
        self.households: dict[int, Household] = {}
        self.without_nik: dict[int, list[Person]] = defaultdict(list)
        for ids in _chunks(sorted(household_ids)):
            self.households.update((h.pk, h) for h in self._rows(Household).filter(pk__in=ids))
        for ids in _chunks(sorted(household_ids)):
            rows = self._rows(Person, "family").filter(household_id__in=ids, nik__isnull=True)
            for person in rows.order_by("pk"):
                self.people[person.pk] = person
                assert person.household_id is not None
                self.without_nik[person.household_id].append(person)
        self._read_held(sorted(self.people), sorted(self.households))
        self.villages = {
            a.code: a for a in Area.objects.filter(code__in=villages, level=AreaLevel.VILLAGE)
        }

    def _read_held(self, people: list[int], households: list[int]) -> None:
        self.people_held: dict[tuple[int, str], Held] = {}
        self.households_held: dict[tuple[int, str], Held] = {}
        self.conflicts_held: set[tuple[str, int, str, str]] = set()
        self.programmes: dict[int, list[str]] = defaultdict(list)
        for chunk in _chunks(people):
            self.people_held.update(
                latest_sources(RegistryChange.objects.filter(person_id__in=chunk), "person_id")
            )
        for chunk in _chunks(households):
            self.households_held.update(
                latest_sources(
                    RegistryChange.objects.filter(household_id__in=chunk), "household_id"
                )
            )
            for household_id, programme in Participation.objects.filter(
                household_id__in=chunk, person__isnull=True, until__isnull=True
            ).values_list("household_id", "programme"):
                self.programmes[household_id].append(programme)
        open_conflicts = Conflict.objects.filter(state=Conflict.State.OPEN)
        for chunk in _chunks(people):
            for person_id, name, offered in open_conflicts.filter(person_id__in=chunk).values_list(
                "person_id", "field", "offered"
            ):
                self.conflicts_held.add(("person", person_id, name, repr(offered)))
        for chunk in _chunks(households):
            for household_id, name, offered in open_conflicts.filter(
                household_id__in=chunk
            ).values_list("household_id", "field", "offered"):
                self.conflicts_held.add(("household", household_id, name, repr(offered)))

    # The Planner's lookups, from the pass's reads (a row not read: as the Planner reads it).

    def _row_by_pk(self, model: type[M], pk: int) -> M | None:
        table: dict[int, Any] = self.people if model is Person else self.households
        if pk not in table:
            row = super()._row_by_pk(model, pk)  # a duplicate's record kept: rare
            if row is None:
                return None
            table[pk] = row
        found = table[pk]
        assert isinstance(found, model)
        return found

    def _person_with_nik(self, nik: str) -> Person | None:
        return self.by_nik.get(nik)

    def _nik_holder(self, nik: str) -> Person | None:
        return self.by_nik.get(nik)

    def _household_of(self, pk: int) -> Household | None:
        return self._row_by_pk(Household, pk)

    def _family_household_id(self, kk: str, village: str) -> int | None:
        family = self.family_rows.get(kk)
        if family is None or family.household_id is None:
            return None
        household = self.households.get(family.household_id)
        return household.pk if household is not None and household.village_id == village else None

    def _people_with_niks(self, niks: list[str]) -> list[Person]:
        return [self.by_nik[nik] for nik in niks if nik in self.by_nik]

    def _people_without_nik(self, household: Household) -> list[Person]:
        return list(self.without_nik.get(household.pk, []))

    def _latest_of_people(self, ids: list[int]) -> dict[tuple[int, str], Held]:
        return self.people_held  # keyed by id: the others' are never asked

    def _latest_of_household(self, household_id: int) -> dict[tuple[int, str], Held]:
        return self.households_held

    def _open_conflicts(
        self, people: list[int], household_id: int | None
    ) -> set[tuple[str, int, str, str]]:
        return self.conflicts_held

    def _family(self, kk: str) -> Family | None:
        return self.family_rows.get(kk)

    def _household_headed(self, household_id: int, person_id: int) -> Household | None:
        household = self.households.get(household_id)
        return household if household is not None and household.head_id == person_id else None

    def _is_village(self, code: str) -> bool:
        return code in self.villages

    def _open_programmes(self, household: Household) -> list[str]:
        return list(self.programmes.get(household.pk, []))

    # -- planning ----------------------------------------------------------------------

    def plan_one(self, item: BatchRecord) -> MergePlan:
        record = item.record
        if isinstance(record, HouseholdRecord):
            self.start(
                record,
                kind=RecordKind.HOUSEHOLD,
                village_code=item.village,
                observed_at=self.observed_at,
            )
            self.household(record)
        else:
            self.start(
                record,
                kind=RecordKind.PERSON,
                village_code=item.village,
                observed_at=self.observed_at,
            )
            self.lone_person(record, self.find_person(record, None))
        return self.plan


def _claims(item: BatchRecord, plan: MergePlan) -> set[str]:
    """What a record's merge reads or writes that another record's could too."""
    record = item.record
    people = record.members if isinstance(record, HouseholdRecord) else (record,)
    claims = {f"nik:{p.nik}" for p in people if p.nik} | {f"kk:{p.kk}" for p in people if p.kk}
    if isinstance(record, HouseholdRecord):
        claims |= {f"nik:{record.head_nik}", f"kk:{record.kk}"} - {"nik:", "kk:"}
    for row in plan.rows.values():
        claims.add(f"{type(row).__name__}:{row.pk}")
    return claims


@dataclass
class _Pass:
    accepted: list[tuple[BatchRecord, MergePlan]]
    invalid: list[tuple[BatchRecord, str]]
    later: list[BatchRecord]
    villages: dict[str, Area]


def _plan_pass(records: Sequence[BatchRecord], *, lock: bool, observed_at: datetime) -> _Pass:
    planner = _BatchPlanner(lock=lock, observed_at=observed_at)
    planner.read(records)
    taken: set[str] = set()
    result = _Pass([], [], [], planner.villages)
    for item in records:
        if item.village not in planner.villages:
            result.invalid.append((item, "village_unknown"))
            continue
        plan = planner.plan_one(item)
        claims = _claims(item, plan)
        if claims & taken:
            result.later.append(item)
        else:
            result.accepted.append((item, plan))
        # A record left for later holds its claims too: those after it that share them
        # wait as well, and merge after it, in the batch's order.
        taken |= claims
    return result


def _outcome(item: BatchRecord, plan: MergePlan, *, later_pass: bool) -> RecordOutcome:
    return RecordOutcome(
        first_row=item.rows[0] if item.rows else 0,
        created=sum(1 for ref in plan.creates if ref.kind in ("household", "person")),
        updated=len({c.ref.key for c in plan.updates if c.ref.pk}),
        conflicts=len(plan.conflicts),
        moves=len(plan.moves),
        later_pass=later_pass,
    )


def _invalid(item: BatchRecord, reason: str) -> RecordOutcome:
    return RecordOutcome(first_row=item.rows[0] if item.rows else 0, invalid=reason)


class _Queries:
    """Counts the queries of a block (the bench and the tests read it)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def plan_batch(
    records: Iterable[BatchRecord], *, observed_at: datetime, source_label: str
) -> BatchPlan:
    """What merging ``records`` would do, record by record; writes nothing (the dry run).

    A record that names what an earlier one of the batch does is planned in a later pass,
    against the registry as it is (the apply plans it after the earlier one's writes)."""
    plan = BatchPlan(records=tuple(records), observed_at=observed_at, source_label=source_label)
    outcomes: dict[int, RecordOutcome] = {}
    pending: Sequence[BatchRecord] = plan.records
    counter = _Queries()
    with connection.execute_wrapper(counter):
        while pending:
            planned = _plan_pass(pending, lock=False, observed_at=observed_at)
            plan.passes += 1
            for item, reason in planned.invalid:
                outcomes[id(item)] = _invalid(item, reason)
            for item, merge in planned.accepted:
                outcomes[id(item)] = _outcome(item, merge, later_pass=plan.passes > 1)
            if len(planned.later) == len(pending):
                raise AssertionError("a pass planned nothing")  # the first record never waits
            pending = planned.later
    plan.queries = counter.count
    plan.outcomes = [outcomes[id(item)] for item in plan.records]
    return plan


# --- applying ------------------------------------------------------------------------------


def create_import_source(*, label: str, applied_by: User, observed_at: datetime) -> Source:
    """The Source of one import run: what its rows set is the run's (and their row's)."""
    return Source.objects.create(
        kind=Source.Kind.IMPORT,
        label=label[:255],
        approved_by=applied_by,
        approved_at=timezone.now(),
        observed_at=observed_at,
        summary={"applied_rows": []},
    )


def _covered(ranges: list[list[int]], first: int, last: int) -> bool:
    if any(low <= first and last <= high for low, high in ranges):
        return True
    if any(low <= last and first <= high for low, high in ranges):
        raise BatchOverlap()
    return False


def _with_range(ranges: list[list[int]], first: int, last: int) -> list[list[int]]:
    merged: list[list[int]] = []
    for low, high in sorted([*ranges, [first, last]]):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return merged


_HOUSEHOLD_FIELDS = [
    "village", "kecamatan_code", "rt", "rw", "address", "location", "location_accuracy_m",
    "head", "housing", "assets", "kks_number", "photo", "updated_at",
]  # fmt: skip
_PERSON_FIELDS = [
    "nik", "name", "name_key", "sex", "birth_date", "phone", "household", "village",
    "kecamatan_code", "family", "relation", "details", "updated_at",
]  # fmt: skip


def _write_pass(
    accepted: list[tuple[BatchRecord, MergePlan]],
    *,
    source: Source,
    at: datetime,
    villages: dict[str, Area],
) -> list[PlanApplier]:
    """The plans of one pass written with the merge's steps, each table at once."""
    appliers = [
        PlanApplier(plan, source, at=at, row_of=item.row_of, village=villages.get(item.village))
        for item, plan in accepted
    ]
    built = [applier.build_rows() for applier in appliers]
    new_households = [h for households, _f, _p in built for h in households]
    new_families = sorted(
        (f for _h, families, _p in built for f in families), key=lambda f: f.kk_number
    )
    new_ids = {id(row) for row in new_households} | {id(row) for row in new_families}
    for applier in appliers:
        applier.set_household_values()
    Household.objects.bulk_create(new_households)
    for applier in appliers:
        applier.set_family_values()
    Family.objects.bulk_create(new_families)
    for applier in appliers:
        applier.set_person_values()
    people = sorted(
        (p for applier in appliers for p in applier.people_to_save()),
        key=lambda p: (p.nik is None, p.nik or ""),
    )
    known = [p for p in people if p.pk is not None]
    for person in known:
        person.updated_at = at
    Person.objects.bulk_create([p for p in people if p.pk is None])
    Person.objects.bulk_update(known, _PERSON_FIELDS, batch_size=1000)
    note_names(person.name_key for person in people)
    heads_before = {id(h): h.head_id for h in new_households}
    for applier in appliers:
        applier.set_heads()
    changed_households: list[Household] = []
    changed_families: list[Family] = []
    for applier in appliers:
        for row in applier.rows_to_save():
            if isinstance(row, Household):
                if id(row) not in new_ids or row.head_id != heads_before.get(id(row)):
                    row.updated_at = at
                    changed_households.append(row)
            elif id(row) not in new_ids:
                changed_families.append(row)
    Household.objects.bulk_update(changed_households, _HOUSEHOLD_FIELDS, batch_size=1000)
    Family.objects.bulk_update(changed_families, ["household"], batch_size=1000)
    closing = [person.pk for applier in appliers for person in applier.residences()]
    for chunk in _chunks(closing):
        Residence.objects.filter(person_id__in=chunk, until__isnull=True).update(
            until=appliers[0].day, ended_by=source
        )
    Residence.objects.bulk_create([r for applier in appliers for r in applier.new_residences])
    for applier in appliers:
        applier.build_conflicts()
    Conflict.objects.bulk_create([c for applier in appliers for c in applier.conflicts])
    Participation.objects.bulk_create([p for applier in appliers for p in applier.participations])
    for applier in appliers:
        applier.end_programmes()
    RegistryChange.objects.bulk_create(
        [change for applier in appliers for change in applier.changes], batch_size=5000
    )
    return appliers


@transaction.atomic
def apply_batch(plan: BatchPlan, *, source: Source) -> BatchSummary:
    """Merge the batch's records into the registry, in one transaction, under lock: each
    pass planned again with its rows locked, then written. A batch whose rows ``source``
    applied before returns at once and writes nothing. Raises BatchOverlap for a batch
    that overlaps rows applied in part (a caller's error)."""
    locked = Source.objects.select_for_update().get(pk=source.pk)
    summary = dict(locked.summary or {})
    ranges = [list(r) for r in summary.get("applied_rows", [])]
    first, last = plan.first_row, plan.last_row
    if _covered(ranges, first, last):
        return BatchSummary(first, last, _totals([]), (), 0, 0, is_replay=True)
    at = timezone.now()
    outcomes: dict[int, RecordOutcome] = {}
    pending: Sequence[BatchRecord] = plan.records
    passes = changes = 0
    while pending:
        planned = _plan_pass(pending, lock=True, observed_at=plan.observed_at)
        passes += 1
        for item, reason in planned.invalid:
            outcomes[id(item)] = _invalid(item, reason)
        appliers = _write_pass(planned.accepted, source=locked, at=at, villages=planned.villages)
        for (item, merge), applier in zip(planned.accepted, appliers, strict=True):
            outcomes[id(item)] = _outcome(item, merge, later_pass=passes > 1)
            changes += len(applier.changes)
        pending = planned.later
    ordered = tuple(outcomes[id(item)] for item in plan.records)
    totals = _totals(ordered)
    summary["applied_rows"] = _with_range(ranges, first, last)
    for name, count in totals.items():
        summary[name] = summary.get(name, 0) + count
    summary["changes"] = summary.get("changes", 0) + changes
    locked.summary = summary
    locked.save(update_fields=["summary"])
    record_change(
        actor=locked.approved_by,
        action="registry.batch_merged",
        obj=locked,
        area_code=None,
        before=None,
        after={"first_row": first, "last_row": last, **totals, "changes": changes},
    )
    logger.info(
        "registry batch merge source_id=%s rows=%s-%s passes=%s changes=%s",
        locked.pk,
        first,
        last,
        passes,
        changes,
    )
    return BatchSummary(first, last, totals, ordered, passes, changes)
