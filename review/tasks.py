"""Celery entry points of the review app; each calls one service."""

import logging
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask

from review.answers import record_processing_failure
from review.processing import TRANSIENT_ERRORS, process_awaiting_submissions, process_submission

logger = logging.getLogger(__name__)


class _RecordsFailure(DjangoTask):  # type: ignore[misc]
    def on_failure(
        self,
        exc: Exception,
        task_id: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        einfo: Any,
    ) -> None:
        submission_id = kwargs.get("submission_id", args[0] if args else None)
        # A transient error that outlived its retries leaves the submission awaiting, so
        # the sweep tries it again; only lasting failures are recorded.
        if submission_id is not None and not isinstance(exc, TRANSIENT_ERRORS):
            record_processing_failure(
                submission_id=int(submission_id), error=f"{type(exc).__name__}: {exc}"
            )


@shared_task(
    name="review.tasks.process_submission",
    base=_RecordsFailure,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def process_submission_task(submission_id: int) -> None:
    """Thumbnails and answers of one complete submission (idempotent; retried on transient
    database errors; a failure for good is recorded on the submission)."""
    process_submission(submission_id=submission_id)


@shared_task(name="review.tasks.process_awaiting_submissions", acks_late=True, ignore_result=True)
def process_awaiting_submissions_task() -> int:
    """The sweep that Celery beat starts every few seconds (see review/processing.py)."""
    return process_awaiting_submissions(seconds=50.0, yield_to_phones=True)
