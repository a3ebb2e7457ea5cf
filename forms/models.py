"""Questionnaires, their versions, media and deployment to areas."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area


class Questionnaire(models.Model):
    """One questionnaire (an XLSForm ``form_id``) across all its versions."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    form_id = models.CharField(_("form ID"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # The regency (or province) whose district staff manage this questionnaire.
    owner_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="owned_questionnaires"
    )
    deployed_areas: "models.ManyToManyField[Area, Deployment]" = models.ManyToManyField(
        Area, through="Deployment", related_name="deployed_questionnaires", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title

    @property
    def is_archived(self) -> bool:
        return self.status == self.Status.ARCHIVED


_WORKBOOK_CONTENT_TYPES = {
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _xlsform_path(instance: "FormVersion", filename: str) -> str:
    # .xlsx or .xls, as the upload was (forms.xlsform names it by its content).
    extension = ".xls" if filename.endswith(".xls") else ".xlsx"
    form_id = instance.questionnaire.form_id
    return f"forms/{form_id}/{instance.version}/{form_id}{extension}"


def _media_path(instance: "FormMedia", filename: str) -> str:
    version = instance.form_version
    return f"forms/{version.questionnaire.form_id}/{version.version}/media/{instance.filename}"


class FormVersion(models.Model):
    """One version of a questionnaire: its XLSForm and the XForm compiled from it.

    A draft may be replaced; a published version never changes.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    version = models.CharField(_("version"), max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("title"), max_length=200)
    xlsform = models.FileField(upload_to=_xlsform_path, max_length=300)
    xlsform_filename = models.CharField(max_length=255)
    xlsform_sha256 = models.CharField(max_length=64)
    xform_xml = models.TextField()
    xform_md5 = models.CharField(max_length=32)
    languages = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    # File names the XForm refers to (jr://file...), which must be attached before publishing.
    required_media = models.JSONField(default=list)
    # What the server needs to accept a submission without parsing the whole form:
    # the paths of file questions, and of the ``village`` question (for the area check).
    binary_fields = models.JSONField(default=dict)
    area_field = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["questionnaire", "-created_at"]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "version"], name="form_version_unique"
            ),
            models.UniqueConstraint(
                fields=["questionnaire"],
                condition=models.Q(status="draft"),
                name="form_version_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire.form_id} {self.version}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def xlsform_extension(self) -> str:
        """The stored workbook's extension, .xls or .xlsx (named by its content at upload)."""
        return ".xls" if self.xlsform.name.endswith(".xls") else ".xlsx"

    @property
    def xlsform_content_type(self) -> str:
        return _WORKBOOK_CONTENT_TYPES[self.xlsform_extension]


class FormMedia(models.Model):
    """A media file (CSV choice list, image) attached to a form version."""

    form_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="media")
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=_media_path, max_length=400)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    md5 = models.CharField(max_length=32)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["filename"]
        constraints = [
            models.UniqueConstraint(fields=["form_version", "filename"], name="form_media_unique")
        ]

    def __str__(self) -> str:
        return self.filename


class Deployment(models.Model):
    """A questionnaire is deployed to an area: field agents there get it on the phone."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="deployments"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="deployments")
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    deployed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "area"], name="deployment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} @ {self.area_id}"


class DraftTestSubmission(models.Model):
    """A submission sent from a phone to test a draft: never in the queue or the registry.

    Kept only while the draft is: publishing, replacing or discarding the draft
    deletes these rows and their files (``forms.draft_tests``).
    """

    form_version = models.ForeignKey(
        FormVersion, on_delete=models.CASCADE, related_name="test_submissions"
    )
    instance_id = models.CharField(max_length=255)
    xml = models.BinaryField()
    xml_sha256 = models.CharField(max_length=64)
    # [{"filename", "size", "stored_name"}]: the files are in media storage, in the draft's folder.
    attachments = models.JSONField(default=list)
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["form_version", "instance_id"], name="draft_test_submission_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form_version_id} {self.instance_id}"
