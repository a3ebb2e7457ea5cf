"""Files that arrive with submissions (photos, signatures)."""

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

# The instanceID comes from the phone: only letters, digits, - and _ make the folder.
_UNSAFE_IN_FOLDER = re.compile(r"[^A-Za-z0-9_-]")


def attachment_name(*, questionnaire_id: int, instance_id: str, filename: str) -> str:
    """Where a submission's file is stored: one folder per questionnaire and instanceID."""
    folder = _UNSAFE_IN_FOLDER.sub("_", instance_id)
    return f"submissions/{questionnaire_id}/{folder}/{filename}"


def _attachment_path(instance: "Attachment", filename: str) -> str:
    submission = instance.submission
    return attachment_name(
        questionnaire_id=submission.questionnaire_id,
        instance_id=submission.instance_id,
        filename=instance.filename,
    )


class Attachment(models.Model):
    """One file of a submission, named as in its XML; the bytes live in media storage."""

    # A string reference: media sits below review in the app layers and imports none of it.
    # Indexed by the unique (submission, filename) constraint, not again on its own.
    submission = models.ForeignKey(
        "review.Submission", on_delete=models.PROTECT, related_name="attachments", db_index=False
    )
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=_attachment_path, max_length=500)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)
    # A small JPEG for the review pages, made after the commit; the original never changes.
    thumbnail = models.FileField(max_length=500, blank=True)

    class Meta:
        ordering = ["filename"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "filename"], name="attachment_submission_filename_unique"
            )
        ]

    def __str__(self) -> str:
        return self.filename
