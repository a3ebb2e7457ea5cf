from rest_framework import serializers

from forms.models import Deployment, FormMedia, FormVersion, Questionnaire


class FormMediaSerializer(serializers.ModelSerializer[FormMedia]):
    class Meta:
        model = FormMedia
        fields = ["filename", "content_type", "size", "md5", "uploaded_at"]


class FormVersionSerializer(serializers.ModelSerializer[FormVersion]):
    created_by = serializers.CharField(source="created_by.username")
    published_by = serializers.CharField(source="published_by.username", default=None)
    media = FormMediaSerializer(many=True)

    class Meta:
        model = FormVersion
        fields = [
            "version",
            "status",
            "title",
            "xform_md5",
            "languages",
            "warnings",
            "required_media",
            "media",
            "created_by",
            "created_at",
            "published_by",
            "published_at",
        ]


class QuestionnaireSerializer(serializers.ModelSerializer[Questionnaire]):
    owner_area = serializers.CharField(source="owner_area_id")
    deployed_areas = serializers.SerializerMethodField()
    versions = FormVersionSerializer(many=True)

    class Meta:
        model = Questionnaire
        fields = [
            "form_id",
            "title",
            "status",
            "owner_area",
            "deployed_areas",
            "versions",
            "created_at",
        ]

    def get_deployed_areas(self, obj: Questionnaire) -> list[str]:
        return [d.area_id for d in obj.deployments.all()]


class WorkbookInput(serializers.Serializer[None]):
    # An empty file is refused by forms.xlsform as {"code", "detail"}, like every bad workbook.
    file = serializers.FileField(allow_empty_file=True)
    owner_area = serializers.CharField(required=False)


class MediaInput(serializers.Serializer[None]):
    file = serializers.FileField()


class DeploymentInput(serializers.Serializer[None]):
    areas = serializers.ListField(child=serializers.CharField(max_length=13), allow_empty=True)


class DeploymentSerializer(serializers.ModelSerializer[Deployment]):
    class Meta:
        model = Deployment
        fields = ["area", "deployed_at"]
