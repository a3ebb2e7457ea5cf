"""Two registry people found to be one (a duplicate pair): the merged one into the kept one.

``merge_people`` keeps both histories on the kept person: the merged person's
stays (``Residence``), programmes, applications, assessments, registry changes
and open conflicts move to her. Her identity values (NIK, name, sex, birth
date, family card) are never overwritten: where the kept person holds none,
the merged one's is taken (a ``RegistryChange`` of this merge); where they
disagree, the kept one's stays and the disagreement is an open ``Conflict``
(held: the kept person's, offered: the merged one's) for a reviewer of the
area (``registry.conflicts``). Her phone and relation to the head are taken
when she has none. Where she lives: the kept person's household; one of the
merged person, when she had none; two different ones are a ``household``
conflict (the merged person's stay ends today, kept in her history).

The merged row stays, with ``merged_into`` set: her old id redirects to the
kept person (pages, API, a later submission that finds her by NIK, a phone's
pick). When the kept person takes her NIK, it leaves the merged row first
(NIK is unique). One ``Source`` (kind ``duplicate_merge``) and one audit
record (``registry.people_merged``) per merge; every value changed is a
``MergeMove``, so that ``registry.merge_moves.unmerge`` undoes it exactly.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.trail import record_change
from foundation.names import same_person_name
from registry.errors import MergeOfOneRecord, MergeReasonRequired, RecordAlreadyMerged
from registry.merge_moves import REASON_LIMIT, Moves
from registry.models import (
    Application,
    Assessment,
    Conflict,
    Household,
    Participation,
    Person,
    RegistryChange,
    Residence,
    Source,
)
from registry.provenance import latest_sources
from registry.values import get_value, kecamatan_of

logger = logging.getLogger(__name__)

IDENTITY = ("nik", "name", "sex", "birth_date", "family")
TAKEN_WHEN_EMPTY = ("phone", "relation")


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise MergeReasonRequired()
    return reason[:REASON_LIMIT]


def _empty(value: Any) -> bool:
    return value is None or value == ""


class _PersonMerge:
    def __init__(self, kept: Person, merged: Person, source: Source) -> None:
        self.kept = kept
        self.merged = merged
        self.source = source
        self.moves = Moves(source)
        self.changes: list[RegistryChange] = []
        self.conflicts: list[Conflict] = []
        self.taken: list[str] = []
        self.held = latest_sources(RegistryChange.objects.filter(person_id=kept.pk), "person_id")

    def change(
        self, field: str, before: Any, after: Any, *, household: Household | None = None
    ) -> None:
        self.changes.append(
            RegistryChange(
                source=self.source,
                person=None if household else self.kept,
                household=household,
                field=field,
                before=before,
                after=after,
                at=self.source.approved_at,
            )
        )

    def conflict(self, field: str, held: Any, offered: Any) -> None:
        village = self.kept.village_id or self.merged.village_id
        if not village:
            logger.warning(
                "duplicate merge: no village for a conflict person_id=%s field=%s",
                self.kept.pk,
                field,
            )
            return
        found = self.held.get((self.kept.pk, field))
        self.conflicts.append(
            Conflict(
                person=self.kept,
                field=field,
                held=held,
                offered=offered,
                held_source_id=found.source_id if found else None,
                source=self.source,
                village_id=village,
                kecamatan_code=kecamatan_of(village),
            )
        )

    # -- identity ------------------------------------------------------------------------

    def identity(self) -> None:
        kept, merged = self.kept, self.merged
        for field in IDENTITY:
            held, offered = get_value(kept, field), get_value(merged, field)
            if _empty(offered) or held == offered:
                continue
            if field == "name" and (
                kept.name_key == merged.name_key or same_person_name(kept.name, merged.name)
            ):
                continue  # a spelling of the same name: the held one stays
            if not _empty(held):
                self.conflict(field, held, offered)
                continue
            if field == "nik":
                self.moves.set(merged, "nik", None)  # first: an NIK is held once
                self.moves.set(kept, "nik", offered)
            elif field == "family":
                self.moves.set(kept, "family_id", merged.family_id)
            elif field == "birth_date":
                self.moves.set(kept, "birth_date", merged.birth_date)
            else:
                self.moves.set(kept, field, getattr(merged, field))
            self.change(field, held, offered)
            self.taken.append(field)
        for field in TAKEN_WHEN_EMPTY:
            held, offered = getattr(kept, field), getattr(merged, field)
            if _empty(held) and not _empty(offered):
                self.moves.set(kept, field, offered)
                self.change(field, held, offered)
                self.taken.append(field)

    # -- where she lives -----------------------------------------------------------------

    def residences(self) -> None:
        kept, merged = self.kept, self.merged
        today = timezone.localdate()
        open_kept = Residence.objects.filter(person=kept, until__isnull=True).exists()
        staying = merged.household_id
        if staying is not None and kept.household_id is None:
            household = Household.objects.get(pk=staying)
            self.moves.set(kept, "household_id", household.pk)
            self.change("household", None, household.pk)
            if kept.village_id != household.village_id:
                self.change("village", kept.village_id, household.village_id)
                self.moves.set(kept, "village_id", household.village_id)
                self.moves.set(kept, "kecamatan_code", household.kecamatan_code)
            self.taken.append("household")
        elif staying is not None and staying != kept.household_id:
            self.conflict("household", kept.household_id, staying)
        if open_kept:
            # One open stay per person: hers ends today, kept in the history.
            for stay in Residence.objects.select_for_update().filter(
                person=merged, until__isnull=True
            ):
                self.moves.set(stay, "until", max(today, stay.since))
                self.moves.set(stay, "ended_by_id", self.source.pk)
        self.moves.set_all(Residence.objects.filter(person=merged), "person_id", kept.pk)
        # A household she headed: headed by the kept person when she lives there now, else
        # by no one until its next survey names its head (as when a head moves out).
        for household in Household.objects.filter(head_id=merged.pk):
            head = kept.pk if household.pk == kept.household_id else None
            self.moves.set(household, "head_id", head)
            self.change("head", merged.pk, head, household=household)

    # -- everything else of hers ---------------------------------------------------------

    def records(self) -> None:
        kept, merged = self.kept, self.merged
        for model in (Participation, Application, Assessment, RegistryChange):
            self.moves.set_all(
                model._default_manager.filter(person_id=merged.pk), "person_id", kept.pk
            )
        self.moves.set_all(
            Conflict.objects.filter(person_id=merged.pk, state=Conflict.State.OPEN),
            "person_id",
            kept.pk,
        )

    def redirect(self) -> None:
        """The merged row keeps her name and place, no household, card or stay of its own."""
        merged = self.merged
        self.moves.set(merged, "household_id", None)
        self.moves.set(merged, "family_id", None)
        self.moves.set(merged, "merged_into_id", self.kept.pk)

    def run(self) -> dict[str, Any]:
        self.records()  # her changes move before this merge writes its own
        self.identity()
        self.residences()
        self.redirect()
        moves = self.moves.save()
        RegistryChange.objects.bulk_create(self.changes)
        Conflict.objects.bulk_create(self.conflicts)
        now = timezone.now()
        Person.objects.filter(pk__in=[self.kept.pk, self.merged.pk]).update(updated_at=now)
        return {
            "moves": moves,
            "taken": self.taken,
            "conflicts": len(self.conflicts),
            "conflict_fields": [c.field for c in self.conflicts],
        }


def lock_pair(model: type[Person] | type[Household], kept_id: int, merged_id: int) -> list[Any]:
    """Both rows, locked in id order (two merges of overlapping pairs wait, not deadlock)."""
    if kept_id == merged_id:
        raise MergeOfOneRecord()
    rows = {
        row.pk: row
        for row in model._default_manager.select_for_update()
        .filter(pk__in=[kept_id, merged_id])
        .order_by("pk")
    }
    if rows[kept_id].merged_into_id or rows[merged_id].merged_into_id:
        raise RecordAlreadyMerged()
    return [rows[kept_id], rows[merged_id]]


def new_source(*, kind: str, kept_id: int, merged_id: int, reviewer: User, reason: str) -> Source:
    now = timezone.now()
    return Source.objects.create(
        kind=Source.Kind.DUPLICATE_MERGE,
        label=f"duplicate:{kind}:{merged_id}>{kept_id}",
        approved_by=reviewer,
        approved_at=now,
        observed_at=now,
        summary={"kind": kind, "kept_id": kept_id, "merged_id": merged_id, "reason": reason},
    )


@transaction.atomic
def merge_people(*, kept: Person, merged: Person, reviewer: User, reason: str) -> Source:
    """Merge ``merged`` into ``kept`` (one person recorded twice); returns the merge's Source.

    Raises MergeReasonRequired, MergeOfOneRecord, RecordAlreadyMerged (either was merged
    into another person before)."""
    reason = clean_reason(reason)
    kept, merged = lock_pair(Person, kept.pk, merged.pk)
    source = new_source(
        kind="person", kept_id=kept.pk, merged_id=merged.pk, reviewer=reviewer, reason=reason
    )
    summary = {**source.summary, **_PersonMerge(kept, merged, source).run()}
    summary["area_code"] = kept.village_id or kept.kecamatan_code or ""
    source.summary = summary
    source.save(update_fields=["summary"])
    record_change(
        actor=reviewer,
        action="registry.people_merged",
        obj=source,
        area_code=summary["area_code"] or None,
        before={"kept_id": kept.pk, "merged_id": merged.pk},
        after=summary,
    )
    logger.info(
        "registry people merged source_id=%s kept_id=%s merged_id=%s conflicts=%s",
        source.pk,
        kept.pk,
        merged.pk,
        summary["conflicts"],
    )
    return source
