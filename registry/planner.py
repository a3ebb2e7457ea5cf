"""The merge's rules applied to a record: the Planner, which makes a ``MergePlan``.

Split from ``registry.merge_plan`` (the plan's shapes): the rules are in
``registry.merge``'s docstring; ``registry.batch_merge`` serves the Planner's
lookups for a whole batch at once.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django.utils import timezone

from accounts.access import Scope
from foundation.names import same_person_name
from intake.models import Attachment, Submission
from registry.errors import ApplicantUnknown
from registry.merge_plan import (
    HOUSEHOLD,
    MAX_MERGE_HOPS,
    PICKED_HOUSEHOLD,
    FieldChange,
    M,
    MemberPlan,
    MergePlan,
    PlannedConflict,
    PlannedMove,
    PlannedPick,
    Ref,
    _empty,
    _json_date,
)
from registry.models import Household, Person
from registry.models import Source as SourceRow
from registry.phone_lists import intersect, list_scope
from registry.plan_reads import RegistryReads
from registry.provenance import Held, earlier_versions
from registry.records import (
    AssessmentRecord,
    HouseholdRecord,
    PersonRecord,
    Record,
    RecordKind,
    RegistrationRecord,
    kind_of,
    read_record,
)

logger = logging.getLogger(__name__)


# --- the planner ----------------------------------------------------------------------------


class Planner(RegistryReads):
    """The merge's rules, applied to one record at a time.

    What it reads of the registry goes through the small lookups below (``_row_by_pk``,
    ``_people_with_niks``, ``_latest_of_people``…), one query each; ``registry.batch_merge``
    serves the same lookups from rows it read for a whole batch at once, so that both
    follow these rules, not copies of them."""

    def __init__(self, *, submission: Submission, record: Record | None, lock: bool) -> None:
        self.submission: Submission | None = submission
        self.lock = lock
        chain = earlier_versions(submission)
        self.chain_sources = dict(
            SourceRow.objects.filter(submission_id__in=chain).values_list("pk", "summary")
        )
        village = record.place.village_code if record is not None else ""
        self.start(
            record,
            kind=kind_of(submission.form_version),
            village_code=village or submission.area_id or "",
            observed_at=submission.received_at or timezone.now(),
        )

    def start(
        self,
        record: Record | PersonRecord | None,
        *,
        kind: RecordKind,
        village_code: str,
        observed_at: datetime,
    ) -> None:
        """A new plan, for ``record``: the state of the one before is dropped."""
        self.record = record
        self.plan = MergePlan(
            kind=kind, record=record, village_code=village_code, observed_at=observed_at
        )
        self.person_held: dict[tuple[int, str], Held] = {}
        # The roster's people read at once (read_people), for find_person.
        self.people_by_nik: dict[str, Person] | None = None
        self.household_people: list[Person] = []
        self.people_household: Household | None = None
        self.household_held: dict[tuple[int, str], Held] = {}
        self.open_conflicts: set[tuple[str, int, str, str]] = set()

    def _chain_household(self) -> Household | None:
        for summary in self.chain_sources.values():
            household_id = (summary or {}).get("household_id")
            if household_id:
                found = self._row_by_pk(Household, household_id)
                if found is not None:
                    return found
        return None

    def _kept(self, row: M | None) -> M | None:
        """The record a duplicate ``row`` was merged into (``merged_into``, followed to the
        end), read (and locked) as the row found would be; ``row`` itself if not merged."""
        hops = 0
        while row is not None and row.merged_into_id is not None and hops < MAX_MERGE_HOPS:
            row = self._row_by_pk(type(row), row.merged_into_id)
            hops += 1
        return row

    def find_household(self, record: HouseholdRecord) -> Household | None:
        """By the edit chain, else the head's NIK, else the KK, in the same village; a
        household merged into another (a duplicate) is the one it was merged into."""
        found = self._kept(self._chain_household())
        if found is not None:
            return found
        village = self.plan.village_code
        if record.head_nik:
            head = self._kept(self._person_with_nik(record.head_nik))
            household = self._kept(
                self._household_of(head.household_id)
                if head is not None and head.household_id is not None
                else None
            )
            if household is not None and household.village_id == village:
                return self._row_by_pk(Household, household.pk)
        if record.kk:
            household_id = self._family_household_id(record.kk, village)
            if household_id:
                return self._kept(self._row_by_pk(Household, household_id))
        return None

    def read_people(self, records: Iterable[PersonRecord], household: Household | None) -> None:
        """The people a roster may name, in two queries (by NIK, and the household's people
        without one), so that find_person reads no row for each member."""
        records = list(records)
        niks = sorted({r.nik for r in records if r.nik})
        self.people_by_nik = {
            p.nik: self._kept(p) or p for p in self._people_with_niks(niks) if p.nik
        }
        self.household_people = self._people_without_nik(household) if household is not None else []

    def find_person(self, record: PersonRecord, household: Household | None) -> Person | None:
        """By NIK; without one (or not yet known by it) by household + name key + birth date.
        A person merged into another (a duplicate) is the one she was merged into."""
        if self.people_by_nik is not None and household is self.people_household:
            return self._found_in_read(record)
        if record.nik:
            found = self._kept(self._nik_holder(record.nik))
            if found is not None:
                return found
        if household is not None and record.birth_date is not None and record.name_key:
            return (
                self._rows(Person, "family")
                .filter(
                    household=household,
                    name_key=record.name_key,
                    birth_date=record.birth_date,
                    nik__isnull=True,
                )
                .order_by("pk")
                .first()
            )
        return None

    def _found_in_read(self, record: PersonRecord) -> Person | None:
        assert self.people_by_nik is not None
        if record.nik and record.nik in self.people_by_nik:
            return self.people_by_nik[record.nik]
        if record.birth_date is None or not record.name_key:
            return None
        alike = [
            p
            for p in self.household_people
            if p.name_key == record.name_key and p.birth_date == record.birth_date
        ]
        return min(alike, key=lambda p: p.pk) if alike else None

    def load_provenance(self, people: Iterable[int], household_id: int | None) -> None:
        ids = list(people)
        if ids:
            self.person_held = self._latest_of_people(ids)
        if household_id is not None:
            self.household_held = self._latest_of_household(household_id)
        self.open_conflicts |= self._open_conflicts(ids, household_id)

    # -- deciding values -------------------------------------------------------------------

    def _held(self, ref: Ref, name: str) -> Held | None:
        if ref.pk is None:
            return None
        table = self.person_held if ref.kind == "person" else self.household_held
        return table.get((ref.pk, name))

    def identity(
        self, ref: Ref, name: str, held: Any, offered: Any, *, offered_ref: str = ""
    ) -> None:
        """An identity value: set when none is held or an earlier version of this chain set
        it; a conflict when another source set a different one."""
        if _empty(offered) and not offered_ref:
            return
        if ref.pk is None or _empty(held):
            self.plan.updates.append(FieldChange(ref, name, held, offered, offered_ref))
            return
        if held == offered and not offered_ref:
            return
        source = self._held(ref, name)
        if source is not None and source.source_id in self.chain_sources:
            self.plan.updates.append(FieldChange(ref, name, held, offered, offered_ref))
            return
        if (ref.kind, ref.pk, name, repr(offered)) in self.open_conflicts and not offered_ref:
            return
        self.plan.conflicts.append(
            PlannedConflict(
                ref, name, held, offered, source.source_id if source else None, offered_ref
            )
        )

    def circumstance(self, ref: Ref, name: str, held: Any, offered: Any) -> None:
        """A circumstantial value: set unless a later survey (of another chain) set it."""
        if held == offered:
            return
        source = self._held(ref, name)
        if (
            source is not None
            and source.source_id not in self.chain_sources
            and source.observed_at is not None
            and source.observed_at > self.plan.observed_at
        ):
            return
        self.plan.updates.append(FieldChange(ref, name, held, offered))

    def circumstances(
        self, ref: Ref, prefix: str, held: dict[str, Any], offered: dict[str, Any]
    ) -> None:
        for key in sorted(set(held) | set(offered)):
            self.circumstance(ref, f"{prefix}.{key}", held.get(key), offered.get(key))

    # -- people ----------------------------------------------------------------------------

    def person(
        self,
        key: str,
        record: PersonRecord,
        found: Person | None,
        *,
        whole_row: bool,
        moving: bool = False,
        nik_taken: bool = False,
    ) -> Ref:
        """The changes of one person; ``whole_row``: a roster row, whose details replace the
        held ones (a question no longer asked of her is no longer held). ``moving``: she
        moves into this household, and her family (KK) follows this survey; ``nik_taken``:
        the NIK answered is another person's, so it is a conflict, never set."""
        ref = Ref("person", key, found.pk if found else None, record.name)
        if found is None:
            self.plan.creates.append(ref)
        else:
            self.plan.rows[key] = found
        held_kk = found.family.kk_number if found and found.family else ""
        name_held = found.name if found else ""
        if (
            found is not None
            and record.name
            and (found.name_key == record.name_key or same_person_name(found.name, record.name))
        ):
            # A spelling of the same name: kept as held, unless this chain corrects it.
            source = self._held(ref, "name")
            if found.name != record.name and source and source.source_id in self.chain_sources:
                self.plan.updates.append(FieldChange(ref, "name", found.name, record.name))
        else:
            self.identity(ref, "name", name_held, record.name)
        if nik_taken and found is not None:
            source = self._held(ref, "nik")
            self.plan.conflicts.append(
                PlannedConflict(
                    ref, "nik", found.nik, record.nik, source.source_id if source else None
                )
            )
        else:
            self.identity(ref, "nik", found.nik if found else None, record.nik or None)
        self.identity(ref, "sex", found.sex if found else "", record.sex)
        self.identity(
            ref,
            "birth_date",
            _json_date(found.birth_date) if found else None,
            _json_date(record.birth_date),
        )
        if moving and record.kk and record.kk != held_kk:
            # She moved with another family card (a daughter who married): it follows.
            self.plan.updates.append(FieldChange(ref, "family", held_kk, record.kk))
        else:
            self.identity(ref, "family", held_kk, record.kk)
        if record.phone:
            self.circumstance(ref, "phone", found.phone if found else "", record.phone)
        if whole_row:
            self.circumstance(ref, "relation", found.relation if found else "", record.relation)
            self.circumstances(ref, "details", found.details if found else {}, record.details)
        return ref

    def families(self, kks: Iterable[str], household: Ref | None) -> None:
        for kk in sorted(set(kks)):
            family = self._family(kk)
            ref = Ref("family", f"kk:{kk}", family.pk if family else None, f"KK {kk[-4:]}")
            if family is None:
                self.plan.creates.append(ref)
            else:
                self.plan.rows[ref.key] = family
            if household is not None and (family is None or family.household_id is None):
                self.plan.updates.append(
                    FieldChange(
                        ref, "household", None, household.pk, "" if household.pk else HOUSEHOLD
                    )
                )

    # -- households ------------------------------------------------------------------------

    def household(self, record: HouseholdRecord) -> None:
        found = self.find_household(record)
        ref = Ref("household", HOUSEHOLD, found.pk if found else None, record.head_name)
        self.plan.household = ref
        if found is None:
            self.plan.creates.append(ref)
        else:
            self.plan.rows[HOUSEHOLD] = found
        people: list[tuple[str, PersonRecord, Person | None]] = []
        seen: set[int] = set()
        self.read_people(record.members, found)
        self.people_household = found
        for index, member in enumerate(record.members):
            person = self.find_person(member, found)
            if person is not None and person.pk in seen:
                logger.warning(
                    "merge: one person twice in a roster submission_id=%s",
                    self.submission.pk if self.submission is not None else None,
                )
                continue
            if person is not None:
                seen.add(person.pk)
            people.append((f"member:{index}", member, person))
        self.load_provenance(seen, found.pk if found else None)
        self._household_values(ref, found, record)
        self.families((m.kk for m in record.members if m.kk), ref)
        head_index = record.head_index
        for key, member, person in people:
            residence = self._residence(person, member, found)
            member_ref = self.person(
                key, member, person, whole_row=True, moving=residence == "move"
            )
            if person is not None and residence == "stranger":
                # Her NIK under another name: a mistyped NIK would move a stranger. The
                # reviewer decides (``registry.conflicts`` moves her if she chooses so).
                held = self.person_held.get((person.pk, "household"))
                self.plan.conflicts.append(
                    PlannedConflict(
                        member_ref,
                        "household",
                        person.household_id,
                        found.pk if found else None,
                        held.source_id if held else None,
                        "" if found else HOUSEHOLD,
                    )
                )
                residence = "elsewhere"
            elif person is not None and residence == "move":
                assert person.household_id is not None
                self.plan.moves.append(
                    PlannedMove(member_ref, person.household_id, found.pk if found else None)
                )
                self._head_leaves(person)
            self.plan.members.append(MemberPlan(member_ref, member, residence))
            if head_index is not None and key == f"member:{head_index}":
                self.identity(
                    ref,
                    "head",
                    found.head_id if found else None,
                    member_ref.pk,
                    offered_ref="" if member_ref.pk else key,
                )
        self._programmes(ref, found, record)

    def _residence(
        self, person: Person | None, record: PersonRecord, household: Household | None
    ) -> str:
        """Where a roster's person lives after this merge: "join" (new, or of no
        household), "stay", "move", "elsewhere" (a later survey found her elsewhere: left
        as it is) or "stranger" (her NIK under a name not alike hers: not moved)."""
        if person is None or person.household_id is None:
            return "join"
        if household is not None and person.household_id == household.pk:
            return "stay"
        held = self.person_held.get((person.pk, "household"))
        if held and held.observed_at and held.observed_at > self.plan.observed_at:
            return "elsewhere"
        if record.name and not (
            person.name_key == record.name_key or same_person_name(person.name, record.name)
        ):
            return "stranger"
        return "move"

    def _head_leaves(self, person: Person) -> None:
        """She heads the household she leaves: it has no head until a survey names one.

        The household she leaves is locked after the people (a merge of it locks it
        first: two such merges may deadlock, and ``registry.merge`` tries again)."""
        assert person.household_id is not None
        left = self._household_headed(person.household_id, person.pk)
        if left is None:
            return
        ref = Ref("household", f"household:{left.pk}", left.pk)
        self.plan.rows[ref.key] = left
        self.plan.updates.append(FieldChange(ref, "head", person.pk, None))

    def _household_values(self, ref: Ref, found: Household | None, record: HouseholdRecord) -> None:
        place = record.place
        if found is None or found.village_id != self.plan.village_code:
            self.circumstance(
                ref, "village", found.village_id if found else None, self.plan.village_code
            )
        for name in ("rt", "rw", "address"):
            offered = getattr(place, name)
            if offered:
                self.circumstance(ref, name, getattr(found, name) if found else "", offered)
        if place.location is not None:
            held = None
            if found is not None and found.location is not None:
                held = {
                    "lat": found.location.y,
                    "lon": found.location.x,
                    "accuracy_m": found.location_accuracy_m,
                }
            offered = {
                "lat": place.location.lat,
                "lon": place.location.lon,
                "accuracy_m": place.location.accuracy,
            }
            self.circumstance(ref, "location", held, offered)
        self.circumstances(ref, "housing", found.housing if found else {}, record.housing)
        self.circumstance(ref, "assets", found.assets if found else [], list(record.assets))
        if record.kks_number or (found and found.kks_number):
            self.circumstance(
                ref, "kks_number", found.kks_number if found else "", record.kks_number
            )
        if record.photo_filename and self.submission is not None:
            photo_id = (
                Attachment.objects.filter(
                    submission=self.submission, filename=record.photo_filename
                )
                .values_list("pk", flat=True)
                .first()
            )
            if photo_id is not None:
                self.plan.photo_id = photo_id
                self.circumstance(ref, "photo", found.photo_id if found else None, photo_id)

    def _programmes(self, ref: Ref, found: Household | None, record: HouseholdRecord) -> None:
        held: list[str] = []
        if found is not None:
            held = sorted(set(self._open_programmes(found)))
        offered = sorted(set(record.programmes))
        before = len(self.plan.updates)
        self.circumstance(ref, "programmes", held, offered)
        if len(self.plan.updates) > before:
            self.plan.programmes_started = tuple(p for p in offered if p not in held)
            self.plan.programmes_ended = tuple(p for p in held if p not in offered)

    # -- a person's own record -------------------------------------------------------------

    def _pick_scope(self) -> Scope:
        """Where a pick may be: in the agent's list (her villages within the
        questionnaire's areas) and in the submission's village (or area)."""
        submission = self.submission
        assert submission is not None, "a pick is a follow-up submission's"
        agent = submission.submitted_by or AnonymousUser()
        scope = list_scope(agent, submission.questionnaire)
        area = self.plan.village_code
        return intersect(scope, Scope(everywhere=False, roots=(area,))) if area else scope

    def _picked_row(self, model: type[Model], question: str, answer: str) -> Model | None:
        """The row of the id answered, if it is one and its place is in scope; else the
        pick is recorded as not linked, with why."""
        row = None
        if answer.isdigit() and len(answer) < 19:
            related = ("family",) if model is Person else ()
            row = self._rows(model, *related).filter(pk=int(answer)).first()
            # A list read before a merge of duplicates: the record kept.
            if isinstance(row, Person):
                row = self._kept(row)
            elif isinstance(row, Household):
                row = self._kept(row)
        if row is None:
            self.plan.picks.append(PlannedPick(question, answer, "unknown"))
            return None
        village = getattr(row, "village_id", None) or ""
        if not village or not self._pick_scope().covers(village):
            logger.warning(
                "merge: a %s picked outside the submission's scope submission_id=%s id=%s",
                question,
                self.submission.pk if self.submission is not None else None,
                row.pk,
            )
            self.plan.picks.append(PlannedPick(question, answer, "out_of_scope"))
            return None
        return row

    def picked(self, record: AssessmentRecord | RegistrationRecord) -> Person | None:
        """The household and the person a follow-up picked, when they may be linked: the
        household into ``plan.rows``; returns the person."""
        picks = record.picks
        household = None
        if picks.household:
            household = self._picked_row(Household, "household", picks.household)
            if household is not None:
                self.plan.rows[PICKED_HOUSEHOLD] = household
                self.plan.picks.append(
                    PlannedPick("household", picks.household, "linked", household.pk)
                )
        person = None
        found = self._picked_row(Person, "person", picks.person) if picks.person else None
        if isinstance(found, Person):
            if household is not None and found.household_id != household.pk:
                self.plan.picks.append(PlannedPick("person", picks.person, "not_in_household"))
            else:
                person = found
                self.plan.picks.append(PlannedPick("person", picks.person, "linked", found.pk))
        return person

    def lone_person(
        self, record: PersonRecord, found: Person | None, *, nik_taken: bool = False
    ) -> Ref:
        """A person merged without her household (an applicant; an identity card's row):
        her identity and family (KK), her phone; a new one lives in the plan's village,
        in no household, until a survey finds her in one."""
        self.load_provenance([found.pk] if found else [], None)
        if record.kk:
            self.families([record.kk], None)
        ref = self.person("person", record, found, whole_row=False, nik_taken=nik_taken)
        village = self.plan.village_code
        if found is None and self._is_village(village):
            self.plan.updates.append(FieldChange(ref, "village", None, village))
        return ref

    def applicant(self, record: AssessmentRecord | RegistrationRecord) -> None:
        picked = self.picked(record)
        found = picked or self.find_person(record.person, None)
        if found is None and not (record.person.nik or record.person.name):
            raise ApplicantUnknown()
        nik_taken = bool(
            picked is not None
            and record.person.nik
            and picked.nik != record.person.nik
            and Person.objects.filter(nik=record.person.nik).exclude(pk=picked.pk).exists()
        )
        self.lone_person(record.person, found, nik_taken=nik_taken)
        kind = "assessment" if isinstance(record, AssessmentRecord) else "application"
        self.plan.creates.append(Ref(kind, kind, None, record.person.name))

    def run(self) -> MergePlan:
        record = self.record
        if isinstance(record, HouseholdRecord):
            self.household(record)
        elif isinstance(record, AssessmentRecord | RegistrationRecord):
            self.applicant(record)
        return self.plan


def compute_plan(*, submission: Submission, answers: dict[str, Any], lock: bool) -> MergePlan:
    record = read_record(
        form_version=submission.form_version,
        answers=answers or {},
        fallback_village=submission.area_id or "",
    )
    return Planner(submission=submission, record=record, lock=lock).run()
