"""Celery entry points of the review app; each calls one service."""

import logging

from celery import shared_task
from django.db import OperationalError

from review.answers import derive_answers

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def process_submission(self: object, submission_id: int) -> None:
    """Derive the structured answers of a complete submission (idempotent)."""
    derive_answers(submission_id=submission_id)
