"""Submissions whose retention period ended: their content erased, their identity kept.

The retention periods are the district's (``deploy/DATA-PROTECTION.md``);
``review.retention`` decides which submissions they reach. Erasing keeps the
row, its instanceID and the SHA-256 of its XML, so that a phone that sends the
same form again is still told it arrived (nothing is stored twice), and the
registry's provenance still names the submission. What goes: the XML, the
answers, the device id and the files (originals and thumbnails), the files
deleted from storage only after the commit, so that a rollback loses none.
"""

import logging
from collections.abc import Collection, Iterable
from datetime import datetime

from django.db import transaction

from intake.models import Attachment, Submission

logger = logging.getLogger(__name__)


def earlier_versions_of(submission_ids: Iterable[int]) -> set[int]:
    """The submissions and every earlier version of their edit chains (``supersedes``), a
    query per step back along the chains, not per submission."""
    found = set(submission_ids)
    frontier = set(found)
    while frontier:
        earlier = set(
            Submission.objects.filter(pk__in=frontier, supersedes__isnull=False).values_list(
                "supersedes_id", flat=True
            )
        )
        frontier = {pk for pk in earlier if pk is not None} - found
        found |= frontier
    return found


def _delete_files_after_commit(names: list[str]) -> None:
    def delete() -> None:
        storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                # The row is gone; a file left behind is found by a storage listing.
                # The stored name is the questionnaire's id, the instanceID and the file's
                # name (intake.models.attachment_name): no one's data.
                logger.warning("retention: a file could not be deleted name=%s", name)

    transaction.on_commit(delete)


def delete_attachments(*, attachment_ids: Collection[int]) -> int:
    """Delete these files (rows now, bytes after the commit); returns how many rows."""
    if not attachment_ids:
        return 0
    rows = Attachment.objects.filter(pk__in=attachment_ids)
    names: list[str] = []
    for original, thumbnail in rows.values_list("file", "thumbnail"):
        names.extend(name for name in (original, thumbnail) if name)
    deleted, _by_model = rows.delete()
    _delete_files_after_commit(names)
    return deleted


def erase_submissions(
    *, submission_ids: Collection[int], keep_attachment_ids: Collection[int] = (), at: datetime
) -> tuple[int, int]:
    """Erase the content of these submissions (see the module's docstring), except the files
    in ``keep_attachment_ids`` (a photo the registry still shows: the registry's own period
    holds it). Idempotent: an erased submission is left as it is. Returns (submissions
    erased, files deleted). The caller owns the transaction and its audit record."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("erase_submissions must run inside the caller's transaction")
    pending = list(
        Submission.objects.filter(pk__in=submission_ids, erased_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not pending:
        return 0, 0
    files = set(
        Attachment.objects.filter(submission_id__in=pending).values_list("pk", flat=True)
    ) - set(keep_attachment_ids)
    deleted = delete_attachments(attachment_ids=files)
    erased = Submission.objects.filter(pk__in=pending).update(
        xml=b"", answers={}, device_id="", erased_at=at
    )
    logger.info("retention erased submissions count=%s files=%s", erased, deleted)
    return erased, deleted
