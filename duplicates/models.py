"""Candidate duplicates in the registry: pairs of people (or households) that may be one.

A ``DedupRun`` is one search (``finding.find_duplicates``): when, over which
area, with which model and threshold, and what it found. A ``DuplicatePair``
is two registry records, the lower id first, with the score the linkage model
gave them and each field's part of it, so that a reviewer sees why. A pair is
unique on its two records: a later run that finds an open pair again updates
its score, and one that finds a dismissed pair leaves it dismissed.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from registry.models import Household, Person


class PairKind(models.TextChoices):
    PERSON = "person", _("person")
    HOUSEHOLD = "household", _("household")


class DedupRun(models.Model):
    """One search for duplicates, over the registry or one area of it."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    kind = models.CharField(max_length=10, choices=PairKind.choices)
    area_code = models.CharField(max_length=16, blank=True)  # "": the whole registry
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    model_version = models.CharField(max_length=40)
    # The threshold, the blocking rules and the comparisons' levels, as run.
    parameters = models.JSONField(default=dict)
    # {"people": …, "compared": …, "candidates": …, "created": …, "updated": …,
    #  "kept_decided": …, "seconds": {…}}
    counts = models.JSONField(default=dict)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"dedup run {self.pk} ({self.kind})"


class DuplicatePair(models.Model):
    """Two records that may be one: people, or households, the lower id first."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        DISMISSED = "dismissed", _("dismissed")
        MERGED = "merged", _("merged")

    kind = models.CharField(max_length=10, choices=PairKind.choices)
    person_a = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    person_b = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    household_a = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    household_b = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    match_probability = models.FloatField()
    match_weight = models.FloatField()  # log2 of the odds: the prior plus every contribution
    # {"prior": w, "name": w, "name_frequency": w, "birth_date": w, …}, each with its level in
    # "levels": {"name": "written without spaces", …}. For households: the matched members.
    contributions = models.JSONField(default=dict)
    blocking_rule = models.CharField(max_length=40)
    model_version = models.CharField(max_length=40)
    last_run = models.ForeignKey(DedupRun, on_delete=models.PROTECT, related_name="pairs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person_a", "person_b"], name="duplicatepair_people_unique"
            ),
            models.UniqueConstraint(
                fields=["household_a", "household_b"], name="duplicatepair_households_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="person",
                        person_a__isnull=False,
                        person_b__isnull=False,
                        person_a__lt=F("person_b"),
                        household_a__isnull=True,
                        household_b__isnull=True,
                    )
                    | Q(
                        kind="household",
                        household_a__isnull=False,
                        household_b__isnull=False,
                        household_a__lt=F("household_b"),
                        person_a__isnull=True,
                        person_b__isnull=True,
                    )
                ),
                name="duplicatepair_two_records_lower_first",
            ),
        ]
        indexes = [
            models.Index(
                fields=["kind", "state", "-match_probability"], name="duplicatepair_queue"
            ),
            models.Index(fields=["person_b"], name="duplicatepair_person_b"),
            models.Index(fields=["household_b"], name="duplicatepair_household_b"),
        ]

    def __str__(self) -> str:
        return f"duplicate pair {self.pk} ({self.kind})"

    @property
    def record_ids(self) -> tuple[int, int]:
        if self.kind == PairKind.PERSON:
            return (self.person_a_id or 0, self.person_b_id or 0)
        return (self.household_a_id or 0, self.household_b_id or 0)
