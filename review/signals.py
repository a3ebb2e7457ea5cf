"""review's receivers of what intake tells (intake.signals), connected in ReviewConfig.ready."""

import logging
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


def check_processed_submissions(sender: Any, *, submission_ids: list[int], **kwargs: Any) -> None:
    """Intake derived these submissions' answers (and committed): check them now.

    In production this runs in the worker that processed them; on the embedded
    default in the request, after its commit, where a couple of submissions
    that a crash left unchecked ride along. Nothing here may fail the caller:
    what is not checked stays for the sweep (review.tasks).
    """
    from review.checking import check_submissions, check_unchecked_submissions

    try:
        check_submissions(submission_ids)
        if settings.SRS_PROCESS_IN_REQUEST:
            check_unchecked_submissions(limit=2)
    except Exception:
        logger.exception("checking after processing failed submissions=%s", len(submission_ids))
