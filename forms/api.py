"""The questionnaire API for district staff (token or session authentication)."""

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from rest_framework import status
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


def _with_versions(queryset: QuerySet[Questionnaire]) -> QuerySet[Questionnaire]:
    versions = FormVersion.objects.select_related("created_by", "published_by").prefetch_related(
        "media"
    )
    return queryset.prefetch_related(Prefetch("versions", queryset=versions), "deployments")


class QuestionnaireListApi(APIView):
    def get(self, request: Request) -> Response:
        user = require_form_manager(request.user)
        questionnaires = _with_versions(questionnaires_managed_by(user))
        return Response(QuestionnaireSerializer(questionnaires, many=True).data)

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
    def get(self, request: Request, form_id: str) -> Response:
        user = require_form_manager(request.user)
        questionnaire = get_questionnaire_for_manager(user, form_id)
        questionnaire = _with_versions(Questionnaire.objects.filter(pk=questionnaire.pk)).get()
        return Response(QuestionnaireSerializer(questionnaire).data)


class VersionListApi(APIView):
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
    def post(self, request: Request, form_id: str, version: str) -> Response:
        user = require_form_manager(request.user)
        form_version = publish_form_version(
            version=get_version_for_manager(user, form_id, version), user=user
        )
        return Response(FormVersionSerializer(form_version).data)


class VersionMediaApi(APIView):
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
    def post(self, request: Request, form_id: str) -> Response:
        user = require_form_manager(request.user)
        questionnaire = archive_questionnaire(
            questionnaire=get_questionnaire_for_manager(user, form_id), user=user
        )
        return Response({"form_id": questionnaire.form_id, "status": questionnaire.status})

    def delete(self, request: Request, form_id: str) -> Response:
        user = require_form_manager(request.user)
        questionnaire = restore_questionnaire(
            questionnaire=get_questionnaire_for_manager(user, form_id), user=user
        )
        return Response({"form_id": questionnaire.form_id, "status": questionnaire.status})


class DeploymentApi(APIView):
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
