"""The questionnaire API for district staff (token or session authentication)."""

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.errors import UnknownArea
from areas.models import Area
from forms.models import FormVersion, Questionnaire
from forms.permissions import (
    check_areas_manageable,
    default_owner_area,
    get_questionnaire_for_manager,
    get_version_for_manager,
    require_form_manager,
)
from forms.queries import questionnaires_managed_by
from forms.serializers import (
    DeploymentInput,
    FormMediaSerializer,
    FormVersionSerializer,
    MediaInput,
    QuestionnaireSerializer,
    WorkbookInput,
)
from forms.versions import (
    archive_questionnaire,
    attach_form_media,
    create_questionnaire,
    publish_form_version,
    restore_questionnaire,
    set_deployment,
    upload_form_version,
)

_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_STATUS_RESPONSE = inline_serializer(
    "QuestionnaireStatus",
    {"form_id": serializers.CharField(), "status": serializers.CharField()},
)
_DEPLOYMENT_RESPONSE = inline_serializer(
    "QuestionnaireDeployment",
    {
        "form_id": serializers.CharField(),
        "areas": serializers.ListField(child=serializers.CharField()),
    },
)


def _with_versions(queryset: QuerySet[Questionnaire]) -> QuerySet[Questionnaire]:
    versions = FormVersion.objects.select_related("created_by", "published_by").prefetch_related(
        "media"
    )
    return queryset.prefetch_related(Prefetch("versions", queryset=versions), "deployments")


class QuestionnaireListApi(APIView):
    @extend_schema(operation_id="questionnaires_list", responses=QuestionnaireSerializer(many=True))
    def get(self, request: Request) -> Response:
        user = require_form_manager(request.user)
        questionnaires = _with_versions(questionnaires_managed_by(user))
        return Response(QuestionnaireSerializer(questionnaires, many=True).data)

    @extend_schema(
        operation_id="questionnaires_create",
        request={"multipart/form-data": WorkbookInput},
        responses={201: QuestionnaireSerializer},
    )
    def post(self, request: Request) -> Response:
        user = require_form_manager(request.user)
        data = WorkbookInput(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data.get("owner_area")
        owner = Area.objects.filter(code=code).first() if code else default_owner_area(user)
        if owner is None:
            if code:
                raise UnknownArea(code=code)
            raise ValidationError({"owner_area": ["Give the code of the area that manages it."]})
        check_areas_manageable(user, [owner])
        upload = data.validated_data["file"]
        version = create_questionnaire(
            workbook=upload.read(), filename=upload.name, owner_area=owner, user=user
        )
        questionnaire = _with_versions(
            Questionnaire.objects.filter(pk=version.questionnaire_id)
        ).get()
        return Response(QuestionnaireSerializer(questionnaire).data, status=status.HTTP_201_CREATED)


class QuestionnaireDetailApi(APIView):
    @extend_schema(operation_id="questionnaires_retrieve", responses=QuestionnaireSerializer)
    def get(self, request: Request, form_id: str) -> Response:
        user = require_form_manager(request.user)
        questionnaire = get_questionnaire_for_manager(user, form_id)
        questionnaire = _with_versions(Questionnaire.objects.filter(pk=questionnaire.pk)).get()
        return Response(QuestionnaireSerializer(questionnaire).data)


class VersionListApi(APIView):
    @extend_schema(
        operation_id="questionnaires_versions_create",
        request={"multipart/form-data": WorkbookInput},
        responses={201: FormVersionSerializer},
    )
    def post(self, request: Request, form_id: str) -> Response:
        user = require_form_manager(request.user)
        questionnaire = get_questionnaire_for_manager(user, form_id)
        data = WorkbookInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        version = upload_form_version(
            questionnaire=questionnaire, workbook=upload.read(), filename=upload.name, user=user
        )
        return Response(FormVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class VersionPublishApi(APIView):
    @extend_schema(
        operation_id="questionnaires_versions_publish",
        request=None,
        responses=FormVersionSerializer,
    )
    def post(self, request: Request, form_id: str, version: str) -> Response:
        user = require_form_manager(request.user)
        form_version = publish_form_version(
            version=get_version_for_manager(user, form_id, version), user=user
        )
        return Response(FormVersionSerializer(form_version).data)


class VersionMediaApi(APIView):
    @extend_schema(
        operation_id="questionnaires_versions_media_create",
        request={"multipart/form-data": MediaInput},
        responses={201: FormMediaSerializer},
    )
    def post(self, request: Request, form_id: str, version: str) -> Response:
        user = require_form_manager(request.user)
        form_version = get_version_for_manager(user, form_id, version)
        data = MediaInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        media = attach_form_media(
            version=form_version, filename=upload.name, content=upload.read(), user=user
        )
        return Response(FormMediaSerializer(media).data, status=status.HTTP_201_CREATED)


class VersionXlsxApi(APIView):
    @extend_schema(
        operation_id="questionnaires_versions_xlsx",
        responses={(200, _XLSX): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, form_id: str, version: str) -> HttpResponse:
        user = require_form_manager(request.user)
        form_version = get_version_for_manager(user, form_id, version)
        with form_version.xlsform.open("rb") as handle:
            response = HttpResponse(handle.read(), content_type=form_version.xlsform_content_type)
        response["Content-Disposition"] = (
            f'attachment; filename="{form_id}-{version}{form_version.xlsform_extension}"'
        )
        return response


class QuestionnaireArchiveApi(APIView):
    @extend_schema(operation_id="questionnaires_archive", request=None, responses=_STATUS_RESPONSE)
    def post(self, request: Request, form_id: str) -> Response:
        user = require_form_manager(request.user)
        questionnaire = archive_questionnaire(
            questionnaire=get_questionnaire_for_manager(user, form_id), user=user
        )
        return Response({"form_id": questionnaire.form_id, "status": questionnaire.status})

    @extend_schema(
        operation_id="questionnaires_restore", request=None, responses={200: _STATUS_RESPONSE}
    )
    def delete(self, request: Request, form_id: str) -> Response:
        user = require_form_manager(request.user)
        questionnaire = restore_questionnaire(
            questionnaire=get_questionnaire_for_manager(user, form_id), user=user
        )
        return Response({"form_id": questionnaire.form_id, "status": questionnaire.status})


class DeploymentApi(APIView):
    @extend_schema(
        operation_id="questionnaires_deployment_update",
        request=DeploymentInput,
        responses=_DEPLOYMENT_RESPONSE,
    )
    def put(self, request: Request, form_id: str) -> Response:
        user = require_form_manager(request.user)
        questionnaire = get_questionnaire_for_manager(user, form_id)
        data = DeploymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        codes = data.validated_data["areas"]
        areas = list(Area.objects.filter(code__in=codes))
        unknown = set(codes) - {a.code for a in areas}
        if unknown:
            raise UnknownArea(code=", ".join(sorted(unknown)))
        check_areas_manageable(user, areas)
        deployments = set_deployment(questionnaire=questionnaire, areas=areas, user=user)
        return Response({"form_id": form_id, "areas": [d.area_id for d in deployments]})
