"""Approved submissions merged into the registry of households, families and people.

``plan_merge`` says what approving a submission would do (reads only: the
review page's side-by-side); ``merge_submission`` does it, in one transaction,
once: ``Source`` is one-to-one with the submission, so a second call (a
replayed task, a second approval) finds the Source the first one made and
writes nothing.

The rules:

- **The household** is the one an earlier approved version of the same edit
  chain (``Submission.supersedes``) merged into; else the household of the
  person with the head's NIK, else of the family with the head's KK, in the
  same village; else a new household in the village of ``place/village``.
  A household is at an address: a head found in another village is a person
  who moved (below), not that household.
- **People** are found by NIK (16 digits with a real date); a member without
  one (an infant) by household, normalised name (``foundation.names``) and
  birth date. Families (KK) are found or created by number; a new family
  belongs to the household it was first surveyed in.
- **Identity values** (NIK, name, sex, birth date, family, the head of a
  household) that disagree with what another source set are never
  overwritten: each is a ``Conflict`` (the held value, its source, the offered
  one) for a reviewer of the village to resolve (``registry.conflicts``).
  A value set by an earlier version of the same chain is overwritten: an edit
  corrects itself. A name spelt another way (the same ``name_key``, or alike
  by ``same_person_name``) is no conflict: the held spelling stays.
- **Circumstantial values** (RT, RW, address, location, photo, housing,
  assets, KKS, programmes, phone, relation and the roster's work and school
  details) follow the latest survey: the PPLS is surveyed again every three
  years and people's circumstances change. A value another chain set from a
  later observation (``Source.observed_at``: when the submission arrived) is
  kept; an older survey approved late does not turn the registry back.
  Questions of a roster row no longer answered (a child out of school age)
  are no longer held.
- **Moves**: a person found in another household closes her open
  ``Residence`` (until the submission's date, ended by this Source) and opens
  one in this household; ``Person.household``, ``village`` and
  ``kecamatan_code`` follow. She stays one row. Her family (KK) follows the
  survey she moves with (a daughter who marries and moves gets a new family
  card): no conflict; the new family belongs to this household when it has
  none. A different KK for someone who stays is a conflict, as above. When she
  headed the household she leaves, it has no head from this merge on (a
  ``head`` change of that household, to none), so that its next survey sets
  its new head without a conflict. A person found by her NIK under a name
  that is not alike (a mistyped NIK would move a stranger) is not moved: a
  ``household`` conflict lets a reviewer move her (the same rules then, but
  her family stays). A person missing from a re-survey of her household is
  not deleted nor moved: she stays as she is, until a survey finds her
  elsewhere.
- **Programmes** the household reports (``programmes``, without ``none``) are
  open ``Participation`` rows; one a newer survey no longer lists ends.
- An approved needs assessment becomes an ``Assessment`` of the person (found
  by NIK, else created in the village without a household); a programme
  registration an ``Application``. A follow-up that picked a household or a
  person from the phone's lists (``registry.phone_lists``; ``forms.roles``'s
  ``household_pick``, ``person_pick``) links to them: the picked person is the
  applicant (answers that disagree with hers are the usual conflicts; a NIK
  another person holds is a conflict too), the picked household is the
  assessment's. A pick is linked only when the id is a household (person) in
  the agent's list and the submission's village (area), and the person is of
  the household picked; else it is not linked (a tampered phone, an id of
  another kecamatan), the person is found by NIK as without a pick, and the
  summary's ``picks`` says why. A follow-up that names nobody (no pick linked,
  no NIK, no name) is refused (``ApplicantUnknown``).
- **Retries**: the plan is made and applied under lock in a savepoint; when
  another merge inserted one of the same rows meanwhile (an IntegrityError),
  or PostgreSQL broke a deadlock or a serialization failure (SQLSTATE 40P01,
  40001) by rolling this one back, it is planned and applied again from the
  savepoint: three attempts in all.

Every value set writes a ``RegistryChange`` (before, after, source, at); the
merge writes one audit record (``registry.merged``) with the counts that
``Source.summary`` keeps too.
"""

import logging
import random
import time
from datetime import date
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Model
from django.utils import timezone

from accounts.models import User
from areas.models import Area
from audit.trail import record_change
from intake.models import Submission
from registry.errors import VillageUnknown
from registry.merge_plan import (
    HOUSEHOLD,
    PICKED_HOUSEHOLD,
    FieldChange,
    MergePlan,
    PlannedConflict,
    Ref,
    compute_plan,
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
from registry.records import AssessmentRecord, RegistrationRecord, kind_of
from registry.values import kecamatan_of, set_value

logger = logging.getLogger(__name__)

__all__ = ["MergePlan", "merge_submission", "plan_merge"]


def plan_merge(*, submission: Submission, answers: dict[str, Any]) -> MergePlan:
    """What approving ``submission`` with ``answers`` would change; writes nothing.

    A submission already merged gives an empty plan whose ``merged_source_id`` is set."""
    merged = Source.objects.filter(submission=submission).values_list("pk", flat=True).first()
    if merged is not None:
        return MergePlan(
            kind=kind_of(submission.form_version),
            record=None,
            village_code=submission.area_id or "",
            observed_at=submission.received_at,
            merged_source_id=merged,
        )
    return compute_plan(submission=submission, answers=answers, lock=False)


def _label(submission: Submission) -> str:
    return f"{submission.questionnaire.form_id}:{submission.instance_id}"[:255]


@transaction.atomic
def merge_submission(
    *, submission: Submission, answers: dict[str, Any], approved_by: User
) -> Source:
    """Merge the approved ``submission`` (its reviewed ``answers``) into the registry.

    Returns its Source; a submission merged before returns the Source of that merge
    and changes nothing. Raises VillageUnknown when a household's village is no known
    area."""
    now = timezone.now()
    try:
        with transaction.atomic():
            source = Source.objects.create(
                kind=Source.Kind.SUBMISSION,
                submission=submission,
                label=_label(submission),
                approved_by=approved_by,
                approved_at=now,
                observed_at=submission.received_at or now,
            )
    except IntegrityError:
        # Merged already (or just now, by another worker: its commit decided).
        return Source.objects.get(submission=submission)
    plan, summary = _plan_and_apply(submission, answers, source)
    source.summary = summary
    source.save(update_fields=["summary"])
    record_change(
        actor=approved_by,
        action="registry.merged",
        obj=source,
        area_code=plan.village_code or None,
        before=None,
        after=summary,
    )
    logger.info(
        "registry merge submission_id=%s source_id=%s household_id=%s",
        submission.pk,
        source.pk,
        summary.get("household_id"),
    )
    return source


ATTEMPTS = 3
# PostgreSQL's SQLSTATEs of a transaction it rolled back so that another could go on.
_RETRYABLE_STATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure


def _sqlstate(error: OperationalError) -> str:
    cause = error.__cause__
    return str(getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None) or "")


def _plan_and_apply(
    submission: Submission, answers: dict[str, Any], source: Source
) -> tuple[MergePlan, dict[str, Any]]:
    """Plan under lock and apply, in a savepoint; again from it (three attempts in all)
    when another merge created one of the same rows (a person's NIK, a KK) meanwhile
    (once: its commit decided, and the new plan finds them), or when PostgreSQL rolled
    this one back to break a deadlock or a serialization failure (with a short wait)."""
    raced = False
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                plan = compute_plan(submission=submission, answers=answers, lock=True)
                return plan, _Applier(plan, source).apply()
        except IntegrityError:
            if raced or attempt == ATTEMPTS:
                raise
            raced = True
            logger.info("registry merge raced submission_id=%s: planned again", submission.pk)
        except OperationalError as error:
            state = _sqlstate(error)
            if state not in _RETRYABLE_STATES or attempt == ATTEMPTS:
                raise
            logger.warning(
                "registry merge rolled back by the database (sqlstate %s) submission_id=%s "
                "attempt=%s: planned again",
                state,
                submission.pk,
                attempt,
            )
            time.sleep(0.05 * attempt + random.uniform(0, 0.05))  # noqa: S311 (jitter)
    raise AssertionError("unreachable")


class _Applier:
    """Writes a plan computed under lock: rows first, then values, then the history."""

    def __init__(self, plan: MergePlan, source: Source) -> None:
        self.plan = plan
        self.source = source
        self.rows: dict[str, Model] = dict(plan.rows)
        self.changes: list[RegistryChange] = []
        self.day: date = timezone.localdate(plan.observed_at)
        self.village: Area | None = None
        self.dirty: set[str] = set()

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
                at=self.source.approved_at,
            )
        )

    # -- rows ------------------------------------------------------------------------------

    def _create(self, ref: Ref) -> None:
        if ref.kind == "household":
            village = self._village()
            household = Household(
                village=village,
                kecamatan_code=kecamatan_of(village.code),
                created_by_source=self.source,
            )
            household.save()
            self.rows[ref.key] = household
        elif ref.kind == "family":
            family = Family(kk_number=ref.key.removeprefix("kk:"))
            family.save()
            self.rows[ref.key] = family
        elif ref.kind == "person":
            person = Person(name=ref.label, created_by_source=self.source)
            self.rows[ref.key] = person

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

    def apply(self) -> dict[str, Any]:
        plan = self.plan
        if plan.kind == "none" or plan.record is None:
            return {"kind": str(plan.kind)}
        # New families and people are inserted in the order of their numbers: two merges
        # that create the same ones wait on the first of them, not on each other (a deadlock).
        for ref in sorted(
            (r for r in plan.creates if r.kind in ("household", "family")),
            key=lambda r: (r.kind != "household", r.key),
        ):
            self._create(ref)
        for ref in plan.creates:
            if ref.kind == "person":
                self._create(ref)
        updates_by_kind: dict[str, list[FieldChange]] = {
            "household": [],
            "family": [],
            "person": [],
        }
        for change in plan.updates:
            updates_by_kind[change.ref.kind].append(change)
        # The household's values, then its people (each saved once with all of hers), then
        # its head, who may be one of them just created.
        heads = [c for c in updates_by_kind["household"] if c.field == "head"]
        for change in updates_by_kind["family"] + updates_by_kind["household"]:
            if change.field != "head":
                self._set(change)
        for change in updates_by_kind["person"]:
            self._set(change)
        arriving = self._place_members()
        people = [
            row
            for key, row in self.rows.items()
            if isinstance(row, Person) and (key in self.dirty or row.pk is None)
        ]
        for person in sorted(people, key=lambda p: (p.nik is None, p.nik or "")):
            person.save()
        note_names(person.name_key for person in people)
        for change in heads:
            self._set(change)
        for key, row in self.rows.items():
            if isinstance(row, Family | Household) and key in self.dirty:
                row.save()
        moves = self._open_residences(arriving)
        conflicts = self._conflicts()
        self._own_record()
        RegistryChange.objects.bulk_create(self.changes)
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
            "conflicts": conflicts,
            "moves": moves,
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

    def _place_members(self) -> list[tuple[Person, bool, bool]]:
        """Members who join or move live here now (and all of them in its village): set
        before their one save. Returns those who arrive: whether each moved, and whether
        she was in the registry before (and may have a Residence to close)."""
        household = self.rows.get(HOUSEHOLD)
        if not isinstance(household, Household):
            return []
        arriving = []
        for member in self.plan.members:
            if member.residence == "elsewhere":
                continue
            person = self.rows[member.ref.key]
            assert isinstance(person, Person)
            if member.residence in ("join", "move"):
                arriving.append((person, member.residence == "move", person.pk is not None))
                self._record(member.ref, "household", person.household_id, household.pk)
                person.household = household
            if person.village_id != household.village_id:
                self._record(member.ref, "village", person.village_id, household.village_id)
                person.village_id = household.village_id
                person.kecamatan_code = household.kecamatan_code
            self.dirty.add(member.ref.key)
        return arriving

    def _open_residences(self, arriving: list[tuple[Person, bool, bool]]) -> int:
        """A Residence here for each who arrives; a move closes her open one elsewhere
        (an UPDATE, which locks what it changes). Returns the number of moves."""
        household = self.rows.get(HOUSEHOLD)
        if not isinstance(household, Household) or not arriving:
            return 0
        known = [person for person, _moved, existed in arriving if existed]
        if known:
            Residence.objects.filter(person__in=known, until__isnull=True).update(
                until=self.day, ended_by=self.source
            )
        Residence.objects.bulk_create(
            Residence(person=person, household=household, since=self.day, source=self.source)
            for person, _moved, _existed in arriving
        )
        return sum(1 for _person, moved, _existed in arriving if moved)

    def _conflicts(self) -> int:
        village = self._village_or_none()
        if village is None and self.plan.conflicts:
            village = self._village()
        for planned in self.plan.conflicts:
            self._conflict(planned, village)
        return len(self.plan.conflicts)

    def _conflict(self, planned: PlannedConflict, village: Area | None) -> None:
        row = self.rows[planned.ref.key]
        if village is None:
            return
        offered = self._resolved(planned.offered, planned.offered_ref)
        if isinstance(row, Person) and row.village_id:
            village_code = row.village_id
        else:
            village_code = village.code
        Conflict.objects.create(
            household=row if isinstance(row, Household) else None,
            person=row if isinstance(row, Person) else None,
            field=planned.field,
            held=planned.held,
            offered=offered,
            held_source_id=planned.held_source_id,
            source=self.source,
            village_id=village_code,
            kecamatan_code=kecamatan_of(village_code),
        )

    def _programmes(self) -> None:
        household = self.rows[HOUSEHOLD]
        assert isinstance(household, Household)
        for programme in self.plan.programmes_started:
            Participation.objects.create(
                household=household, programme=programme, source=self.source, since=self.day
            )
        if self.plan.programmes_ended:
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
