"""A household's or a person's history, read from its RegistryChange rows.

Every value the registry holds was set by a ``RegistryChange`` (the merge, a
conflict's resolution): listed newest first they are the history; replayed up
to a moment they are the record as it was then. A date means the end of that
day (in the server's time zone).
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from registry.models import Household, Person, RegistryChange, Residence


@dataclass(frozen=True)
class HistoryEntry:
    field: str  # "birth_date", "housing.roof_material", "household"…
    before: Any
    after: Any
    source_id: int
    source_kind: str  # submission | import | resolution
    source_label: str  # "ppls_household:uuid:…", "conflict:12"
    submission_id: int | None
    approved_by: str  # the full name, else the username
    at: datetime


def _entries(changes: "QuerySet[RegistryChange]") -> list[HistoryEntry]:
    rows = changes.select_related("source__approved_by").order_by("-at", "-pk")
    entries = []
    for change in rows:
        source = change.source
        user = source.approved_by
        entries.append(
            HistoryEntry(
                field=change.field,
                before=change.before,
                after=change.after,
                source_id=source.pk,
                source_kind=source.kind,
                source_label=str(source),
                submission_id=source.submission_id,
                approved_by=user.get_full_name() or user.get_username(),
                at=change.at,
            )
        )
    return entries


def household_history(household: Household) -> list[HistoryEntry]:
    """What changed on the household, from which source, approved by whom: newest first."""
    return _entries(RegistryChange.objects.filter(household=household))


def person_history(person: Person) -> list[HistoryEntry]:
    """What changed on the person (her moves included: ``household``), newest first."""
    return _entries(RegistryChange.objects.filter(person=person))


def _moment(when: date | datetime) -> datetime:
    if isinstance(when, datetime):
        return when if timezone.is_aware(when) else timezone.make_aware(when)
    return timezone.make_aware(datetime.combine(when, time.max))


def _replay(changes: "QuerySet[RegistryChange]", when: date | datetime) -> dict[str, Any]:
    """The values after the last change of each field up to ``when``; ``housing.x`` and
    ``details.x`` gathered as dicts, values no longer held left out."""
    values: dict[str, Any] = {}
    for name, after in (
        changes.filter(at__lte=_moment(when)).order_by("at", "pk").values_list("field", "after")
    ):
        prefix, _, key = name.partition(".")
        if key and prefix in ("housing", "details"):
            group = values.setdefault(prefix, {})
            if after is None or after == "":
                group.pop(key, None)
            else:
                group[key] = after
        else:
            values[name] = after
    return {name: value for name, value in values.items() if value is not None}


def household_as_of(household: Household, when: date | datetime) -> dict[str, Any]:
    """The household's values on ``when`` (a date: at its end), and ``members``: the ids of
    the people living in it then, by their own history."""
    values = _replay(RegistryChange.objects.filter(household=household), when)
    moment = _moment(when)
    candidates = set(
        Residence.objects.filter(household=household).values_list("person_id", flat=True)
    )
    latest: dict[int, Any] = {}
    for person_id, after in (
        RegistryChange.objects.filter(person_id__in=candidates, field="household", at__lte=moment)
        .order_by("at", "pk")
        .values_list("person_id", "after")
    ):
        assert person_id is not None
        latest[person_id] = after
    values["members"] = sorted(pk for pk, after in latest.items() if after == household.pk)
    return values


def person_as_of(person: Person, when: date | datetime) -> dict[str, Any]:
    """The person's values on ``when`` (a date: at its end): identity, household, details."""
    return _replay(RegistryChange.objects.filter(person=person), when)
