"""A reviewer resolves a conflict: she chooses the held or the offered value, with a reason.

A conflict is a value a source offered that disagrees with the identity value
the registry holds from another source (``registry.merge``). Resolving it is
a change of its own: a ``Source`` of kind resolution, the ``RegistryChange``
of the chosen value (written even when the held value stays: the resolution
is then the source that set it), and one audit record.
"""

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import Action, scope_for
from accounts.models import User
from audit.trail import record_change
from registry.errors import (
    ConflictAlreadyResolved,
    ConflictNotFound,
    ResolutionReasonRequired,
    ResolutionValueRefused,
    ResolutionValueTaken,
)
from registry.models import Conflict, Household, Person, RegistryChange, Residence, Source
from registry.name_index import note_names
from registry.records import iso_date, sex_code
from registry.values import get_value, set_value

logger = logging.getLogger(__name__)

REASON_LIMIT = 2000


def get_conflict_to_resolve(user: User, conflict_id: int) -> Conflict:
    """The conflict, locked, when ``user`` may review its village; else ConflictNotFound
    (the same for an id outside her areas as for no such id)."""
    scope = scope_for(user, Action.REVIEW)
    found = (
        Conflict.objects.select_for_update(of=("self",))
        .filter(scope.q("village__code"), pk=conflict_id)
        .first()
    )
    if found is None:
        raise ConflictNotFound()
    return found


def _same(a: Any, b: Any) -> bool:
    return a == b or (a is not None and b is not None and str(a) == str(b))


def chosen_value(conflict: Conflict, value: Any) -> tuple[Any, str]:
    """(the value to hold, "held" | "offered" | "other"); raises ResolutionValueRefused.

    Besides the two values, a birth date may be any real date and a sex either sex."""
    if _same(value, conflict.held):
        return conflict.held, "held"
    if _same(value, conflict.offered):
        return conflict.offered, "offered"
    text = value if isinstance(value, str) else ""
    if conflict.field == "birth_date" and iso_date(text) is not None:
        parsed = iso_date(text)
        assert parsed is not None
        if parsed <= timezone.localdate():
            return parsed.isoformat(), "other"
    if conflict.field == "sex" and sex_code(text):
        return sex_code(text), "other"
    raise ResolutionValueRefused()


def _move(person: Person, household_id: Any, source: Source) -> None:
    """She lives in the chosen household from today: her open stay closes, one opens;
    the household she leaves, if she headed it, has no head (as in ``registry.merge``)."""
    if household_id is None or _same(household_id, person.household_id):
        return
    household = Household.objects.get(pk=household_id)
    left = None
    if person.household_id is not None:
        left = (
            Household.objects.select_for_update()
            .filter(pk=person.household_id, head_id=person.pk)
            .first()
        )
    if left is not None:
        left.head = None
        left.save(update_fields=["head", "updated_at"])
        RegistryChange.objects.create(
            source=source,
            household=left,
            field="head",
            before=person.pk,
            after=None,
            at=source.approved_at,
        )
    today = timezone.localdate()
    Residence.objects.filter(person=person, until__isnull=True).update(until=today, ended_by=source)
    Residence.objects.create(person=person, household=household, since=today, source=source)
    if person.village_id != household.village_id:
        RegistryChange.objects.create(
            source=source,
            person=person,
            field="village",
            before=person.village_id,
            after=household.village_id,
            at=source.approved_at,
        )
    person.household = household
    person.village_id = household.village_id
    person.kecamatan_code = household.kecamatan_code
    person.save(update_fields=["household", "village", "kecamatan_code", "updated_at"])


@transaction.atomic
def resolve_conflict(*, user: User, conflict_id: int, value: Any, reason: str) -> Conflict:
    """Hold ``value`` (the held or offered one) for the conflict's field, for ``reason``.

    Raises ConflictNotFound (unknown, or outside the user's REVIEW areas),
    ConflictAlreadyResolved, ResolutionReasonRequired, ResolutionValueRefused,
    ResolutionValueTaken (a NIK another person holds)."""
    conflict = get_conflict_to_resolve(user, conflict_id)
    if conflict.state != Conflict.State.OPEN:
        raise ConflictAlreadyResolved()
    reason = (reason or "").strip()
    if not reason:
        raise ResolutionReasonRequired()
    reason = reason[:REASON_LIMIT]
    chosen, which = chosen_value(conflict, value)
    now = timezone.now()
    row: Person | Household
    if conflict.person_id is not None:
        row = Person.objects.select_for_update().get(pk=conflict.person_id)
    else:
        assert conflict.household_id is not None
        row = Household.objects.select_for_update().get(pk=conflict.household_id)
    before = get_value(row, conflict.field)
    source = Source.objects.create(
        kind=Source.Kind.RESOLUTION,
        label=f"conflict:{conflict.pk}",
        approved_by=user,
        approved_at=now,
        observed_at=now,
        summary={"conflict_id": conflict.pk, "field": conflict.field, "chose": which},
    )
    if conflict.field == "household" and isinstance(row, Person):
        _move(row, chosen, source)
    elif not _same(before, chosen):
        set_value(row, conflict.field, chosen)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as error:  # a NIK another person holds: unique
            raise ResolutionValueTaken() from error
        if isinstance(row, Person) and conflict.field == "name":
            note_names([row.name_key])
    RegistryChange.objects.create(
        source=source,
        person=row if isinstance(row, Person) else None,
        household=row if isinstance(row, Household) else None,
        field=conflict.field,
        before=before,
        after=chosen,
        at=now,
    )
    conflict.state = Conflict.State.RESOLVED
    conflict.chosen = chosen
    conflict.reason = reason
    conflict.resolved_by = user
    conflict.resolved_at = now
    conflict.save(update_fields=["state", "chosen", "reason", "resolved_by", "resolved_at"])
    # The values themselves (a NIK, a birth date) stay out of the trail: which was chosen.
    record_change(
        actor=user,
        action="registry.conflict_resolved",
        obj=conflict,
        area_code=conflict.village_id,
        before={"state": Conflict.State.OPEN, "field": conflict.field},
        after={
            "state": Conflict.State.RESOLVED,
            "field": conflict.field,
            "chose": which,
            "reason": reason,
            "source_id": source.pk,
        },
    )
    logger.info("registry conflict resolved conflict_id=%s chose=%s", conflict.pk, which)
    return conflict
