"""The registry API's input and output shapes, nothing else.

Outputs are filled from ``registry.presentation``'s dicts, whose identifiers
are already masked; only the reveal outputs carry full numbers.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from registry.models import Conflict

MASKED = "Masked: the area prefix and the last 4 digits (e.g. 350713••••••0001)."


class LocationOutput(serializers.Serializer[Any]):
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    accuracy = serializers.FloatField(allow_null=True)


# Who a person is, as every list and detail of people begins (NIK masked).
class PersonFields(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    nik = serializers.CharField(help_text=MASKED)
    sex = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)


class MemberOutput(PersonFields):
    relation = serializers.CharField(help_text="To the head: head, spouse, child…")
    kk_number = serializers.CharField(help_text=MASKED)
    phone = serializers.CharField(help_text="Masked: +62812••••5678.")


class FamilyOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kk_number = serializers.CharField(help_text=MASKED)
    members = serializers.IntegerField(help_text="Members of this household on the card.")


class ParticipationOutput(serializers.Serializer[Any]):
    programme = serializers.CharField(help_text="A programme code: pkh, kps_kks, bpjs_pbi…")
    programme_label = serializers.CharField(source="label")
    person_id = serializers.IntegerField(allow_null=True)
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True, help_text="None: taking part now.")


class ConflictOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    field = serializers.CharField()
    held = serializers.JSONField(help_text="The value the registry holds (identifiers masked).")
    offered = serializers.JSONField(help_text="The value a source offered (identifiers masked).")
    chosen = serializers.JSONField(allow_null=True)
    state = serializers.ChoiceField(choices=Conflict.State.choices)
    reason = serializers.CharField()
    household_id = serializers.IntegerField(allow_null=True)
    person_id = serializers.IntegerField(allow_null=True)
    village_code = serializers.CharField()
    source_id = serializers.IntegerField()
    held_source_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)


class SourceOutput(serializers.Serializer[Any]):
    """Provenance: a submission (or import) whose values the registry holds."""

    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="submission, import or resolution.")
    source_label = serializers.CharField(source="label", help_text="e.g. form_id:instance.")
    form_id = serializers.CharField()
    instance_id = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    approved_by = serializers.CharField()
    approved_at = serializers.DateTimeField()


class HistoryEntryOutput(serializers.Serializer[Any]):
    field = serializers.CharField()
    field_label = serializers.CharField(source="label")
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    source_label = serializers.CharField(source="source", help_text="The source's label.")
    approved_by = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)


# Where a household is, as its list and its detail begin.
class HouseholdFields(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    village_code = serializers.CharField()
    village_name = serializers.CharField()
    kecamatan_code = serializers.CharField()
    rt = serializers.CharField()
    rw = serializers.CharField()
    address = serializers.CharField()


class HeadFields(serializers.Serializer[Any]):
    head_id = serializers.IntegerField(allow_null=True)
    head_name = serializers.CharField()
    head_nik = serializers.CharField(help_text=MASKED)


class HouseholdItemOutput(HouseholdFields, HeadFields):
    members_count = serializers.IntegerField()


class HouseholdDetailOutput(HouseholdFields, HeadFields):
    location = LocationOutput(allow_null=True)
    housing = serializers.DictField(child=serializers.JSONField())
    assets = serializers.ListField(child=serializers.CharField())
    kks_number = serializers.CharField(help_text=MASKED)
    photo_url = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    members = MemberOutput(many=True)
    families = FamilyOutput(many=True)
    participations = ParticipationOutput(many=True)
    conflicts = ConflictOutput(many=True)
    sources = SourceOutput(many=True, help_text="Provenance: where the values come from.")
    history = HistoryEntryOutput(many=True)


class PersonItemOutput(PersonFields):
    village_code = serializers.CharField()
    household_id = serializers.IntegerField(allow_null=True)


class FamilyMemberOutput(PersonFields):
    """Another member of the person's family card, within the reader's areas."""

    relation = serializers.CharField(help_text="To the head of her household.")
    relation_label = serializers.CharField()
    household_id = serializers.IntegerField(allow_null=True)
    same_household = serializers.BooleanField(help_text="Lives in the person's household.")


class ResidenceOutput(serializers.Serializer[Any]):
    household_id = serializers.IntegerField()
    village_code = serializers.CharField()
    village_name = serializers.CharField()
    rt = serializers.CharField()
    rw = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField(allow_null=True)


class ApplicationOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    programme = serializers.CharField()
    membership = serializers.CharField()
    membership_class = serializers.CharField()
    state = serializers.CharField()
    applied_at = serializers.DateTimeField()


class AssessmentOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    household_id = serializers.IntegerField(allow_null=True)
    is_recommended = serializers.BooleanField(allow_null=True)
    assessed_at = serializers.DateTimeField()


class PersonDetailOutput(PersonFields):
    phone = serializers.CharField(help_text="Masked: +62812••••5678.")
    village_code = serializers.CharField()
    kecamatan_code = serializers.CharField()
    household_id = serializers.IntegerField(allow_null=True)
    family_id = serializers.IntegerField(allow_null=True)
    kk_number = serializers.CharField(help_text=MASKED)
    relation = serializers.CharField()
    details = serializers.DictField(child=serializers.JSONField())
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    family_members = FamilyMemberOutput(
        many=True, help_text="The other members of her family card within the reader's areas."
    )
    family_members_outside = serializers.IntegerField(
        help_text="How many other members of her card live outside the reader's areas "
        "(counted, not named)."
    )
    residences = ResidenceOutput(many=True, help_text="Her stays, newest first: the moves.")
    applications = ApplicationOutput(many=True)
    assessments = AssessmentOutput(many=True)
    participations = ParticipationOutput(many=True)
    conflicts = ConflictOutput(many=True)
    history = HistoryEntryOutput(many=True)


class RevealInput(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=500, help_text="Why the full numbers are needed (recorded in the audit trail)."
    )


class RevealedPersonOutput(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    nik = serializers.CharField(help_text="In full.")
    kk_number = serializers.CharField(help_text="In full.")
    phone = serializers.CharField(help_text="In full, E.164.")


class RevealedHouseholdOutput(serializers.Serializer[Any]):
    household_id = serializers.IntegerField()
    kks_number = serializers.CharField(help_text="In full.")
    kk_numbers = serializers.ListField(child=serializers.CharField())
    members = RevealedPersonOutput(many=True)


class ResolveInput(serializers.Serializer[Any]):
    value = serializers.JSONField(
        required=False, help_text="The value chosen (the held one, the offered one, or another)."
    )
    choice = serializers.ChoiceField(
        choices=["held", "offered"],
        required=False,
        help_text="Instead of value: keep the held value or take the offered one (useful when "
        "the values are masked).",
    )
    reason = serializers.CharField(max_length=2000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("value" in attrs) == ("choice" in attrs):
            raise serializers.ValidationError(_("Send either a value or a choice."))
        return attrs


class MergedOutput(serializers.Serializer[Any]):
    """A duplicate merged into another record: where the kept one is."""

    code = serializers.CharField(help_text="record_merged")
    detail = serializers.CharField()
    merged_into = serializers.IntegerField(help_text="The id of the record kept.")
    url = serializers.CharField(help_text="The kept record's URL (also in Location).")
