"""The review queue's API shapes: what goes in and out of /api/v1/submissions/."""

from typing import Any

from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from review.decisions import REJECT_REASONS
from review.errors import COMMENT_LIMIT
from review.models import ReviewItem

# What a reviewer may decide through the API (ODK Central's review states).
DECIDED_STATES = ("approved", "rejected", "has_issues")
SEVERITY_NAMES = {1: "info", 2: "warning", 3: "error"}
SEVERITY_LEVELS = {"none": 0, "info": 1, "warning": 2, "error": 3}


class SubmissionItemSerializer(serializers.ModelSerializer[ReviewItem]):
    """One household's submission in the queue (a ReviewItem: the id of /submissions/<id>/)."""

    instance_id = serializers.CharField(source="submission.instance_id")
    form_id = serializers.CharField(source="questionnaire.form_id")
    form_version = serializers.CharField(source="form_version.version")
    version = serializers.IntegerField(
        help_text="The review's version: send it back with a decision or a correction."
    )
    village = serializers.CharField(source="village_code")
    kecamatan = serializers.CharField(source="kecamatan_code")
    review_state = serializers.CharField(source="state")
    agent = serializers.CharField(source="agent.username", default=None)
    worst_severity = serializers.SerializerMethodField()

    class Meta:
        model = ReviewItem
        fields = [
            "id",
            "instance_id",
            "form_id",
            "form_version",
            "version",
            "village",
            "kecamatan",
            "review_state",
            "received_at",
            "updated_at",
            "agent",
            "head_name",
            "findings_count",
            "worst_severity",
        ]

    def get_worst_severity(self, item: ReviewItem) -> str | None:
        return SEVERITY_NAMES.get(item.worst_severity)


class FindingOutput(serializers.Serializer[None]):
    check = serializers.CharField(help_text="e.g. nik.format, photo.duplicate")
    severity = serializers.ChoiceField(choices=list(SEVERITY_NAMES.values()))
    field = serializers.CharField(help_text="The question's path, e.g. members/nik.")
    member_index = serializers.IntegerField(allow_null=True, help_text="The repeat's row.")
    message = serializers.CharField(help_text="In the request's language.")
    related_item = serializers.IntegerField(
        allow_null=True, help_text="The other household, only when the reader may see it."
    )


class AnswerNodeOutput(serializers.Serializer[None]):
    """A group, a repeat or an answered question, labelled in the request's language."""

    kind = serializers.ChoiceField(choices=["group", "repeat", "question"])
    name = serializers.CharField()
    path = serializers.CharField(help_text="Below the instance root, as a finding's field.")
    # A declared field (DRF pops it from the class), not the Field.label attribute.
    label = serializers.CharField()  # type: ignore[assignment]
    type = serializers.CharField(help_text="The XLSForm type.")
    value = serializers.CharField(required=False, help_text="A question's answer as sent.")
    display = serializers.CharField(
        required=False, help_text="For people: choice labels, an area's name."
    )
    choices_display = serializers.ListField(child=serializers.CharField(), required=False)
    is_attachment = serializers.BooleanField(
        required=False, help_text="A file question: value is the file's name."
    )
    children = serializers.ListField(
        child=serializers.DictField(), required=False, help_text="A group's nodes, this shape."
    )
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.DictField()),
        required=False,
        help_text="A repeat: one list of nodes per member (member_index = its position).",
    )


class AttachmentOutput(serializers.Serializer[None]):
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField(help_text="The file, with the same token as the API.")
    thumbnail_url = serializers.CharField(allow_null=True)


class ChangeOutput(serializers.Serializer[None]):
    field = serializers.CharField()
    member_index = serializers.IntegerField(allow_null=True)
    before = serializers.CharField(allow_blank=True, allow_null=True)
    after = serializers.CharField(allow_blank=True, allow_null=True)


class VersionOutput(serializers.Serializer[None]):
    kind = serializers.ChoiceField(
        choices=["submission", "correction"],
        help_text="An edit sent from the phone, or a reviewer's correction of the answers.",
    )
    at = serializers.DateTimeField()
    by = serializers.CharField(allow_null=True)
    instance_id = serializers.CharField(allow_null=True)
    is_current = serializers.BooleanField()
    number = serializers.IntegerField(allow_null=True, help_text="A correction's number.")
    reason = serializers.CharField(allow_blank=True)
    changes = ChangeOutput(many=True)
    attachments = AttachmentOutput(
        many=True, help_text="A submission's files (an earlier version's stay readable)."
    )


class DecisionOutput(serializers.Serializer[None]):
    state_before = serializers.CharField()
    state_after = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField()
    version = serializers.IntegerField()


class SubmissionDetailOutput(serializers.Serializer[dict[str, Any]]):
    """A household's submission with its labelled answers, files, findings and history."""

    item = SubmissionItemSerializer()
    answers = AnswerNodeOutput(many=True)
    attachments = AttachmentOutput(many=True)
    findings = FindingOutput(many=True)
    versions = VersionOutput(many=True)
    history = DecisionOutput(many=True)
    erased_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When its answers and files were deleted (their retention period ended).",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # The item's own fields at the top level, beside the rest.
        data = dict(super().to_representation(instance))
        return {**data.pop("item"), **data}


class ReviewInput(serializers.Serializer[None]):
    review_state = serializers.ChoiceField(choices=DECIDED_STATES)
    reason = serializers.ChoiceField(
        choices=list(REJECT_REASONS),
        required=False,
        allow_blank=True,
        help_text="A rejection's reason (required to reject).",
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=COMMENT_LIMIT,
        help_text="Free text; required to send back (what the field agent should correct).",
    )
    version = serializers.IntegerField(
        min_value=1, help_text="The version of the review that the reviewer saw."
    )


class CorrectionInput(serializers.Serializer[None]):
    field = serializers.CharField(max_length=255, help_text="The question's path.")
    member_index = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="The repeat's row (0-based)."
    )
    value = serializers.CharField(allow_blank=True, max_length=COMMENT_LIMIT)
    reason = serializers.CharField(max_length=COMMENT_LIMIT)
    version = serializers.IntegerField(
        min_value=1, help_text="The version of the review that the reviewer saw."
    )


class CorrectionOutput(serializers.Serializer[dict[str, Any]]):
    number = serializers.IntegerField()
    changes = ChangeOutput(many=True)
    reason = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    item = SubmissionItemSerializer()


class SubmissionPointSerializer(GeoFeatureModelSerializer):  # type: ignore[misc]
    """A household's GPS point as a GeoJSON feature (for QGIS and maps)."""

    id = serializers.IntegerField(read_only=True)
    village = serializers.CharField(source="village_code")
    state = serializers.CharField()
    form = serializers.CharField(source="questionnaire.form_id")

    class Meta:
        model = ReviewItem
        geo_field = "location"
        fields = ["id", "village", "state", "form"]

    def get_properties(self, instance: ReviewItem, fields: Any) -> dict[str, Any]:
        # The id also among the properties: QGIS shows properties as the layer's columns.
        return {"id": instance.pk, **super().get_properties(instance, fields)}
