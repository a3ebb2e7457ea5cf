"""The registry in the API: households, people, conflicts; reveals and resolutions.

Every endpoint reads through ``registry.queries`` (the one scoped queryset of
each): a record outside the reader's areas is the same 404 as an unknown id,
and lists leave it out. Identifiers are masked in every answer; the full
numbers come only from a reveal (a POST with a reason, audited), never from a
query parameter. Reading a household's or a person's detail from outside the
village's team is recorded (``registry.read``).
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from accounts.access import Action, require
from accounts.models import User
from registry import queries
from registry.conflicts import resolve_conflict
from registry.errors import RecordMerged
from registry.family_members import family_members
from registry.history import household_history, person_history
from registry.masking import mask_nik
from registry.models import Household, Person
from registry.photo_files import photo_response
from registry.presentation import conflict_row, history_rows, household_detail, person_detail
from registry.read_audit import record_read
from registry.reveal import (
    REVEALS_PER_HOUR,
    RevealRateLimited,
    reveal_household,
    reveal_person,
)
from registry.serializers import (
    ConflictOutput,
    HouseholdDetailOutput,
    HouseholdItemOutput,
    MergedOutput,
    PersonDetailOutput,
    PersonItemOutput,
    ResolveInput,
    RevealedHouseholdOutput,
    RevealedPersonOutput,
    RevealInput,
)

TAGS = ["registry"]

SEARCH = [
    OpenApiParameter("q", str, description="A name (spelling-tolerant) or an NIK or KK number."),
    OpenApiParameter("nik", str, description="An NIK, 16 digits (a member's finds her household)."),
    OpenApiParameter("village", str, description="A village's code (or a kecamatan's)."),
]
HOUSEHOLD_SEARCH = [
    *SEARCH,
    OpenApiParameter("kk", str, description="A family card (KK) number, 16 digits."),
    OpenApiParameter("rt", str, description="The RT."),
    OpenApiParameter("rw", str, description="The RW."),
    OpenApiParameter("programme", str, description="Taking part now in this programme (pkh…)."),
]

_CAPPED = f"Counted exactly up to {queries.COUNT_CAP:,}; count_is_exact says whether it was."


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated let no one else in
    return user


class RegistryPagination(LimitOffsetPagination):
    """limit/offset pages whose total is counted up to ``COUNT_CAP``."""

    default_limit = 50
    max_limit = 500
    count_is_exact = True

    def get_count(self, queryset: Any) -> int:
        total = queries.count_capped(queryset)
        self.count_is_exact = total.is_exact
        return total.count

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["count_is_exact"] = self.count_is_exact
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = _CAPPED
        described["properties"]["count_is_exact"] = {"type": "boolean"}
        return described


class _ListApi(APIView):
    pagination_class = RegistryPagination

    def _page(self, request: Request, queryset: QuerySet[Any]) -> tuple[Any, list[Any]]:
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(queryset, request, view=self) or []
        return paginator, rows


def _household_rows(households: list[Household]) -> list[dict[str, Any]]:
    ids = [household.pk for household in households]
    sizes: dict[int, int] = {}
    for household_id in Person.objects.filter(household_id__in=ids).values_list(
        "household_id", flat=True
    ):
        sizes[household_id] = sizes.get(household_id, 0) + 1
    return [
        {
            "id": h.pk,
            "village_code": h.village_id,
            "village_name": h.village.name,
            "kecamatan_code": h.kecamatan_code,
            "rt": h.rt,
            "rw": h.rw,
            "address": h.address,
            "head_id": h.head_id,
            "head_name": h.head.name if h.head else "",
            "head_nik": mask_nik(h.head.nik) if h.head else "",
            "members_count": sizes.get(h.pk, 0),
        }
        for h in households
    ]


class HouseholdListApi(_ListApi):
    @extend_schema(
        operation_id="households_list",
        parameters=HOUSEHOLD_SEARCH,
        responses=HouseholdItemOutput(many=True),
        tags=TAGS,
        description="The households of the reader's areas, searched; identifiers masked.",
    )
    def get(self, request: Request) -> Response:
        filters = queries.RegistryFilters.from_query(request.query_params)
        households = queries.search_households(_user(request), filters).select_related(
            "village", "head"
        )
        paginator, rows = self._page(request, households)
        data = HouseholdItemOutput(_household_rows(rows), many=True).data
        return paginator.get_paginated_response(data)


_MERGED = (
    " A duplicate merged into another record answers 302 Found with its Location and "
    "merged_into (the kept record's id; temporary, as the merge may be undone), when the "
    "kept record is in the reader's areas (else 404)."
)


def _to_kept(name: str, kept_id: int) -> Response:
    url = reverse(name, args=[kept_id])
    error = RecordMerged()
    return Response(
        {"code": error.code, "detail": error.detail, "merged_into": kept_id, "url": url},
        status=302,
        headers={"Location": url},
    )


class HouseholdDetailApi(APIView):
    @extend_schema(
        operation_id="households_retrieve",
        responses={200: HouseholdDetailOutput, 302: MergedOutput},
        tags=TAGS,
        description="A household with its members, families, programmes, conflicts, "
        "provenance (sources) and history; identifiers masked. A read from outside the "
        "village's own team is recorded in the audit trail." + _MERGED,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = _user(request)
        household = queries.get_household(user, pk)
        if household.merged_into_id is not None:
            return _to_kept("registry_api:household", queries.kept_record_id(user, household))
        record_read(user=user, obj=household, village_code=household.village_id, via="api")
        detail = household_detail(household)
        detail["history"] = history_rows(household_history(household))
        detail["photo_url"] = (
            reverse("registry_api:household_photo", args=[household.pk])
            if detail["has_photo"]
            else None
        )
        return Response(HouseholdDetailOutput(detail).data)


class HouseholdPhotoApi(APIView):
    """The household's house photo, for readers of the household, by token."""

    @extend_schema(
        operation_id="households_photo",
        parameters=[
            OpenApiParameter("size", str, enum=["thumbnail"], description="The thumbnail.")
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        tags=TAGS,
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        household = queries.get_household(_user(request), pk)
        return photo_response(household, thumbnail=request.query_params.get("size") == "thumbnail")


class PersonListApi(_ListApi):
    @extend_schema(
        operation_id="people_list",
        parameters=SEARCH,
        responses=PersonItemOutput(many=True),
        tags=TAGS,
        description="The people of the reader's areas, searched; identifiers masked.",
    )
    def get(self, request: Request) -> Response:
        filters = queries.RegistryFilters.from_query(request.query_params)
        people = queries.search_people(_user(request), filters)
        paginator, rows = self._page(request, people)
        data = PersonItemOutput(
            [
                {
                    "id": p.pk,
                    "name": p.name,
                    "nik": mask_nik(p.nik),
                    "sex": p.sex,
                    "birth_date": p.birth_date,
                    "village_code": p.village_id or "",
                    "household_id": p.household_id,
                }
                for p in rows
            ],
            many=True,
        ).data
        return paginator.get_paginated_response(data)


class PersonDetailApi(APIView):
    @extend_schema(
        operation_id="people_retrieve",
        responses={200: PersonDetailOutput, 302: MergedOutput},
        tags=TAGS,
        description="A person with her household, family (the other members of her card "
        "within the reader's areas; those outside counted, not named), moves, applications, "
        "assessments, conflicts and history; identifiers masked. A read from outside the village's own "
        "team is recorded in the audit trail." + _MERGED,
    )
    def get(self, request: Request, pk: int) -> Response:
        user = _user(request)
        person = queries.get_person(user, pk)
        if person.merged_into_id is not None:
            return _to_kept("registry_api:person", queries.kept_record_id(user, person))
        area = person.village_id or person.kecamatan_code
        record_read(user=user, obj=person, village_code=area, via="api")
        detail = person_detail(person)
        detail["history"] = history_rows(person_history(person))
        family = family_members(user, person)
        detail["family_members"] = family.members
        detail["family_members_outside"] = family.outside
        return Response(PersonDetailOutput(detail).data)


_REVEAL = (
    "The full NIK, KK and phone numbers, for reviewers, coordinators, district staff and "
    "administrators of the area, with a reason; each reveal is an audit record "
    "(registry.revealed). 403 without the right, 404 outside one's areas, 429 (with "
    f"Retry-After) after {REVEALS_PER_HOUR} reveals in an hour."
)


def _reveal_answer(
    request: Request, reveal: Callable[[User, str], Any], output: type[Serializer[Any]]
) -> Response:
    """``reveal(user, reason)`` for the reason sent, as ``output``, never cached; a refusal
    for too many reveals says when to try again (Retry-After)."""
    data = RevealInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        revealed = reveal(_user(request), data.validated_data["reason"])
    except RevealRateLimited as error:
        return Response(
            {"code": error.code, "detail": error.detail},
            status=error.http_status,
            headers={"Retry-After": str(error.retry_after)},
        )
    response = Response(output(revealed).data)
    response["Cache-Control"] = "no-store"
    return response


class HouseholdRevealApi(APIView):
    error_statuses = ("429",)

    @extend_schema(
        operation_id="households_reveal",
        request=RevealInput,
        responses={200: RevealedHouseholdOutput},
        tags=TAGS,
        description=_REVEAL,
    )
    def post(self, request: Request, pk: int) -> Response:
        household = queries.get_household(_user(request), pk)  # 404 before anything else
        return _reveal_answer(
            request,
            lambda user, reason: reveal_household(
                user=user, household_id=household.pk, reason=reason
            ),
            RevealedHouseholdOutput,
        )


class PersonRevealApi(APIView):
    error_statuses = ("429",)

    @extend_schema(
        operation_id="people_reveal",
        request=RevealInput,
        responses={200: RevealedPersonOutput},
        tags=TAGS,
        description=_REVEAL,
    )
    def post(self, request: Request, pk: int) -> Response:
        person = queries.get_person(_user(request), pk)  # 404 before anything else
        return _reveal_answer(
            request,
            lambda user, reason: reveal_person(user=user, person_id=person.pk, reason=reason),
            RevealedPersonOutput,
        )


class ConflictListApi(_ListApi):
    @extend_schema(
        operation_id="conflicts_list",
        parameters=[
            OpenApiParameter("village", str, description="A village's code (or a kecamatan's)."),
            OpenApiParameter("state", str, enum=["open", "resolved"], description="The state."),
        ],
        responses=ConflictOutput(many=True),
        tags=TAGS,
        description="The conflicts of the reader's areas, newest first; values masked.",
    )
    def get(self, request: Request) -> Response:
        conflicts = queries.search_conflicts(
            _user(request),
            village=request.query_params.get("village", "").strip()[:18],
            state=request.query_params.get("state", ""),
        )
        paginator, rows = self._page(request, conflicts)
        return paginator.get_paginated_response(
            ConflictOutput([conflict_row(c) for c in rows], many=True).data
        )


class ConflictResolveApi(APIView):
    error_statuses = ("409",)

    @extend_schema(
        operation_id="conflicts_resolve",
        request=ResolveInput,
        responses={200: ConflictOutput},
        tags=TAGS,
        description="Choose a conflict's value with a reason (reviewers of the area; "
        "audited). 404 outside one's areas, 403 for a reader who is no reviewer, 409 when "
        "it was resolved already.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        conflict = queries.get_conflict(user, pk)
        require(user, Action.REVIEW, conflict.village_id)
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = data.validated_data
        if "choice" in wanted:
            value = conflict.held if wanted["choice"] == "held" else conflict.offered
        else:
            value = wanted["value"]
        resolve_conflict(user=user, conflict_id=conflict.pk, value=value, reason=wanted["reason"])
        return Response(ConflictOutput(conflict_row(queries.get_conflict(user, pk))).data)
