"""Celery entry points of intake; each calls one service."""

from celery import shared_task

from intake.processing import TRANSIENT_ERRORS, process_awaiting_submissions, process_submission


@shared_task(
    name="intake.tasks.process_submission",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def process_submission_task(submission_id: int) -> None:
    """Thumbnails and answers of one complete submission (idempotent). A failure for good
    is recorded on the submission by the service; database errors are retried here, and a
    submission they outlast stays awaiting for the sweep."""
    process_submission(submission_id=submission_id)


@shared_task(name="intake.tasks.process_awaiting_submissions", acks_late=True, ignore_result=True)
def process_awaiting_submissions_task() -> int:
    """The sweep that Celery beat starts every few seconds (see review/processing.py)."""
    return process_awaiting_submissions(seconds=50.0, yield_to_phones=True)
