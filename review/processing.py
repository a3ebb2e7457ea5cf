"""Processing stored submissions: photo thumbnails, then the structured answers.

The request path only stores. A complete submission with neither
``processed_at`` nor ``processing_error`` is *awaiting processing*, and that
state is the queue: nothing is sent anywhere when a phone's POST commits, so
nothing can be lost between the commit and a message broker, and the request
spends no time on one. In production the worker's sweep (Celery beat, every
couple of seconds) takes the awaiting submissions one at a time, locked with
SKIP LOCKED so that several workers share them and none is done twice; a crash
at any point leaves the submission awaiting, and the next sweep takes it again.
On the embedded default, which has no worker, the request that completed a
submission processes it in process, after its commit, and then a couple of
older ones that a crash may have left awaiting.
"""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

from media.thumbnails import make_thumbnails
from review.answers import derive_answers, record_processing_failure
from review.queries import submissions_awaiting_processing

logger = logging.getLogger(__name__)

# Errors of the database connection: worth trying again later, not the submission's fault.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def process_submission(*, submission_id: int) -> None:
    """Thumbnails, then answers (which mark it processed); idempotent.

    Raises what went wrong; ``process_awaiting_submissions`` and the task decide
    whether that is recorded on the submission or tried again.
    """
    make_thumbnails(submission_id=submission_id)
    derive_answers(submission_id=submission_id)


def process_after_commit(submission_id: int) -> None:
    """Called by ingestion for a submission that just became complete.

    Only the embedded default acts on it (processing in process, after the
    commit); in production the worker's sweep finds the submission by itself.
    """
    if not settings.SRS_PROCESS_IN_REQUEST:
        return
    from review.tasks import process_submission_task

    process_submission_task.delay_on_commit(submission_id)
    # Nobody else would take those that a crash left awaiting: a couple ride along.
    transaction.on_commit(lambda: process_awaiting_submissions(seconds=1.0, limit=2))


def process_awaiting_submissions(*, seconds: float = 50.0, limit: int | None = None) -> int:
    """Process awaiting submissions, oldest first, for about ``seconds``; returns how many.

    A submission that fails for good gets its ``processing_error``; one that
    meets a database error stays awaiting for the next sweep (and is skipped in
    this one, so it holds up no other).
    """
    deadline = time.monotonic() + seconds
    done = 0
    skipped: list[int] = []
    while time.monotonic() < deadline and (limit is None or done < limit):
        claimed: int | None = None
        try:
            with transaction.atomic():
                claimed = (
                    submissions_awaiting_processing()
                    .exclude(pk__in=skipped)
                    .select_for_update(skip_locked=True)
                    .order_by("completed_at")
                    .values_list("pk", flat=True)
                    .first()
                )
                if claimed is None:
                    break
                try:
                    with transaction.atomic():
                        process_submission(submission_id=claimed)
                except TRANSIENT_ERRORS:
                    raise
                except Exception as exc:  # noqa: BLE001 (any failure of this one submission)
                    logger.exception("submission could not be processed submission_id=%s", claimed)
                    record_processing_failure(
                        submission_id=claimed, error=f"{type(exc).__name__}: {exc}"
                    )
        except TRANSIENT_ERRORS:
            logger.warning("processing postponed submission_id=%s", claimed)
            if claimed is None:
                break  # the database itself is unwell: the next sweep tries again
            skipped.append(claimed)
            continue
        done += 1
    return done
