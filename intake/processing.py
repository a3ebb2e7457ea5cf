"""Processing stored submissions: photo thumbnails, then the structured answers.

The request path only stores. A complete submission with neither
``processed_at`` nor ``processing_error`` is *awaiting processing*, and that
state is the queue: nothing is sent anywhere when a phone's POST commits, so
nothing can be lost between the commit and a message broker, and the request
spends no time on one. In production the worker's sweep (Celery beat, every
couple of seconds) takes the awaiting submissions a batch at a time, locked
with SKIP LOCKED so that several workers share them and none is done twice; a
crash at any point leaves them awaiting, and the next sweep takes them again.
A batch writes its thumbnails with one flush of the disk and its answers with
one statement and one commit, so the worker disturbs the phones' uploads as
little as it can.
On the embedded default, which has no worker, the request that completed a
submission processes it in process, after its commit, and then a couple of
older ones that a crash may have left awaiting.
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from intake.answers import derive_answers, record_processing_failure
from intake.models import Submission
from intake.queries import submissions_awaiting_processing
from intake.signals import send_processed
from intake.thumbnails import make_thumbnails

logger = logging.getLogger(__name__)

# Errors of the database connection: worth trying again later, not the submission's fault.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
BATCH_SIZE = 25


def _process_locked(submission_ids: list[int]) -> int:
    """Thumbnails, then answers (which mark them processed), of rows the caller has locked.

    Returns how many were dealt with. A submission whose answers cannot be
    derived gets its processing_error. Should anything else go wrong with the
    batch, each submission is tried alone and the one at fault gets the error,
    so that no submission can hold up the queue behind it.
    """
    try:
        with transaction.atomic():
            return _process_batch(submission_ids)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:
        if len(submission_ids) == 1:
            logger.exception("submission could not be processed submission_id=%s", submission_ids)
            record_processing_failure(
                submission_id=submission_ids[0], error=f"{type(exc).__name__}: {exc}"
            )
            return 1
    # Something in the batch failed: alone, each succeeds or takes the error itself.
    return sum(_process_locked([submission_id]) for submission_id in submission_ids)


def _process_batch(submission_ids: list[int]) -> int:
    make_thumbnails(submission_ids=submission_ids)
    derived = derive_answers(submission_ids=submission_ids)
    for submission_id, error in derived.failed.items():
        logger.warning("submission could not be processed submission_id=%s", submission_id)
        record_processing_failure(submission_id=submission_id, error=error)
    # After the commit, the review queue checks them (review/checking.py); its sweep
    # catches those that a crash between the two leaves unchecked.
    send_processed(derived.done)
    return len(derived.done) + len(derived.failed)


@transaction.atomic
def process_submission(*, submission_id: int) -> None:
    """Process one complete submission now (idempotent: done again, it changes nothing)."""
    locked = list(
        Submission.objects.select_for_update()
        .filter(pk=submission_id, status=Submission.Status.COMPLETE)
        .values_list("pk", flat=True)
    )
    if locked:
        _process_locked(locked)


def process_after_commit(submission_id: int) -> None:
    """Called by ingestion for a submission that just became complete.

    Only the embedded default acts on it (processing in process, after the
    commit); in production the worker's sweep finds the submission by itself.
    """
    if settings.SRS_PROCESS_IN_REQUEST:
        transaction.on_commit(lambda: _process_in_request(submission_id))


def _process_in_request(submission_id: int) -> None:
    # The submission is committed and the phone will get its 201: nothing here may fail the
    # request. What is not done stays awaiting, and a later request's ride-along takes it.
    try:
        process_submission(submission_id=submission_id)
        # Nobody else would take those that a crash left awaiting: a couple ride along.
        process_awaiting_submissions(seconds=1.0, limit=2, batch_size=2)
    except Exception:
        logger.exception("processing in the request failed submission_id=%s", submission_id)


def _phones_are_sending(oldest_awaiting: datetime) -> bool:
    """Are submissions streaming in (and has the oldest awaiting one not waited too long)?

    Answers and thumbnails a minute late harm no one; a phone kept waiting on a
    slow line may give up. So while more than ``SRS_PROCESS_YIELD_ARRIVALS``
    submissions arrived in the last second, the sweep waits, but never lets a
    submission wait longer than ``SRS_PROCESS_MAX_DELAY_SECONDS``.
    """
    now = timezone.now()
    if oldest_awaiting < now - timedelta(seconds=settings.SRS_PROCESS_MAX_DELAY_SECONDS):
        return False
    # The n-th newest arrival, by the primary key's index (ids rise with arrival time).
    nth_newest = (
        Submission.objects.order_by("-pk")
        .values_list("received_at", flat=True)[
            settings.SRS_PROCESS_YIELD_ARRIVALS - 1 : settings.SRS_PROCESS_YIELD_ARRIVALS
        ]
        .first()
    )
    return nth_newest is not None and nth_newest > now - timedelta(seconds=1)


def process_awaiting_submissions(
    *,
    seconds: float = 50.0,
    limit: int | None = None,
    batch_size: int = BATCH_SIZE,
    yield_to_phones: bool = False,
) -> int:
    """Process awaiting submissions, oldest first, for about ``seconds``; returns how many.

    A submission that fails for good gets its ``processing_error``; a batch
    that meets a database error stays awaiting for the next sweep (and is
    skipped in this one, so it holds up no other). With ``yield_to_phones``
    (the worker's sweep) it pauses while phones are sending.
    """
    deadline = time.monotonic() + seconds
    done = 0
    skipped: list[int] = []
    while time.monotonic() < deadline and (limit is None or done < limit):
        if yield_to_phones:
            oldest = (
                submissions_awaiting_processing()
                .order_by("completed_at")
                .values_list("completed_at", flat=True)
                .first()
            )
            if oldest is None:
                break
            if _phones_are_sending(oldest):
                time.sleep(0.5)
                continue
        size = batch_size if limit is None else min(batch_size, limit - done)
        claimed: list[int] = []
        try:
            with transaction.atomic():
                claimed = list(
                    submissions_awaiting_processing()
                    .exclude(pk__in=skipped)
                    .select_for_update(skip_locked=True)
                    .order_by("completed_at")
                    .values_list("pk", flat=True)[:size]
                )
                if not claimed:
                    break
                done += _process_locked(claimed)
        except TRANSIENT_ERRORS:
            logger.warning("processing postponed submissions=%s", len(claimed))
            if not claimed:
                break  # the database itself is unwell: the next sweep tries again
            skipped.extend(claimed)
    return done
