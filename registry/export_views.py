"""The registry's exports as pages (signed in) and in the API (token): CSV and XLSX, streamed.

``/registry/export/households.csv`` (``.xlsx``) and ``/registry/export/people.csv``
(``.xlsx``), and the same under ``/api/v1/registry/export/``, take the filters
of the registry list (``village``, ``rt``, ``rw``, ``programme``, ``q``; also
``nik`` and ``kk``). Each calls ``registry.exports.export_registry`` (which
checks the reader's role and areas and records the export) and streams what
it gives.
"""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from registry.exports import CONTENT_TYPES, Export, ExportFormat, ExportKind, export_registry
from registry.queries import RegistryFilters

EXPORT_FILTERS = [
    OpenApiParameter("village", str, description="A village's code (or a kecamatan's)."),
    OpenApiParameter("rt", str, description="The RT (neighbourhood), e.g. 3 or 003."),
    OpenApiParameter("rw", str, description="The RW (hamlet), e.g. 2 or 002."),
    OpenApiParameter("programme", str, description="A programme taken part in now, e.g. pkh."),
    OpenApiParameter("q", str, description="A name (spelling-tolerant), an NIK or a KK number."),
    OpenApiParameter("nik", str, description="A person's NIK (16 digits)."),
    OpenApiParameter("kk", str, description="A family card (KK) number (16 digits)."),
]


def _response(export: Export) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["X-Export-Rows"] = str(export.count)
    # Personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def export_file(request: HttpRequest, kind: str, file_format: str) -> StreamingHttpResponse:
    export = export_registry(
        user=request.user,
        kind=ExportKind(kind),
        file_format=ExportFormat(file_format),
        filters=RegistryFilters.from_query(request.GET),
    )
    return _response(export)


class _ErrorsAsJson(BaseContentNegotiation):
    """The file itself is streamed; only a refusal is rendered, always as JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


class _RegistryExportApi(APIView):
    kind = ExportKind.HOUSEHOLDS
    file_format = ExportFormat.CSV
    content_negotiation_class = _ErrorsAsJson

    def get(self, request: Request) -> StreamingHttpResponse:
        export = export_registry(
            user=request.user,
            kind=self.kind,
            file_format=self.file_format,
            filters=RegistryFilters.from_query(request.query_params),
        )
        return _response(export)


F = TypeVar("F", bound=Callable[..., StreamingHttpResponse])


def _schema(kind: ExportKind, file_format: ExportFormat) -> Callable[[F], F]:
    body = OpenApiTypes.STR if file_format is ExportFormat.CSV else OpenApiTypes.BINARY
    return extend_schema(
        operation_id=f"registry_export_{kind.value}_{file_format.value}",
        tags=["registry"],
        parameters=EXPORT_FILTERS,
        responses={(200, CONTENT_TYPES[file_format].split(";")[0]): body},
        description=(
            f"The {kind.value} of the registry list's selection as {file_format.value.upper()}, "
            "streamed; NIK, KK and phone masked. For reviewers, coordinators, district staff "
            "and administrators of the area (403 for others). Each export is an audit record "
            "(registry.exported, with its filters and row count, also in X-Export-Rows)."
        ),
    )


class HouseholdsCsvApi(_RegistryExportApi):
    kind, file_format = ExportKind.HOUSEHOLDS, ExportFormat.CSV

    @_schema(ExportKind.HOUSEHOLDS, ExportFormat.CSV)
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


class HouseholdsXlsxApi(_RegistryExportApi):
    kind, file_format = ExportKind.HOUSEHOLDS, ExportFormat.XLSX

    @_schema(ExportKind.HOUSEHOLDS, ExportFormat.XLSX)
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


class PeopleCsvApi(_RegistryExportApi):
    kind, file_format = ExportKind.PEOPLE, ExportFormat.CSV

    @_schema(ExportKind.PEOPLE, ExportFormat.CSV)
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


class PeopleXlsxApi(_RegistryExportApi):
    kind, file_format = ExportKind.PEOPLE, ExportFormat.XLSX

    @_schema(ExportKind.PEOPLE, ExportFormat.XLSX)
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)
