"""The registry: households (rumah tangga), families (KK) and people (by NIK).

Every value the registry holds came from a source: an approved submission
(later, a row of an imported database, or a reviewer's resolution of a
conflict). ``Source`` is that origin, one per submission (the merge's
idempotency), and ``RegistryChange`` is each value it set, with the value
before: the provenance of what is held now, and the history from which a
household or a person is shown as it was on a given date.

A value that disagrees with what another source set is not overwritten: it
is a ``Conflict`` that a reviewer of the area resolves. A person who appears
in another household is a move: ``Residence`` closes the old stay and opens
the new one, the person stays one row.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from intake.models import Attachment, Submission


class Source(models.Model):
    """Where registry values came from, and who let them in."""

    class Kind(models.TextChoices):
        SUBMISSION = "submission", _("approved submission")
        IMPORT = "import", _("imported database")
        RESOLUTION = "resolution", _("conflict resolution")
        DUPLICATE_MERGE = "duplicate_merge", _("merge of duplicates")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    submission = models.OneToOneField(
        Submission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registry_source",
    )
    label = models.CharField(max_length=255, blank=True)  # form_id:instance, a file's row…
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField()
    # When its values were observed (a survey's arrival, an import's date): of two
    # sources, the later observation's circumstantial values (housing, phone…) hold.
    observed_at = models.DateTimeField(null=True, blank=True)
    # What the merge did: {"households_created": 1, "people_created": 4, "conflicts": 0, …}
    summary = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["kind", "approved_at"], name="source_kind_at")]

    def __str__(self) -> str:
        return self.label or f"{self.kind}:{self.pk}"


class Household(models.Model):
    """A rumah tangga: the people who live and eat together, at one address."""

    village = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="registry_households")
    kecamatan_code = models.CharField(max_length=16, db_index=True)  # the scope, at hand
    rt = models.CharField(max_length=8, blank=True)
    rw = models.CharField(max_length=8, blank=True)
    address = models.CharField(max_length=500, blank=True)
    location = models.PointField(srid=4326, null=True, blank=True)
    location_accuracy_m = models.FloatField(null=True, blank=True)
    head = models.ForeignKey(
        "Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The PPLS housing answers by question name (tenure, floor_area, roof_material…).
    housing = models.JSONField(default=dict)
    assets = models.JSONField(default=list)  # choice codes of the assets question
    kks_number = models.CharField(max_length=32, blank=True)
    photo = models.ForeignKey(
        Attachment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    # A duplicate merged into another household (``registry.household_merge``): kept as a row,
    # its old identifier redirected. Deleted with the household kept (the same one).
    merged_into = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["village", "rw", "rt"], name="household_village_rt")]

    def __str__(self) -> str:
        return f"household {self.pk}"


class Family(models.Model):
    """A family card (KK): a household may hold more than one."""

    kk_number = models.CharField(max_length=16, unique=True)
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="families"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"KK {self.kk_number}"


class Person(models.Model):
    """One person, one row for life: by NIK, or (an infant without one) by household,
    normalised name and birth date."""

    class Sex(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    nik = models.CharField(max_length=16, null=True, blank=True, unique=True)
    name = models.CharField(max_length=255)
    name_key = models.CharField(max_length=255, db_index=True)  # names.name_key(name)
    sex = models.CharField(max_length=6, choices=Sex.choices, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True)  # E.164
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    village = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="registry_people"
    )
    kecamatan_code = models.CharField(max_length=16, blank=True, db_index=True)
    family = models.ForeignKey(
        Family, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    relation = models.CharField(max_length=40, blank=True)  # to the head: a choice code
    # The roster's other answers: marital_status, disability, in_school, work_hours…
    details = models.JSONField(default=dict)
    created_by_source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    # A duplicate merged into another person (``registry.person_merge``): kept as a row, its
    # old identifier redirected. Deleted with the person kept: it is her data too.
    merged_into = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["household", "name_key", "birth_date"], name="person_in_household")
        ]

    def __str__(self) -> str:
        return f"person {self.pk}"


class PersonName(models.Model):
    """Every normalised name a person of the registry holds or held, once: where a wide
    name search finds its candidate names (tens of thousands of rows, not a million
    people). Kept by ``registry.name_index``; a name no one holds any more only costs a
    candidate that finds nobody, and the retention drops it."""

    name_key = models.CharField(max_length=255, unique=True)

    def __str__(self) -> str:
        return self.name_key


class Residence(models.Model):
    """A person's stay in a household, from ``since`` until ``until`` (open: now)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="residences")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="residences")
    since = models.DateField()
    until = models.DateField(null=True, blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    ended_by = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(until__isnull=True),
                name="residence_one_open_per_person",
            )
        ]


class RegistryChange(models.Model):
    """One value a source set on a household, a person or a family (with the one before)."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="changes")
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    field = models.CharField(max_length=100)  # "birth_date", "housing.roof_material"…
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    at = models.DateTimeField()
    # The row of the source's file that gave the value (an import's row number; none for a
    # submission, which is one record): with the Source, who applied it and when.
    row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["household", "field", "at"], name="change_household_field"),
            models.Index(fields=["person", "field", "at"], name="change_person_field"),
        ]


class Conflict(models.Model):
    """A value a source offered that disagrees with the one held: a reviewer chooses."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, null=True, blank=True, related_name="conflicts"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="conflicts"
    )
    field = models.CharField(max_length=100)
    held = models.JSONField(null=True)
    offered = models.JSONField(null=True)
    held_source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="conflicts")
    row = models.PositiveIntegerField(null=True, blank=True)  # the source file's row, if any
    village = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="registry_conflicts")
    kecamatan_code = models.CharField(max_length=16, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    chosen = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kecamatan_code", "state"], name="conflict_scope_state")]

    def __str__(self) -> str:
        return f"conflict {self.pk}: {self.field}"


class Participation(models.Model):
    """A programme a household (or one of its people) takes part in, as a source reported."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="participations"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="participations"
    )
    programme = models.CharField(max_length=40)  # a choice code: pkh, kks, bpjs_pbi…
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["programme", "until"], name="participation_programme")]


class Assessment(models.Model):
    """An approved near-poor needs assessment of a person (and her household)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="assessments"
    )
    source = models.OneToOneField(Source, on_delete=models.PROTECT, related_name="assessment")
    answers = models.JSONField(default=dict)
    is_recommended = models.BooleanField(null=True)
    assessed_at = models.DateTimeField()


class Application(models.Model):
    """An approved programme registration: the application, kept until the programme
    catalogue and its follow-up exist."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="applications")
    programme = models.CharField(max_length=40)
    membership = models.CharField(max_length=40, blank=True)  # BPJS membership type
    membership_class = models.CharField(max_length=8, blank=True)
    source = models.OneToOneField(Source, on_delete=models.PROTECT, related_name="application")
    answers = models.JSONField(default=dict)
    state = models.CharField(max_length=12, choices=State.choices, default=State.SUBMITTED)
    applied_at = models.DateTimeField()


class MergeMove(models.Model):
    """One value a merge of duplicates changed on a row, with the one before: what its
    undo sets back, in reverse order, after checking that each still holds ``after``.

    ``model`` names the registry table (``person``, ``residence``, ``participation``…);
    ``row_id`` is its row, no foreign key, so that a move outlives nothing it names."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="merge_moves")
    model = models.CharField(max_length=20)
    row_id = models.BigIntegerField()
    field = models.CharField(max_length=40)  # a column: "person_id", "until", "nik"…
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)

    class Meta:
        indexes = [models.Index(fields=["model", "row_id"], name="mergemove_row")]
