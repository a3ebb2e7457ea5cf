"""Submissions as they arrived from the phones."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from forms.models import FormVersion, Questionnaire
from registry.models import Area


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
            # The processing queue (review/processing.py): small, as it empties as it goes.
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
