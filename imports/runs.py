"""An import run's life: every state change has one function here, with its audit record.

::

    dry_run ──► ready ──► applying ──► applied ──► undone
       │  ▲       │           │
       │  └───────┘ (again,   │
       ▼   new mapping)       ▼
     failed ◄─────────────────┘   failed ──► dry_run (again) or applying (resumed)

The dry run and the apply themselves (reading the file, the merge) call these at
their start and end; ``record_progress`` saves the rows done and the counts of
each committed batch (no audit record: it is no change of state). Each function
locks the run, checks its state and raises ImportStateError when the change is
not allowed from there.
"""

import hashlib
import logging
from collections.abc import Mapping
from typing import IO

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from areas.models import Area
from audit.trail import record_change
from imports.columns import check_mapping
from imports.errors import ImportStateError
from imports.models import ImportRun, SourceKind
from imports.readers import open_extract

logger = logging.getLogger(__name__)

State = ImportRun.State

ALLOWED: dict[str, frozenset[str]] = {
    State.DRY_RUN: frozenset({State.READY, State.FAILED}),
    State.READY: frozenset({State.APPLYING, State.DRY_RUN}),
    State.APPLYING: frozenset({State.APPLIED, State.FAILED}),
    State.APPLIED: frozenset({State.UNDONE}),
    State.FAILED: frozenset({State.DRY_RUN, State.APPLYING}),
    State.UNDONE: frozenset(),
}


_COUNTS = ("created", "updated", "conflicts", "moves", "invalid")


def _snapshot(run: ImportRun) -> dict[str, object]:
    return {
        "state": run.state,
        "rows_done": run.rows_done,
        "rows_total": run.rows_total,
        **run.counts,
    }


def _locked(run: ImportRun, to: str) -> ImportRun:
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    if to not in ALLOWED[locked.state]:
        raise ImportStateError(state=locked.get_state_display())
    return locked


def _save(run: ImportRun, *, action: str, actor: User | None, before: dict[str, object]) -> None:
    run.save()
    record_change(
        actor=actor,
        action=action,
        obj=run,
        area_code=run.area_id,
        before=before,
        after=_snapshot(run),
    )
    logger.info("import run_id=%s state %s → %s", run.pk, before["state"], run.state)


def _set_counts(run: ImportRun, counts: Mapping[str, int]) -> None:
    for name in _COUNTS:
        setattr(run, name, int(counts.get(name, 0)))


@transaction.atomic
def create_import_run(
    *,
    source: SourceKind,
    area: Area,
    upload: IO[bytes],
    filename: str,
    columns: tuple[str, ...],
    mapping: Mapping[str, str],
    user: User,
) -> ImportRun:
    """A new run in ``dry_run``, its file stored in media storage (streamed, in chunks).

    Raises MappingInvalid when the mapping does not fit the source and the file's columns.
    """
    cleaned = check_mapping(source, mapping, columns)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    while chunk := upload.read(1024 * 1024):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    run = ImportRun(
        source=source,
        area=area,
        filename=filename[:255],
        size=size,
        sha256=digest.hexdigest(),
        mapping=cleaned,
        created_by=user,
        started_at=timezone.now(),
    )
    run.file.save(f"{digest.hexdigest()[:16]}.{_extension(filename)}", File(upload), save=False)
    run.save()
    record_change(
        actor=user,
        action="imports.run_created",
        obj=run,
        area_code=area.code,
        after={
            "state": run.state,
            "source": source,
            "filename": run.filename,
            "sha256": run.sha256,
            "mapping": cleaned,
        },
    )
    logger.info("import run_id=%s created source=%s area=%s", run.pk, source, area.code)
    return run


def _extension(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return suffix if suffix in ("csv", "xlsx", "txt", "tsv") else "dat"


@transaction.atomic
def finish_dry_run(*, run: ImportRun, rows_total: int, counts: Mapping[str, int]) -> ImportRun:
    """The dry run read every row: ``ready``, with what applying would do."""
    run = _locked(run, State.READY)
    before = _snapshot(run)
    run.state = State.READY
    run.rows_total = rows_total
    run.rows_done = 0
    run.last_row = 0
    _set_counts(run, counts)
    run.finished_at = timezone.now()
    _save(run, action="imports.dry_run_finished", actor=None, before=before)
    return run


@transaction.atomic
def restart_dry_run(
    *, run: ImportRun, user: User, mapping: Mapping[str, str] | None = None
) -> ImportRun:
    """Check the file again (with a new mapping, after a failure): back to ``dry_run``."""
    run = _locked(run, State.DRY_RUN)
    before = _snapshot(run)
    if mapping is not None:
        with run.file.open("rb") as handle:
            columns = open_extract(handle).columns
        run.mapping = check_mapping(SourceKind(run.source), mapping, columns)
    run.state = State.DRY_RUN
    run.rows_done = 0
    run.last_row = 0
    _set_counts(run, {})
    run.error = ""
    run.started_at, run.finished_at = timezone.now(), None
    _save(run, action="imports.dry_run_started", actor=user, before=before)
    return run


@transaction.atomic
def start_apply(*, run: ImportRun, user: User) -> ImportRun:
    """Apply a ready run, or resume a failed one where it stopped (``last_row`` stays)."""
    run = _locked(run, State.APPLYING)
    before = _snapshot(run)
    resumed = run.state == State.FAILED
    if not resumed:
        run.rows_done = 0
        run.last_row = 0
        _set_counts(run, {})
    run.state = State.APPLYING
    run.error = ""
    run.started_at, run.finished_at = timezone.now(), None
    _save(
        run,
        action="imports.apply_resumed" if resumed else "imports.apply_started",
        actor=user,
        before=before,
    )
    return run


@transaction.atomic
def record_progress(
    *, run: ImportRun, rows_done: int, last_row: int, counts: Mapping[str, int]
) -> ImportRun:
    """A batch is committed: its rows, its last row's number and the counts so far.

    Call it in the batch's own transaction, so that progress and work commit together
    (a crash then resumes after exactly the last committed batch)."""
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    if locked.state not in (State.DRY_RUN, State.APPLYING):
        raise ImportStateError(state=locked.get_state_display())
    locked.rows_done = rows_done
    locked.last_row = last_row
    _set_counts(locked, counts)
    locked.save(update_fields=["rows_done", "last_row", *_COUNTS])
    return locked


@transaction.atomic
def finish_apply(*, run: ImportRun, counts: Mapping[str, int]) -> ImportRun:
    run = _locked(run, State.APPLIED)
    before = _snapshot(run)
    run.state = State.APPLIED
    _set_counts(run, counts)
    run.finished_at = timezone.now()
    _save(run, action="imports.applied", actor=None, before=before)
    return run


@transaction.atomic
def fail_run(*, run: ImportRun, error: str) -> ImportRun:
    """The dry run or the apply stopped on an error (the file's, in the user's words, or
    a crash's); what was committed stays and a resumed apply continues after it."""
    run = _locked(run, State.FAILED)
    before = _snapshot(run)
    run.state = State.FAILED
    run.error = error[:2000]
    run.finished_at = timezone.now()
    _save(run, action="imports.failed", actor=None, before=before)
    return run


@transaction.atomic
def mark_undone(*, run: ImportRun, user: User) -> ImportRun:
    """Called by the undo of the registry's changes, in its transaction, once they are
    gone: the run is ``undone`` for good."""
    run = _locked(run, State.UNDONE)
    before = _snapshot(run)
    run.state = State.UNDONE
    run.finished_at = timezone.now()
    _save(run, action="imports.undone", actor=user, before=before)
    return run
