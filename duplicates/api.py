"""Duplicate pairs in the API: the reviewer's list, a pair side by side, and her decisions.

Every endpoint reads through ``duplicates.queries`` (the reviewers of both
records' areas, ``Action.REVIEW``): a pair outside them is the same 404 as an
unknown id, and lists leave it out. The two records are masked as the
registry masks them; reading a pair's detail is a read of both records
(``registry.read``, when from outside their village's team). Decisions call
``duplicates.decisions``, one function each.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from duplicates import queries
from duplicates.decisions import dismiss_pair, merge_pair, undo_pair
from duplicates.models import DuplicatePair, PairKind
from duplicates.serializers import MergeInput, PairOutput, ReasonInput
from registry.api import RegistryPagination
from registry.masking import mask_kk, mask_nik, mask_phone
from registry.models import Household, Person
from registry.read_audit import record_read

TAGS = ["duplicates"]

_RELATED = (
    "decided_by",
    "person_a__village",
    "person_a__family",
    "person_b__village",
    "person_b__family",
    "household_a__village",
    "household_a__head",
    "household_b__village",
    "household_b__head",
)


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated let no one else in
    return user


def _person(person: Person | None) -> dict[str, Any] | None:
    if person is None:
        return None
    return {
        "id": person.pk,
        "name": person.name,
        "nik": mask_nik(person.nik),
        "sex": person.sex,
        "birth_date": person.birth_date,
        "phone": mask_phone(person.phone),
        "kk_number": mask_kk(person.family.kk_number) if person.family else "",
        "village_code": person.village_id or "",
        "village_name": person.village.name if person.village else "",
        "household_id": person.household_id,
        "merged_into": person.merged_into_id,
    }


def _household(
    household: Household | None, kks: dict[int, list[str]], sizes: dict[int, int]
) -> dict[str, Any] | None:
    if household is None:
        return None
    head = household.head
    return {
        "id": household.pk,
        "village_code": household.village_id,
        "village_name": household.village.name,
        "rt": household.rt,
        "rw": household.rw,
        "address": household.address,
        "head_id": household.head_id,
        "head_name": head.name if head else "",
        "head_nik": mask_nik(head.nik) if head else "",
        "kk_numbers": [mask_kk(kk) for kk in kks.get(household.pk, [])],
        "members_count": sizes.get(household.pk, 0),
        "merged_into": household.merged_into_id,
    }


def pair_rows(pairs: list[DuplicatePair]) -> list[dict[str, Any]]:
    """The pairs as the API shows them, both records masked (two queries for households)."""
    kks, sizes = queries.household_facts(
        pk for p in pairs for pk in (p.household_a_id, p.household_b_id) if pk
    )
    rows = []
    for pair in pairs:
        contributions = pair.contributions or {}
        rows.append(
            {
                "id": pair.pk,
                "kind": pair.kind,
                "state": pair.state,
                "score": pair.match_weight,
                "match_probability": pair.match_probability,
                "contributions": {
                    name: float(value)
                    for name, value in contributions.items()
                    if isinstance(value, int | float) and not isinstance(value, bool)
                },
                "levels": {str(k): str(v) for k, v in (contributions.get("levels") or {}).items()},
                "matched_members": list(contributions.get("members") or []),
                "blocking_rule": pair.blocking_rule,
                "model_version": pair.model_version,
                "left_person": _person(pair.person_a),
                "right_person": _person(pair.person_b),
                "left_household": _household(pair.household_a, kks, sizes),
                "right_household": _household(pair.household_b, kks, sizes),
                "decided_by": pair.decided_by.get_username() if pair.decided_by else None,
                "decided_at": pair.decided_at,
                "reason": pair.reason,
                "updated_at": pair.updated_at,
            }
        )
    return rows


def _pair_answer(user: User, pk: int) -> Response:
    pair = queries.pairs_for(user).select_related(*_RELATED).get(pk=pk)
    return Response(PairOutput(pair_rows([pair])[0]).data)


class PairListApi(APIView):
    pagination_class = RegistryPagination

    @extend_schema(
        operation_id="duplicates_list",
        parameters=[
            OpenApiParameter("village", str, description="A village's code (or a kecamatan's)."),
            OpenApiParameter("kind", str, enum=PairKind.values, description="person or household."),
            OpenApiParameter(
                "state",
                str,
                enum=DuplicatePair.State.values,
                description="open (the default: the pairs to decide), dismissed or merged.",
            ),
        ],
        responses=PairOutput(many=True),
        tags=TAGS,
        description="Candidate duplicate pairs whose two records are both in the reader's "
        "review areas, most likely first, with their score and each field's part of it; "
        "identifiers masked.",
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        pairs = queries.search_pairs(
            _user(request),
            kind=params.get("kind", "").strip(),
            state=params.get("state", "").strip(),
            village=params.get("village", "").strip()[:18],
        ).select_related(*_RELATED)
        paginator = self.pagination_class()
        rows = paginator.paginate_queryset(pairs, request, view=self) or []
        return paginator.get_paginated_response(PairOutput(pair_rows(rows), many=True).data)


class PairDetailApi(APIView):
    @extend_schema(
        operation_id="duplicates_retrieve",
        responses=PairOutput,
        tags=TAGS,
        description="A pair, both records side by side (masked). A read from outside the "
        "records' village teams is recorded in the audit trail.",
    )
    def get(self, request: Request, pk: int) -> Response:
        user = _user(request)
        pair = queries.get_pair(user, pk)
        for record in (pair.person_a, pair.person_b, pair.household_a, pair.household_b):
            if record is not None:
                area = record.village_id or record.kecamatan_code
                record_read(user=user, obj=record, village_code=area, via="api duplicates")
        return _pair_answer(user, pair.pk)


class PairMergeApi(APIView):
    error_statuses = ("409",)

    @extend_schema(
        operation_id="duplicates_merge",
        request=MergeInput,
        responses={200: PairOutput},
        tags=TAGS,
        description="Merge the pair's records into the one kept (left: the first, right: "
        "the second), with a reason: the other's history moves to it, identity values "
        "that disagree become conflicts, its id redirects (audited). 404 outside one's "
        "review areas, 409 when the pair was decided already or a record was merged "
        "into another since.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        pair = queries.get_pair(user, pk)
        data = MergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        merge_pair(
            pair=pair,
            reviewer=user,
            reason=data.validated_data["reason"],
            keep=data.validated_data["keep"],
        )
        return _pair_answer(user, pair.pk)


class PairDismissApi(APIView):
    error_statuses = ("409",)

    @extend_schema(
        operation_id="duplicates_dismiss",
        request=ReasonInput,
        responses={200: PairOutput},
        tags=TAGS,
        description="Two different records, for good (a later search leaves the pair "
        "dismissed), with a reason (audited). 404 outside one's review areas, 409 when "
        "the pair was decided already.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        pair = queries.get_pair(user, pk)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        dismiss_pair(pair=pair, reviewer=user, reason=data.validated_data["reason"])
        return _pair_answer(user, pair.pk)


class PairUndoApi(APIView):
    error_statuses = ("409",)

    @extend_schema(
        operation_id="duplicates_undo",
        request=ReasonInput,
        responses={200: PairOutput},
        tags=TAGS,
        description="Undo the pair's merge exactly and reopen it, with a reason (audited). "
        "409 when it is not merged, or when a newer change of its records depends on the "
        "merge.",
    )
    def post(self, request: Request, pk: int) -> Response:
        user = _user(request)
        pair = queries.get_pair(user, pk)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        undo_pair(pair=pair, reviewer=user, reason=data.validated_data["reason"])
        return _pair_answer(user, pair.pk)
