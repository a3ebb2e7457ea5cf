"""Households and people whose retention period ended, deleted from the registry.

The period (``deploy/DATA-PROTECTION.md``, the district's decision) runs while
the household is served and for its length after its last change: a household
expires when nothing about it or its people changed since the cut-off, no
survey found it since (a re-survey that changed nothing is still a visit), no
assessment or application of its people was made since, none of its
programmes is open and no conflict about it or its people waits for a
reviewer. A person without a household (an applicant) expires on the same
terms. What expires goes with all it holds: its people, their history,
conflicts, residences, programmes, assessments and applications, the families
no one else belongs to, and the house photo. The Sources stay (who approved
which submission; they hold no one's data), and each batch writes one audit
record with what it deleted.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from audit.trail import record_change
from intake.erasure import delete_attachments
from registry.models import (
    Application,
    Assessment,
    Conflict,
    Family,
    Household,
    Participation,
    Person,
    Residence,
    Source,
)
from registry.name_index import forget_unused_names

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class RegistryDeleted:
    households: int = 0
    people: int = 0
    families: int = 0
    photos: int = 0

    def add(self, other: "RegistryDeleted") -> None:
        self.households += other.households
        self.people += other.people
        self.families += other.families
        self.photos += other.photos


def _served_people(before: datetime) -> Q:
    """People with something since the cut-off (a change, a record of their own) or open."""
    recent_assessment = Assessment.objects.filter(person_id=OuterRef("pk"), assessed_at__gte=before)
    recent_application = Application.objects.filter(
        person_id=OuterRef("pk"), applied_at__gte=before
    )
    open_programme = Participation.objects.filter(person_id=OuterRef("pk"), until__isnull=True)
    open_conflict = Conflict.objects.filter(person_id=OuterRef("pk"), state=Conflict.State.OPEN)
    return (
        Q(updated_at__gte=before)
        | Q(Exists(recent_assessment))
        | Q(Exists(recent_application))
        | Q(Exists(open_programme))
        | Q(Exists(open_conflict))
    )


def expired_households(*, before: datetime, after_id: int = 0, limit: int) -> list[int]:
    """The next ``limit`` households (by id, after ``after_id``) whose period ended."""
    served_member = Person.objects.filter(household_id=OuterRef("pk")).filter(
        _served_people(before)
    )
    open_programme = Participation.objects.filter(household_id=OuterRef("pk"), until__isnull=True)
    open_conflict = Conflict.objects.filter(household_id=OuterRef("pk"), state=Conflict.State.OPEN)
    candidates = list(
        Household.objects.filter(pk__gt=after_id, updated_at__lt=before)
        .exclude(Exists(served_member))
        .exclude(Exists(open_programme))
        .exclude(Exists(open_conflict))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return []
    # A survey since the cut-off that changed nothing still found the household there.
    visited = {
        int(pk)
        for pk in Source.objects.filter(
            approved_at__gte=before, summary__household_id__in=candidates
        ).values_list("summary__household_id", flat=True)
        if pk is not None
    }
    # A reviewer may still move someone into it.
    offered = {
        str(value)
        for value in Conflict.objects.filter(
            state=Conflict.State.OPEN, field="household"
        ).values_list("offered", flat=True)
    }
    return [pk for pk in candidates if pk not in visited and str(pk) not in offered]


def expired_people(*, before: datetime, after_id: int = 0, limit: int) -> list[int]:
    """The next ``limit`` people without a household whose period ended."""
    candidates = list(
        Person.objects.filter(pk__gt=after_id, household__isnull=True, updated_at__lt=before)
        .exclude(_served_people(before))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not candidates:
        return []
    visited = {
        int(pk)
        for pk in Source.objects.filter(
            approved_at__gte=before, summary__person_id__in=candidates
        ).values_list("summary__person_id", flat=True)
        if pk is not None
    }
    return [pk for pk in candidates if pk not in visited]


def _delete_people(people: QuerySet[Person]) -> int:
    ids = list(people.values_list("pk", flat=True))
    Assessment.objects.filter(person_id__in=ids).delete()
    Application.objects.filter(person_id__in=ids).delete()
    Person.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def delete_households(*, household_ids: list[int], before: datetime) -> RegistryDeleted:
    """Delete these households with everything they hold (see the module's docstring),
    in one transaction with its audit record. Rows already gone are skipped."""
    households = Household.objects.filter(pk__in=household_ids)
    found = list(households.select_for_update(of=("self",)).values_list("pk", "photo_id"))
    ids = [pk for pk, _photo in found]
    if not ids:
        return RegistryDeleted()
    family_ids = set(Family.objects.filter(household_id__in=ids).values_list("pk", flat=True))
    family_ids |= set(
        Person.objects.filter(household_id__in=ids, family__isnull=False).values_list(
            "family_id", flat=True
        )
    )
    people = _delete_people(Person.objects.filter(household_id__in=ids))
    # Others' past stays here (they live elsewhere now) end with the household.
    Residence.objects.filter(household_id__in=ids).delete()
    Household.objects.filter(head__isnull=False, pk__in=ids).update(head=None)
    Assessment.objects.filter(household_id__in=ids).update(household=None)
    households.delete()
    Family.objects.filter(pk__in=family_ids).exclude(Exists(_members_of())).delete()
    photos = delete_attachments(attachment_ids=[photo for _pk, photo in found if photo is not None])
    result = RegistryDeleted(
        households=len(ids),
        people=people,
        families=_gone(family_ids),
        photos=photos,
    )
    _audit("registry.households_deleted", ids, before, result)
    return result


@transaction.atomic
def delete_people(*, person_ids: list[int], before: datetime) -> RegistryDeleted:
    """Delete these people (without a household) with everything they hold."""
    ids = list(
        Person.objects.filter(pk__in=person_ids, household__isnull=True)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    if not ids:
        return RegistryDeleted()
    family_ids = set(
        Person.objects.filter(pk__in=ids, family__isnull=False).values_list("family_id", flat=True)
    )
    people = _delete_people(Person.objects.filter(pk__in=ids))
    Family.objects.filter(pk__in=family_ids, household__isnull=True).exclude(
        Exists(_members_of())
    ).delete()
    result = RegistryDeleted(people=people, families=_gone(family_ids))
    _audit("registry.people_deleted", ids, before, result)
    return result


def _members_of() -> QuerySet[Person]:
    return Person.objects.filter(family_id=OuterRef("pk"))


def _gone(family_ids: set[int]) -> int:
    """How many of these families no longer exist (``delete()`` counts cascaded rows too)."""
    return len(family_ids) - Family.objects.filter(pk__in=family_ids).count()


def _audit(action: str, ids: list[int], before: datetime, result: RegistryDeleted) -> None:
    record_change(
        actor=None,
        action=action,
        object_type="registry.household" if "households" in action else "registry.person",
        object_id=f"{ids[0]}-{ids[-1]}",
        object_label=f"{len(ids)}",
        before={"ids": ids, "last_change_before": before.isoformat()},
        after={
            "households": result.households,
            "people": result.people,
            "families": result.families,
            "photos": result.photos,
        },
    )
    logger.info(
        "retention %s households=%s people=%s families=%s",
        action,
        result.households,
        result.people,
        result.families,
    )


class _Finder(Protocol):
    def __call__(self, *, before: datetime, after_id: int, limit: int) -> list[int]: ...


def _batches(find: _Finder, before: datetime, batch_size: int) -> Iterator[list[int]]:
    after_id = 0
    while True:
        ids = find(before=before, after_id=after_id, limit=batch_size)
        if not ids:
            return
        yield ids
        after_id = ids[-1]


def delete_expired_registry(
    *, before: datetime, batch_size: int = BATCH_SIZE, dry_run: bool = False
) -> RegistryDeleted:
    """Delete every household and person whose last change is older than ``before``, a
    batch a transaction (safe to stop and run again). ``dry_run``: count, delete nothing."""
    total = RegistryDeleted()
    for ids in _batches(expired_households, before, batch_size):
        if dry_run:
            total.households += len(ids)
            total.people += Person.objects.filter(household_id__in=ids).count()
        else:
            total.add(delete_households(household_ids=ids, before=before))
    for ids in _batches(expired_people, before, batch_size):
        if dry_run:
            total.people += len(ids)
        else:
            total.add(delete_people(person_ids=ids, before=before))
    if not dry_run and (total.people or total.households):
        with transaction.atomic():
            forget_unused_names()
    return total
