"""Celery entry points of the review app; each calls one service."""

import logging
from typing import Any

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError

from media.thumbnails import make_thumbnails
from review.answers import derive_answers, record_processing_failure

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError)


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
        # A transient error that outlived its retries leaves the submission pending, so
        # process_pending_submissions tries it again; only lasting failures are recorded.
        if submission_id is not None and not isinstance(exc, TRANSIENT_ERRORS):
            record_processing_failure(
                submission_id=int(submission_id), error=f"{type(exc).__name__}: {exc}"
            )


@shared_task(
    base=_RecordsFailure,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def process_submission(submission_id: int) -> None:
    """Derive the answers and the photo thumbnails of a complete submission (idempotent,
    retried on transient database errors; a failure for good is recorded on the submission)."""
    try:
        derive_answers(submission_id=submission_id)
        make_thumbnails(submission_id=submission_id)
    except TRANSIENT_ERRORS:
        raise  # retried; left pending for process_pending_submissions if it keeps failing
    except Exception as exc:
        # A submission whose XML cannot be read will not read better on a retry.
        record_processing_failure(submission_id=submission_id, error=f"{type(exc).__name__}: {exc}")
        raise
