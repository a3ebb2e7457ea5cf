"""The review queue's tables: one item per submission chain, its findings and decisions.

Written only by ``review``'s own functions: ``review.checking`` (items, findings,
person keys and photo hashes), ``review.decisions`` and ``review.corrections``.
"""

from django.conf import settings
from django.contrib.gis.db import models as gis_models
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from forms.models import FormVersion, Questionnaire
from intake.models import Submission


class Severity(models.IntegerChoices):
    NONE = 0, _("None")
    INFO = 1, _("Information")
    WARNING = 2, _("Warning")
    ERROR = 3, _("Error")


class ReviewItem(models.Model):
    """One household's submission chain in the queue: the current version and its review.

    An edit made on the phone moves ``submission`` to the new version; the
    state, history and corrections stay with the chain. ``version`` rises with
    every decision and correction: the optimistic lock that pages and the API
    send back.
    """

    # ODK Central's review states, so that they can be exchanged later.
    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        HAS_ISSUES = "has_issues", _("Has issues")
        EDITED = "edited", _("Edited")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    submission = models.OneToOneField(
        Submission, on_delete=models.PROTECT, related_name="review_item"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="review_items"
    )
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="review_items"
    )
    kecamatan_code = models.CharField(max_length=13, blank=True)
    village_code = models.CharField(max_length=18, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="review_items"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.RECEIVED)
    version = models.PositiveIntegerField(default=1)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_items_sent"
    )
    received_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    head_name = models.CharField(max_length=255, blank=True)
    head_name_key = models.CharField(max_length=255, blank=True)
    head_nik = models.CharField(max_length=32, blank=True)
    kk_number = models.CharField(max_length=32, blank=True)
    # The household's GPS point (the form's first geopoint answer), for maps and GeoJSON.
    location = gis_models.PointField(srid=4326, null=True, blank=True)
    location_accuracy_m = models.FloatField(null=True, blank=True)
    findings_count = models.PositiveIntegerField(default=0)
    worst_severity = models.SmallIntegerField(choices=Severity.choices, default=Severity.NONE)
    checks_version = models.SmallIntegerField(default=0)  # 0: not checked yet
    checked_at = models.DateTimeField(null=True, blank=True)
    check_error = models.TextField(blank=True)  # the checks failed on this version (logged)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_items_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    answers_number = models.PositiveIntegerField(default=0)  # 0: the answers as sent

    class Meta:
        ordering = ["received_at", "pk"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        indexes = [
            models.Index(fields=["checks_version"], name="review_item_checks_version"),
            models.Index(fields=["kk_number"], name="review_item_kk_number"),
            models.Index(fields=["head_nik"], name="review_item_head_nik"),
            models.Index(fields=["village_code", "received_at"], name="review_item_village"),
            # The queue (review/queue.py): a kecamatan's items in the order of its pages, so
            # that a page, the last one (read backwards) and the total (an index-only count)
            # read only the entries they need, never the table.
            models.Index(fields=["kecamatan_code", "received_at", "id"], name="review_item_queue"),
            # … of one state; with the village, for the summary by village × state × age.
            models.Index(
                fields=["kecamatan_code", "state", "received_at", "id"],
                include=["village_code"],
                name="review_item_queue_state",
            ),
            # … the most serious findings first, and the filter by severity.
            models.Index(
                fields=[
                    "kecamatan_code",
                    "-worst_severity",
                    "-findings_count",
                    "received_at",
                    "id",
                ],
                name="review_item_queue_findings",
            ),
            # … of one village (the village index alone would be combined with the scope's).
            models.Index(
                fields=["kecamatan_code", "village_code", "received_at", "id"],
                name="review_item_queue_village",
            ),
            # … by the head's name, and the candidates of a name search (index-only).
            models.Index(
                fields=["kecamatan_code", "head_name_key", "id"], name="review_item_queue_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}:{self.submission_id}"


class Finding(models.Model):
    """What one automatic check found in one version of a submission."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="findings")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    # Not ``check``: that name is Django's Model.check() (system checks, models.E020).
    check_name = models.CharField(max_length=40)
    severity = models.SmallIntegerField(choices=Severity.choices)
    field = models.CharField(max_length=255, blank=True)
    member_index = models.IntegerField(null=True, blank=True)
    message_id = models.TextField()
    message_en = models.TextField()
    related_item = models.ForeignKey(
        ReviewItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-severity", "field", "member_index", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            # With the item: the queue's filter by check reads the index alone.
            models.Index(
                fields=["check_name", "severity", "item"], name="finding_check_severity_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_name} ({self.field})"


class AnswerVersion(models.Model):
    """A reviewer's correction: the whole answers after it, and what changed."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="answer_versions")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    answers = models.JSONField()
    # [{"field", "member_index", "before", "after"}]
    changes = models.JSONField(default=list)
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "number"]
        verbose_name = _("answer version")
        verbose_name_plural = _("answer versions")
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="answer_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class Decision(models.Model):
    """The history of an item: every decision and correction, in order."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="decisions")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    state_before = models.CharField(max_length=12, choices=ReviewItem.State.choices)
    state_after = models.CharField(max_length=12, choices=ReviewItem.State.choices)
    reason = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    version = models.PositiveIntegerField()  # the item's version after this decision

    class Meta:
        ordering = ["item", "decided_at", "pk"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.state_before} → {self.state_after}"


class PersonKey(models.Model):
    """A NIK of a checked submission: for the duplicate checks and the search by NIK."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="person_keys")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    nik = models.CharField(max_length=32)
    member_index = models.IntegerField(null=True, blank=True)  # None: the head's question
    name_key = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("person key")
        verbose_name_plural = _("person keys")
        indexes = [models.Index(fields=["nik"], name="person_key_nik")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.member_index}"


class PhotoHash(models.Model):
    """A photo's perceptual hash, in four 16-bit bands (near-duplicates share one)."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="photo_hashes")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    phash = models.CharField(max_length=16)
    band0 = models.IntegerField()
    band1 = models.IntegerField()
    band2 = models.IntegerField()
    band3 = models.IntegerField()

    class Meta:
        verbose_name = _("photo hash")
        verbose_name_plural = _("photo hashes")
        indexes = [
            models.Index(fields=["band0"], name="photo_hash_band0"),
            models.Index(fields=["band1"], name="photo_hash_band1"),
            models.Index(fields=["band2"], name="photo_hash_band2"),
            models.Index(fields=["band3"], name="photo_hash_band3"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.filename}"
