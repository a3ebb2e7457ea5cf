"""Celery entry points of review; each calls one service."""

from celery import shared_task

from review.checking import check_unchecked_submissions
from review.decisions import merge_approved_waiting
from review.retention import apply_retention


@shared_task(name="review.tasks.check_unchecked_submissions", acks_late=True, ignore_result=True)
def check_unchecked_submissions_task() -> int:
    """The frequent sweep (Celery beat): the newest submissions that no one checked yet, and
    items checked by an older CHECKS_VERSION. Whatever a dying worker left is found here."""
    return check_unchecked_submissions(limit=2000)


@shared_task(
    name="review.tasks.check_all_unchecked_submissions", acks_late=True, ignore_result=True
)
def check_all_unchecked_submissions_task() -> int:
    """The hourly sweep over every submission (not only the newest), for what waited long."""
    return check_unchecked_submissions(lookback=None, limit=5000)


@shared_task(name="review.tasks.apply_retention", acks_late=True, ignore_result=True)
def apply_retention_task() -> None:
    """Daily (Celery beat): erase and delete what the retention periods reached."""
    apply_retention()


@shared_task(name="review.tasks.merge_approved_items", acks_late=True, ignore_result=True)
def merge_approved_items_task(item_ids: list[int]) -> None:
    """The merges of a large "approve all", after its commit; a redelivered task merges
    only what is not merged yet."""
    merge_approved_waiting(item_ids)
