"""Imports of the source databases: the saved column mappings and each run of a file.

A run is written only by ``imports/runs.py`` (one function per state change, each
with its audit record), a mapping only by ``imports/mappings.py``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area


class SourceKind(models.TextChoices):
    EKTP = "ektp", _("e-KTP (identity cards)")
    KK = "kk", _("family cards (KK)")
    PPLS = "ppls", _("PPLS (poor households)")
    KPS = "kps", _("KPS/KKS cards")


class SourceMapping(models.Model):
    """Which column holds which field, saved for a source and a district and offered the
    next time a file of that source is imported there."""

    source = models.CharField(max_length=8, choices=SourceKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    mapping = models.JSONField(default=dict)  # {field: column}
    columns = models.JSONField(default=list)  # the header it was made for
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "area"], name="source_mapping_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.source} mapping for {self.area_id}"


def _extract_path(instance: "ImportRun", filename: str) -> str:
    return f"imports/{instance.area_id}/{instance.source}/{filename}"


class ImportRun(models.Model):
    """One file of one source imported into an area: dry run, then apply (or undo)."""

    class State(models.TextChoices):
        DRY_RUN = "dry_run", _("dry run")
        READY = "ready", _("ready to apply")
        APPLYING = "applying", _("applying")
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("failed")
        UNDONE = "undone", _("undone")

    source = models.CharField(max_length=8, choices=SourceKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=_extract_path, max_length=400)
    filename = models.CharField(max_length=255)  # as uploaded
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    mapping = models.JSONField(default=dict)  # {field: column}, checked for the source
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRY_RUN)
    rows_total = models.PositiveIntegerField(null=True, blank=True)  # known after the dry run
    rows_done = models.PositiveIntegerField(default=0)
    # The number of the last row whose work is committed: a resumed run starts after it.
    last_row = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    moves = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["area", "state"], name="import_run_area_state")]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.source})"

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "conflicts": self.conflicts,
            "moves": self.moves,
            "invalid": self.invalid,
        }
