"""The moves a merge of duplicates makes, one value at a time, and their exact undo.

``registry.person_merge`` and ``registry.household_merge`` change rows only
through ``Moves.set``: each change is an UPDATE of one column of one row and
a ``MergeMove`` with the value before and after, so that ``unmerge`` can set
every value back, in reverse order (the NIK leaves the kept person before it
returns to the merged one: the unique constraint holds at every step).

An undo is refused (``UnmergeBlocked``) while anything newer depends on the
merge: a value the merge moved that no longer holds what the merge left; a
registry change, stay, programme, application or assessment of another,
later source on the people or households it touched; a later merge (not
undone) of one of them; a conflict it opened that a reviewer resolved.
"""

import logging
from datetime import date, datetime
from typing import Any

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.db.models import Field, Model, Q
from django.utils import timezone

from accounts.models import User
from audit.trail import record_change
from registry.errors import MergeAlreadyUndone, UnmergeBlocked
from registry.models import (
    Application,
    Assessment,
    Conflict,
    Family,
    Household,
    MergeMove,
    Participation,
    Person,
    RegistryChange,
    Residence,
    Source,
)

logger = logging.getLogger(__name__)

REASON_LIMIT = 2000

MODELS: dict[str, type[Model]] = {
    "person": Person,
    "household": Household,
    "family": Family,
    "residence": Residence,
    "participation": Participation,
    "application": Application,
    "assessment": Assessment,
    "registrychange": RegistryChange,
    "conflict": Conflict,
}
_NAMES = {model: name for name, model in MODELS.items()}


def _column(model: type[Model], attname: str) -> "Field[Any, Any]":
    for found in model._meta.concrete_fields:
        if found.attname == attname:
            return found
    raise ValueError(f"{model.__name__} has no column {attname!r}")


def _json(value: Any) -> Any:
    if isinstance(value, GEOSGeometry):
        return value.ewkt
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _python(model: type[Model], attname: str, value: Any) -> Any:
    column = _column(model, attname)
    if value is None:
        return None
    if isinstance(column, GeometryField):
        return GEOSGeometry(value)
    return column.to_python(value)


class Moves:
    """The values one merge changes, each written at once and recorded for its undo."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.recorded: list[MergeMove] = []

    def set(self, row: Model, attname: str, value: Any) -> bool:
        """Set ``row``'s column ``attname`` to ``value`` (an UPDATE now); False if it held it."""
        before = _json(getattr(row, attname))
        if before == _json(value):
            return False
        model = type(row)
        model._default_manager.filter(pk=row.pk).update(**{attname: value})
        setattr(row, attname, value)
        self.recorded.append(
            MergeMove(
                source=self.source,
                model=_NAMES[model],
                row_id=row.pk,
                field=attname,
                before=before,
                after=_json(value),
            )
        )
        return True

    def set_all(self, rows: "Any", attname: str, value: Any) -> int:
        """``set`` on each row of a queryset (locked first), in id order."""
        return sum(
            self.set(row, attname, value)
            for row in rows.select_for_update(of=("self",)).order_by("pk")
        )

    def save(self) -> int:
        MergeMove.objects.bulk_create(self.recorded)
        return len(self.recorded)


def find_merge(*, kind: str, first_id: int, second_id: int) -> Source | None:
    """The latest merge of these two people (``kind`` person) or households, either kept,
    that is not undone; None if there is none."""
    labels = [
        f"duplicate:{kind}:{first_id}>{second_id}",
        f"duplicate:{kind}:{second_id}>{first_id}",
    ]
    for source in Source.objects.filter(
        kind=Source.Kind.DUPLICATE_MERGE, label__in=labels
    ).order_by("-pk"):
        if not (source.summary or {}).get("undone_at"):
            return source
    return None


# --- undo -------------------------------------------------------------------------------


def _touched(source: Source, moves: list[MergeMove]) -> tuple[set[int], set[int]]:
    """The people and households the merge changed or moved rows to or from."""
    summary = source.summary or {}
    people: set[int] = set()
    households: set[int] = set()
    ids = {int(summary[k]) for k in ("kept_id", "merged_id") if summary.get(k)}
    (people if summary.get("kind") == "person" else households).update(ids)
    for move in moves:
        if move.model == "person":
            people.add(move.row_id)
        elif move.model == "household":
            households.add(move.row_id)
        for value in (move.before, move.after):
            if move.field == "person_id" and isinstance(value, int):
                people.add(value)
            elif move.field == "household_id" and isinstance(value, int):
                households.add(value)
    return people, households


def _newer_merges(source: Source, people: set[int], households: set[int]) -> bool:
    later = Source.objects.filter(kind=Source.Kind.DUPLICATE_MERGE, pk__gt=source.pk)
    for summary in later.values_list("summary", flat=True).iterator():
        summary = summary or {}
        if summary.get("undone_at"):
            continue
        ids = {summary.get("kept_id"), summary.get("merged_id")}
        if ids & (people if summary.get("kind") == "person" else households):
            return True
    return False


def _depended_on(source: Source, moves: list[MergeMove]) -> bool:
    people, households = _touched(source, moves)
    newer = Q(source_id__gt=source.pk)
    of_rows = Q(person_id__in=people) | Q(household_id__in=households)
    if RegistryChange.objects.filter(newer, of_rows).exists():
        return True
    if Residence.objects.filter(of_rows).filter(newer | Q(ended_by_id__gt=source.pk)).exists():
        return True
    if Participation.objects.filter(newer, of_rows).exists():
        return True
    if Application.objects.filter(newer, person_id__in=people).exists():
        return True
    if Assessment.objects.filter(newer, of_rows).exists():
        return True
    if Conflict.objects.filter(source=source).exclude(state=Conflict.State.OPEN).exists():
        return True
    return _newer_merges(source, people, households)


def _still_as_left(move: MergeMove) -> bool:
    model = MODELS[move.model]
    held = model._default_manager.filter(pk=move.row_id).values_list(move.field, flat=True)
    if not held:
        return False
    return _json(held[0]) == move.after


@transaction.atomic
def unmerge(*, source: Source, reviewer: User, reason: str) -> Source:
    """Undo the merge of duplicates ``source`` exactly: every value it moved set back, the
    changes and conflicts it wrote deleted; the Source stays, marked undone, with one audit
    record (``registry.unmerged``).

    Raises MergeAlreadyUndone, UnmergeBlocked (something newer depends on it) and
    ValueError for a source that is no merge of duplicates."""
    source = Source.objects.select_for_update().get(pk=source.pk)
    if source.kind != Source.Kind.DUPLICATE_MERGE:
        raise ValueError(f"source {source.pk} is no merge of duplicates")
    summary = dict(source.summary or {})
    if summary.get("undone_at"):
        raise MergeAlreadyUndone()
    model = Person if summary.get("kind") == "person" else Household
    # The two records first, in id order, as the merge locked them.
    list(
        model._default_manager.select_for_update()
        .filter(pk__in=[summary.get("kept_id"), summary.get("merged_id")])
        .order_by("pk")
    )
    moves = list(source.merge_moves.order_by("-pk"))
    if _depended_on(source, moves) or not all(_still_as_left(move) for move in moves):
        logger.info("registry unmerge refused source_id=%s: newer changes", source.pk)
        raise UnmergeBlocked()
    RegistryChange.objects.filter(source=source).delete()
    Conflict.objects.filter(source=source).delete()
    for move in moves:
        row_model = MODELS[move.model]
        row_model._default_manager.filter(pk=move.row_id).update(
            **{move.field: _python(row_model, move.field, move.before)}
        )
    now = timezone.now()
    reason = (reason or "").strip()[:REASON_LIMIT]
    summary.update(undone_at=now.isoformat(), undone_by=reviewer.pk, undo_reason=reason)
    source.summary = summary
    source.save(update_fields=["summary"])
    record_change(
        actor=reviewer,
        action="registry.unmerged",
        obj=source,
        area_code=summary.get("area_code") or None,
        before={
            "kind": summary.get("kind"),
            "kept_id": summary.get("kept_id"),
            "merged_id": summary.get("merged_id"),
            "state": "merged",
        },
        after={"state": "undone", "reason": reason, "moves": len(moves)},
    )
    logger.info(
        "registry unmerge source_id=%s kind=%s kept_id=%s merged_id=%s",
        source.pk,
        summary.get("kind"),
        summary.get("kept_id"),
        summary.get("merged_id"),
    )
    return source
