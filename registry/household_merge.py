"""Two registry households found to be one (a duplicate pair): the merged one into the kept.

``merge_households`` moves to the kept household the merged one's family
cards, members (each takes the kept household's village), stays, programmes,
assessments, registry changes and open conflicts: both histories are kept.
Its head is an identity value: taken when the kept household has none, else a
``head`` conflict (held: the kept household's head, offered: the merged one's)
for a reviewer. Its RT, RW, address, location, KKS number, photo, housing and
assets are taken only where the kept household holds none. The merged row
stays with ``merged_into`` set: its old id redirects to the kept household.
People the two households share as two rows stay two rows: they are pairs of
people of their own. One ``Source`` (kind ``duplicate_merge``) and one audit
record (``registry.households_merged``) per merge; undone by
``registry.merge_moves.unmerge``.
"""

import logging
from typing import Any

from django.db import transaction

from accounts.models import User
from audit.trail import record_change
from registry.merge_moves import Moves
from registry.models import (
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
from registry.person_merge import clean_reason, lock_pair, new_source
from registry.provenance import latest_sources
from registry.values import get_value

logger = logging.getLogger(__name__)

# (registry field, column): values taken where the kept household holds none.
TAKEN_WHEN_EMPTY = (
    ("rt", "rt"),
    ("rw", "rw"),
    ("address", "address"),
    ("kks_number", "kks_number"),
    ("photo", "photo_id"),
    ("housing", "housing"),
    ("assets", "assets"),
)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _merge(kept: Household, merged: Household, source: Source) -> dict[str, Any]:
    moves = Moves(source)
    changes: list[RegistryChange] = []
    taken: list[str] = []
    conflicts = 0

    def change(row: Household | Person, field: str, before: Any, after: Any) -> None:
        changes.append(
            RegistryChange(
                source=source,
                household=row if isinstance(row, Household) else None,
                person=row if isinstance(row, Person) else None,
                field=field,
                before=before,
                after=after,
                at=source.approved_at,
            )
        )

    held = latest_sources(RegistryChange.objects.filter(household_id=kept.pk), "household_id")
    # Its history first: the changes this merge writes are added after.
    for model in (Residence, Participation, Assessment, RegistryChange, Family):
        moves.set_all(
            model._default_manager.filter(household_id=merged.pk), "household_id", kept.pk
        )
    moves.set_all(
        Conflict.objects.filter(household_id=merged.pk, state=Conflict.State.OPEN),
        "household_id",
        kept.pk,
    )
    for person in Person.objects.select_for_update().filter(household_id=merged.pk).order_by("pk"):
        moves.set(person, "household_id", kept.pk)
        change(person, "household", merged.pk, kept.pk)
        if person.village_id != kept.village_id:
            change(person, "village", person.village_id, kept.village_id)
            moves.set(person, "village_id", kept.village_id)
            moves.set(person, "kecamatan_code", kept.kecamatan_code)
    if merged.head_id is not None and merged.head_id != kept.head_id:
        if kept.head_id is None:
            moves.set(kept, "head_id", merged.head_id)
            change(kept, "head", None, merged.head_id)
            taken.append("head")
        else:
            found = held.get((kept.pk, "head"))
            Conflict.objects.create(
                household=kept,
                field="head",
                held=kept.head_id,
                offered=merged.head_id,
                held_source_id=found.source_id if found else None,
                source=source,
                village_id=kept.village_id,
                kecamatan_code=kept.kecamatan_code,
            )
            conflicts += 1
    for field, column in TAKEN_WHEN_EMPTY:
        if _empty(getattr(kept, column)) and not _empty(getattr(merged, column)):
            if field == "housing":  # its values one by one, as a survey sets them
                for key, value in sorted(merged.housing.items()):
                    change(kept, f"housing.{key}", None, value)
            else:
                change(kept, field, get_value(kept, field), get_value(merged, field))
            moves.set(kept, column, getattr(merged, column))
            taken.append(field)
    if kept.location is None and merged.location is not None:
        change(kept, "location", None, get_value(merged, "location"))
        moves.set(kept, "location", merged.location)
        moves.set(kept, "location_accuracy_m", merged.location_accuracy_m)
        taken.append("location")
    moves.set(merged, "head_id", None)
    moves.set(merged, "merged_into_id", kept.pk)
    count = moves.save()
    RegistryChange.objects.bulk_create(changes)
    return {"moves": count, "taken": taken, "conflicts": conflicts}


@transaction.atomic
def merge_households(*, kept: Household, merged: Household, reviewer: User, reason: str) -> Source:
    """Merge ``merged`` into ``kept`` (one household recorded twice); returns the Source.

    Raises MergeReasonRequired, MergeOfOneRecord, RecordAlreadyMerged."""
    reason = clean_reason(reason)
    kept, merged = lock_pair(Household, kept.pk, merged.pk)
    source = new_source(
        kind="household", kept_id=kept.pk, merged_id=merged.pk, reviewer=reviewer, reason=reason
    )
    summary = {**source.summary, **_merge(kept, merged, source), "area_code": kept.village_id}
    source.summary = summary
    source.save(update_fields=["summary"])
    Household.objects.filter(pk__in=[kept.pk, merged.pk]).update(updated_at=source.approved_at)
    record_change(
        actor=reviewer,
        action="registry.households_merged",
        obj=source,
        area_code=kept.village_id,
        before={"kept_id": kept.pk, "merged_id": merged.pk},
        after=summary,
    )
    logger.info(
        "registry households merged source_id=%s kept_id=%s merged_id=%s",
        source.pk,
        kept.pk,
        merged.pk,
    )
    return source
