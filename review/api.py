"""The review queue in the API: list, read, decide, correct, and map the submissions.

Every endpoint reads through ``review.queue`` (the one scoped queryset): an
item outside the reader's areas is the same 404 as an unknown id, and lists
leave it out. Decisions and corrections are the functions of
``review.decisions`` and ``review.corrections``; nothing here writes a row.
"""

from typing import Any, cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, QueryDict
from django.utils import translation
from django.utils.functional import cached_property
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_gis.pagination import GeoJsonPagination

from accounts.access import Action, require
from accounts.models import User
from registry.serializers import RevealInput
from review.attachments import attachment_list, file_response, find_attachment, submission_chain
from review.corrections import correct_answer
from review.decisions import approve, item_area_code, reject, send_back
from review.item_answers import answer_versions, current_answers
from review.labelled_answers import label_answers
from review.masked_answers import mask_answers, mask_value, masks_of, reveal_item
from review.models import Decision, Finding, ReviewItem
from review.queue import (
    ORDERS,
    QueueFilters,
    filter_queue,
    get_visible_item,
    queue_for,
)
from review.queue_totals import COUNT_CAP, count_queue
from review.serializers import (
    SEVERITY_LEVELS,
    SEVERITY_NAMES,
    CorrectionInput,
    CorrectionOutput,
    ReviewInput,
    SubmissionDetailOutput,
    SubmissionItemSerializer,
    SubmissionPointSerializer,
)

# The files' URLs in the API's answers: token-authenticated, like the rest of it.
FILE_ROUTE = "review_api:file"

QUEUE_FILTERS = [
    OpenApiParameter("questionnaire", str, description="A questionnaire's form_id (or id)."),
    OpenApiParameter("village", str, description="A village's code, e.g. 35.07.13.2011."),
    OpenApiParameter(
        "review_state",
        str,
        description="One review state or several separated by commas: "
        + ", ".join(state.value for state in ReviewItem.State)
        + ".",
    ),
    OpenApiParameter("check", str, description="Items with a finding of this check."),
    OpenApiParameter(
        "severity",
        str,
        enum=list(SEVERITY_LEVELS),
        description="Items with a finding at least this severe (with check: of that check); "
        "none (or 0): items without findings. Also 1, 2, 3.",
    ),
    OpenApiParameter("agent", str, description="The field agent's username (or id)."),
    OpenApiParameter("received_after", OpenApiTypes.DATE, description="Received on or after."),
    OpenApiParameter("received_before", OpenApiTypes.DATE, description="Received on or before."),
    OpenApiParameter("q", str, description="The head's name (spelling-tolerant) or a NIK."),
    OpenApiParameter("order", str, enum=list(ORDERS), description="The sort order."),
]

# Only what the list shows: the XML, the answers and the XForm stay in the database.
_LIST_FIELDS = (
    "id",
    "version",
    "village_code",
    "kecamatan_code",
    "state",
    "received_at",
    "updated_at",
    "head_name",
    "findings_count",
    "worst_severity",
    "submission",
    "submission__instance_id",
    "questionnaire",
    "questionnaire__form_id",
    "form_version",
    "form_version__version",
    "agent",
    "agent__username",
)


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated let no one else in
    return user


def _listed(queryset: QuerySet[ReviewItem]) -> QuerySet[ReviewItem]:
    return (
        queryset.select_related(None)
        .select_related("submission", "questionnaire", "form_version", "agent")
        .only(*_LIST_FIELDS)
    )


def _query(request: Request) -> QueryDict:
    """The query string, with a severity also accepted by name (info, warning, error, none)."""
    query = request.query_params.copy()
    severity = query.get("severity", "")
    if severity in SEVERITY_LEVELS:
        query["severity"] = str(SEVERITY_LEVELS[severity])
    return query


def _queue(request: Request) -> QuerySet[ReviewItem]:
    return filter_queue(queue_for(_user(request)), QueueFilters.from_query(_query(request)))


def _listed_item(user: User, pk: int) -> ReviewItem:
    return _listed(queue_for(user).filter(pk=pk)).get()


def _require_reviewer(user: User, item: ReviewItem) -> None:
    """A field agent may read her own submissions, a coordinator those of her areas; only
    a reviewer of the item's area decides (refused before the input is looked at)."""
    require(user, Action.REVIEW, item_area_code(item))


_CAPPED = (
    f"Counted exactly up to {COUNT_CAP:,} submissions; beyond that count is {COUNT_CAP:,}"
    " and count_is_exact is false."
)


class QueuePagination(LimitOffsetPagination):
    """limit/offset pages whose total is counted as the queue page counts it (capped)."""

    default_limit = 50
    max_limit = 500
    count_is_exact = True

    def get_count(self, queryset: Any) -> int:
        total = count_queue(queryset)
        self.count_is_exact = total.is_exact
        return total.count

    def paginate_queryset(
        self, queryset: Any, request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        page = super().paginate_queryset(queryset, request, view)
        self.page_length = len(page or [])
        return page

    def get_next_link(self) -> str | None:
        if self.count_is_exact:
            return super().get_next_link()
        # Beyond the cap the total is unknown: a full page may have a next one.
        counted = self.count
        if self.limit is not None and self.page_length == self.limit:
            self.count = max(counted or 0, (self.offset or 0) + self.limit + 1)
        try:
            return super().get_next_link()
        finally:
            self.count = counted

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["count_is_exact"] = self.count_is_exact
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = _CAPPED
        described["properties"]["count_is_exact"] = {"type": "boolean"}
        return described


class _CappedPaginator(Paginator):  # type: ignore[type-arg]
    @cached_property
    def count(self) -> int:
        return count_queue(cast(QuerySet[ReviewItem], self.object_list)).count


class MapPagination(GeoJsonPagination):
    page_size = 1000
    page_size_query_param = "page_size"
    max_page_size = 5000
    django_paginator_class = _CappedPaginator

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        # rest_framework_gis renames "results" to "features" but leaves it in "required".
        described["required"] = ["type", "count", "features"]
        return described


@extend_schema_view(
    get=extend_schema(operation_id="submissions_list", parameters=QUEUE_FILTERS, tags=["review"])
)
class SubmissionListApi(ListAPIView[ReviewItem]):
    """The review queue: the submissions the user may see, filtered and paginated."""

    serializer_class = SubmissionItemSerializer
    pagination_class = QueuePagination

    def get_queryset(self) -> QuerySet[ReviewItem]:
        return _listed(_queue(self.request))


@extend_schema_view(
    get=extend_schema(
        operation_id="submissions_geojson",
        parameters=[
            *QUEUE_FILTERS,
            OpenApiParameter("page", int, description="The page (1, 2, …)."),
            OpenApiParameter("page_size", int, description="At most 5000; 1000 unless given."),
        ],
        tags=["review"],
        description="The GPS points of the submissions the user may see, as a GeoJSON "
        "FeatureCollection (for QGIS and maps), with the queue's filters.",
    )
)
class SubmissionGeoJsonApi(ListAPIView[ReviewItem]):
    serializer_class = SubmissionPointSerializer
    pagination_class = MapPagination

    def get_queryset(self) -> QuerySet[ReviewItem]:
        return (
            _queue(self.request)
            .filter(location__isnull=False)
            .select_related(None)
            .select_related("questionnaire")
            .only("id", "village_code", "state", "location", "questionnaire__form_id")
        )


def _message(finding: Finding, language: str) -> str:
    return finding.message_id if language == "id" else finding.message_en


def _findings(user: User, item: ReviewItem, language: str) -> list[dict[str, Any]]:
    findings = list(Finding.objects.filter(item=item, submission_id=item.submission_id))
    related = {f.related_item_id for f in findings if f.related_item_id}
    # A duplicate outside the reader's areas is told without naming it.
    visible = set(queue_for(user).filter(pk__in=related).values_list("pk", flat=True))
    return [
        {
            "check": finding.check_name,
            "severity": SEVERITY_NAMES.get(finding.severity, "info"),
            "field": finding.field,
            "member_index": finding.member_index,
            "message": _message(finding, language),
            "related_item": finding.related_item_id if finding.related_item_id in visible else None,
        }
        for finding in findings
    ]


def _versions(item: ReviewItem, masks: dict[str, Any]) -> list[dict[str, Any]]:
    """The chain's submissions (edits from the phone) and the corrections, oldest first."""
    versions: list[dict[str, Any]] = []
    for submission in submission_chain(item):
        current = submission.pk == item.submission_id
        versions.append(
            {
                "kind": "submission",
                "at": submission.received_at,
                "by": submission.submitted_by.username,
                "instance_id": submission.instance_id,
                "is_current": current and not item.answers_number,
                "number": None,
                "reason": "",
                "changes": [],
                "attachments": attachment_list(
                    item, submission.pk, url_name=FILE_ROUTE, earlier=not current
                ),
            }
        )
    versions.reverse()
    for correction in answer_versions(item):
        versions.append(
            {
                "kind": "correction",
                "at": correction.created_at,
                "by": correction.created_by.username,
                "instance_id": None,
                "is_current": correction.number == item.answers_number,
                "number": correction.number,
                "reason": correction.reason,
                "changes": [
                    {
                        **change,
                        "before": mask_value(masks, change["field"], change.get("before")),
                        "after": mask_value(masks, change["field"], change.get("after")),
                    }
                    for change in correction.changes
                ],
                "attachments": [],
            }
        )
    # In the order they happened: a correction of the first visit comes before the edit.
    versions.sort(key=lambda version: version["at"])
    return versions


def _history(item: ReviewItem) -> list[dict[str, Any]]:
    decisions = Decision.objects.filter(item=item).select_related("decided_by")
    return [
        {
            "state_before": decision.state_before,
            "state_after": decision.state_after,
            "reason": decision.reason,
            "comment": decision.comment,
            "decided_by": decision.decided_by.username,
            "decided_at": decision.decided_at,
            "version": decision.version,
        }
        for decision in decisions.order_by("decided_at", "pk")
    ]


def _detail(user: User, item: ReviewItem, *, revealed: bool = False) -> dict[str, Any]:
    """The detail; NIKs, KKs and phones masked unless ``revealed`` (an audited reveal)."""
    language = (translation.get_language() or "id").split("-")[0]
    masks = {} if revealed else masks_of(item)
    answers = label_answers(
        xform_xml=item.form_version.xform_xml,
        answers=mask_answers(current_answers(item), masks),
        language=language,
    )
    detail: dict[str, Any] = {
        "item": item,
        "answers": [node.as_dict() for node in answers],
        "attachments": attachment_list(item, item.submission_id, url_name=FILE_ROUTE),
        "findings": _findings(user, item, language),
        "versions": _versions(item, masks),
        "history": _history(item),
        "erased_at": item.submission.erased_at,
    }
    return dict(SubmissionDetailOutput(detail).data)


class SubmissionDetailApi(APIView):
    @extend_schema(
        operation_id="submissions_retrieve", responses=SubmissionDetailOutput, tags=["review"]
    )
    def get(self, request: Request, pk: int) -> Response:
        user = _user(request)
        return Response(_detail(user, get_visible_item(user, pk)))


class SubmissionFileApi(APIView):
    """A submission's file (a photo, a signature) for a reader of its item, by token."""

    @extend_schema(
        operation_id="submissions_file",
        parameters=[
            OpenApiParameter(
                "submission", int, description="An earlier version's id (from `versions`)."
            ),
            OpenApiParameter("size", str, enum=["thumbnail"], description="The thumbnail."),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        tags=["review"],
    )
    def get(self, request: Request, pk: int, filename: str) -> FileResponse:
        item = get_visible_item(_user(request), pk)
        attachment = find_attachment(item, filename, request.query_params.get("submission", ""))
        return file_response(attachment, thumbnail=request.query_params.get("size") == "thumbnail")


class SubmissionRevealApi(APIView):
    """The detail with the full NIKs, KKs and phones, for a reason (audited)."""

    @extend_schema(
        operation_id="submissions_reveal",
        request=RevealInput,
        responses={200: SubmissionDetailOutput},
        tags=["review"],
        description="NIK, KK and phone numbers are masked in every other answer (Law "
        "27/2022). This one shows them, and writes the reason to the audit trail.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        item = get_visible_item(user, pk)
        data = RevealInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = reveal_item(user=user, item_id=item.pk, reason=data.validated_data["reason"])
        response = Response(_detail(user, item, revealed=True))
        response["Cache-Control"] = "no-store"
        return response


class SubmissionReviewApi(APIView):
    """Approve, reject (with a reason) or send back to the village (with a comment)."""

    error_statuses = ("409",)

    @extend_schema(
        operation_id="submissions_review",
        request=ReviewInput,
        responses={200: SubmissionItemSerializer},
        tags=["review"],
        description="409 (code moved_on) when the review's version is no longer the one "
        "sent: someone else decided or corrected it first; read it again.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        item = get_visible_item(user, pk)
        _require_reviewer(user, item)
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data
        state, version = wanted["review_state"], wanted["version"]
        comment = wanted.get("comment", "")
        if state == ReviewItem.State.APPROVED:
            approve(user=user, item_id=item.pk, version=version, comment=comment)
        elif state == ReviewItem.State.REJECTED:
            reject(
                user=user,
                item_id=item.pk,
                version=version,
                reason=wanted.get("reason", ""),
                comment=comment,
            )
        else:
            send_back(user=user, item_id=item.pk, version=version, comment=comment)
        return Response(SubmissionItemSerializer(_listed_item(user, pk)).data)


class SubmissionCorrectionApi(APIView):
    """Correct one answer, with a reason: a new version of the answers; the original stays."""

    error_statuses = ("409",)

    @extend_schema(
        operation_id="submissions_corrections_create",
        request=CorrectionInput,
        responses={201: CorrectionOutput},
        tags=["review"],
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        item = get_visible_item(user, pk)
        _require_reviewer(user, item)
        data = CorrectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data
        correction = correct_answer(
            user=user,
            item_id=item.pk,
            version=wanted["version"],
            field=wanted["field"],
            member_index=wanted.get("member_index"),
            value=wanted["value"],
            reason=wanted["reason"],
        )
        body = {
            "number": correction.number,
            "changes": correction.changes,
            "reason": correction.reason,
            "created_by": correction.created_by,
            "created_at": correction.created_at,
            "item": _listed_item(user, pk),
        }
        return Response(CorrectionOutput(body).data, status=201)
