"""The audit trail in the API: district auditors and administrators read and export it.

The same records, filters and CSV as the /audit/ pages (portal.audit_trail):
``GET /api/v1/audit/`` lists them (paginated), ``GET /api/v1/audit.csv``
streams them as CSV and records the export.
"""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from accounts.access import Action, require
from accounts.models import User
from audit.models import AuditRecord
from portal.audit_trail import (
    EXPORT_COLUMNS,
    AuditFilter,
    audit_export_filename,
    export_audit,
    filtered_records,
)

AUDIT_FILTERS = [
    OpenApiParameter("area", str, description="An area code: that area and all below it."),
    OpenApiParameter("action", str, description="e.g. forms.version_published"),
    OpenApiParameter("actor", str, description="A username."),
    OpenApiParameter("object_type", str, description="e.g. review.reviewitem"),
    OpenApiParameter("since", OpenApiTypes.DATE, description="From this day on."),
    OpenApiParameter("until", OpenApiTypes.DATE, description="Up to this day, inclusive."),
]


def _auditor(request: Request) -> User:
    user = request.user
    require(user, Action.VIEW_AUDIT)
    assert isinstance(user, User)  # require() refused anonymous users
    return user


class AuditRecordSerializer(serializers.ModelSerializer[AuditRecord]):
    class Meta:
        model = AuditRecord
        fields = ["id", *EXPORT_COLUMNS]


@extend_schema_view(get=extend_schema(operation_id="audit_list", parameters=AUDIT_FILTERS))
class AuditListApi(ListAPIView[AuditRecord]):
    serializer_class = AuditRecordSerializer

    def get_queryset(self) -> QuerySet[AuditRecord]:
        user = _auditor(self.request)
        return filtered_records(user, AuditFilter.from_query(self.request.query_params))


class _ErrorsAsJson(BaseContentNegotiation):
    """The CSV itself is streamed; only a refusal is rendered, always as JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


class AuditExportApi(APIView):
    content_negotiation_class = _ErrorsAsJson

    @extend_schema(
        operation_id="audit_export_csv",
        tags=["audit"],
        parameters=AUDIT_FILTERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="The filtered records as CSV; the export is itself an audit record.",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        user = _auditor(request)
        rows = export_audit(user=user, wanted=AuditFilter.from_query(request.query_params))
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{audit_export_filename()}"'
        return response
