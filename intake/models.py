"""Submissions as they arrived, and their files: the tables of intake."""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from forms.models import FormVersion, Questionnaire


class Submission(models.Model):
    """One filled questionnaire, identified by its form and ``instanceID``.

    ``xml`` holds the submission's bytes exactly as they arrived and never
    changes. A submission is complete once every attachment its XML names has
    arrived; until then it is receiving (split uploads). An edit made on the
    phone arrives as a new submission whose ``supersedes`` is the earlier one.
    """

    class Status(models.TextChoices):
        RECEIVING = "receiving", _("Receiving attachments")
        COMPLETE = "complete", _("Complete")

    # No index of its own: the unique (questionnaire, instance_id) one serves it, and one
    # index less is less work for every phone's INSERT.
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="submissions", db_index=False
    )
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="submissions"
    )
    instance_id = models.CharField(max_length=255)
    xml = models.BinaryField()
    xml_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices)
    expected_attachments = models.JSONField(default=list)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submissions"
    )
    device_id = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    deprecated_id = models.CharField(max_length=255, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    is_current = models.BooleanField(default=True)
    answers = models.JSONField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    processing_error = models.TextField(blank=True)
    # When its retention period ended: the XML, answers and files are gone, the row (its
    # instanceID, so that a phone sending it again is told it arrived) stays.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "instance_id"], name="submission_instance_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["area", "-received_at"], name="submission_area_received"),
            # The processing queue (intake/processing.py): small, as it empties as it goes.
            models.Index(
                fields=["completed_at"],
                condition=models.Q(
                    status="complete", processed_at__isnull=True, processing_error=""
                ),
                name="submission_awaiting_processing",
            ),
        ]

    def __str__(self) -> str:
        return self.instance_id

    @property
    def is_complete(self) -> bool:
        return self.status == self.Status.COMPLETE


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

    # Indexed by the unique (submission, filename) constraint, not again on its own.
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="attachments", db_index=False
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
