"""The column mapping saved per source and district, and the one offered for a new file."""

import logging
from collections.abc import Mapping, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from areas.models import Area
from audit.trail import record_change
from imports.columns import check_mapping, propose_mapping
from imports.models import SourceKind, SourceMapping

logger = logging.getLogger(__name__)


def find_source_mapping(*, source: SourceKind, area: Area) -> SourceMapping | None:
    return SourceMapping.objects.filter(source=source, area=area).first()


def offered_mapping(*, source: SourceKind, area: Area, columns: Sequence[str]) -> dict[str, str]:
    """What the mapping form starts from: the saved mapping for the columns this file
    has, and the recognised names for the fields it leaves unmapped."""
    proposed = propose_mapping(source, columns)
    saved = find_source_mapping(source=source, area=area)
    if saved is None:
        return proposed
    present = set(columns)
    kept = {field: column for field, column in saved.mapping.items() if column in present}
    taken = set(kept.values())
    for field, column in proposed.items():
        if field not in kept and column not in taken:
            kept[field] = column
    return kept


@transaction.atomic
def save_source_mapping(
    *,
    source: SourceKind,
    area: Area,
    mapping: Mapping[str, str],
    columns: Sequence[str],
    user: User,
) -> SourceMapping:
    """Save (or replace) the mapping of ``source`` for ``area``. Raises MappingInvalid."""
    cleaned = check_mapping(source, mapping, columns)
    saved = SourceMapping.objects.select_for_update().filter(source=source, area=area).first()
    before = {"mapping": saved.mapping, "columns": saved.columns} if saved else None
    if saved is None:
        try:
            with transaction.atomic():
                saved = SourceMapping.objects.create(
                    source=source,
                    area=area,
                    mapping=cleaned,
                    columns=list(columns),
                    updated_by=user,
                    updated_at=timezone.now(),
                )
        except IntegrityError:
            # Saved by someone else a moment ago: replace theirs, as a second save would.
            saved = SourceMapping.objects.select_for_update().get(source=source, area=area)
            before = {"mapping": saved.mapping, "columns": saved.columns}
    if before is not None:
        if before == {"mapping": cleaned, "columns": list(columns)}:
            return saved  # the same mapping again: nothing changed, nothing to record
        saved.mapping, saved.columns = cleaned, list(columns)
        saved.updated_by, saved.updated_at = user, timezone.now()
        saved.save()
    record_change(
        actor=user,
        action="imports.mapping_saved",
        obj=saved,
        area_code=area.code,
        before=before,
        after={"mapping": cleaned, "columns": list(columns)},
    )
    logger.info("import mapping saved source=%s area=%s", source, area.code)
    return saved
