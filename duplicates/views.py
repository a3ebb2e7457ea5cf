"""The reviewer's pages of duplicate pairs: the list, a pair side by side, her decisions.

Interfaces only. Every page is for the reviewers of an area (``Action.REVIEW``;
anyone else: 403) and reads through ``duplicates.queries``: a pair whose two
records are not both in her areas is the same 404 as an unknown id. Records
are shown masked (``registry.masking``, via ``duplicates.presentation``);
opening a pair is a read of both records (``registry.read_audit``). Each
decision is a POST (CSRF) calling one function of ``duplicates.decisions``,
then a redirect to the pair with a message; a refusal (no reason, a pair
decided already, an undo blocked by a newer change) is the pair's page again
with the refusal in the reviewer's words and its status (422, 409).
"""

import logging
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import Action, require, scope_for
from accounts.models import User
from areas.models import Area, AreaLevel
from duplicates import queries
from duplicates.decisions import dismiss_pair, merge_pair, undo_pair
from duplicates.models import DuplicatePair, PairKind
from duplicates.presentation import (
    household_rows,
    merge_preview,
    percent,
    person_rows,
    sign_of,
    signed,
)
from foundation.errors import DomainError
from registry.queries import page_of, people_for
from registry.read_audit import record_read

logger = logging.getLogger(__name__)

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
VILLAGES_LIMIT = 1000


def _reviewer(request: HttpRequest) -> User:
    """The signed-in reviewer; NotAllowed (403) for anyone who reviews nowhere."""
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware let no one else in
    require(user, Action.REVIEW)
    return user


def _village_choices(user: User) -> list[tuple[str, str]]:
    scope = scope_for(user, Action.REVIEW)
    villages = Area.objects.filter(level=AreaLevel.VILLAGE).order_by("parent__name", "name")
    if not scope.everywhere:
        villages = villages.filter(scope.q("code"))
    return [
        (code, f"{name} · {parent or ''}")
        for code, name, parent in villages.values_list("code", "name", "parent__name")[
            :VILLAGES_LIMIT
        ]
    ]


def _record_label(pair: DuplicatePair, side: str) -> dict[str, Any]:
    """A record of the list, the little a reviewer needs to pick a pair: no identifier."""
    if pair.kind == PairKind.PERSON:
        person = pair.person_a if side == "a" else pair.person_b
        assert person is not None
        return {
            "name": person.name,
            "born": person.birth_date,
            "village": person.village.name if person.village else "",
        }
    household = pair.household_a if side == "a" else pair.household_b
    assert household is not None
    head = household.head
    return {
        "name": head.name if head else _("Household %(number)s") % {"number": household.pk},
        "born": None,
        "village": household.village.name,
    }


@require_GET
def pair_list(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    kind = request.GET.get("kind", "").strip()[:20]
    state = request.GET.get("state", "").strip()[:20] or DuplicatePair.State.OPEN
    village = request.GET.get("village", "").strip()[:18]
    pairs = queries.search_pairs(user, kind=kind, state=state, village=village).select_related(
        *_RELATED
    )
    page = page_of(pairs, request.GET.get("page"))
    rows = [
        {
            "pair": pair,
            "left": _record_label(pair, "a"),
            "right": _record_label(pair, "b"),
            "score": signed(pair.match_weight),
            "sign": sign_of(pair.match_weight),
            "probability": percent(pair.match_probability),
        }
        for pair in page.rows
    ]
    query = urlencode(
        {k: v for k, v in {"kind": kind, "state": state, "village": village}.items() if v}
    )
    return render(
        request,
        "duplicates/pair_list.html",
        {
            "page": page,
            "rows": rows,
            "kind": kind,
            "state": state,
            "village": village,
            "kinds": PairKind.choices,
            "states": DuplicatePair.State.choices,
            "villages": _village_choices(user),
            "query": query,
        },
    )


def _matched_members(user: User, pair: DuplicatePair) -> list[dict[str, Any]]:
    """Households: the members found alike, by name, those of the reader's areas only."""
    found = list((pair.contributions or {}).get("members") or [])
    ids = {int(m[key]) for m in found for key in ("person_a", "person_b")}
    names = dict(people_for(user).filter(pk__in=ids).values_list("pk", "name"))
    return [
        {
            "left_id": int(m["person_a"]),
            "right_id": int(m["person_b"]),
            "left": names.get(int(m["person_a"]), ""),
            "right": names.get(int(m["person_b"]), ""),
            "score": signed(float(m["match_weight"])),
            "sign": sign_of(float(m["match_weight"])),
        }
        for m in found
        if int(m["person_a"]) in names and int(m["person_b"]) in names
    ]


def _kept_side(pair: DuplicatePair) -> str:
    """Of a merged pair, ``left`` or ``right``: the record the other now redirects to."""
    a, b = (
        (pair.person_a, pair.person_b)
        if pair.kind == PairKind.PERSON
        else (pair.household_a, pair.household_b)
    )
    if a is not None and a.merged_into_id is not None:
        return "right"
    if b is not None and b.merged_into_id is not None:
        return "left"
    return ""


def _pair_context(request: HttpRequest, user: User, pk: int) -> dict[str, Any]:
    pair = queries.pairs_for(user).select_related(*_RELATED).get(pk=pk)
    contributions = pair.contributions or {}
    context: dict[str, Any] = {
        "pair": pair,
        "is_person": pair.kind == PairKind.PERSON,
        "score": signed(pair.match_weight),
        "sign": sign_of(pair.match_weight),
        "probability": percent(pair.match_probability),
        "preview": merge_preview(pair),
        "kept_side": _kept_side(pair) if pair.state == DuplicatePair.State.MERGED else "",
        "form": {"keep": "", "reason": "", "action": ""},
    }
    if pair.kind == PairKind.PERSON:
        prior = float(contributions.get("prior") or 0.0)
        context.update(
            left=pair.person_a,
            right=pair.person_b,
            rows=person_rows(pair),
            prior=signed(prior),
            prior_sign=sign_of(prior),
        )
    else:
        kks, sizes = queries.household_facts(
            pk for pk in (pair.household_a_id, pair.household_b_id) if pk
        )
        context.update(
            left=pair.household_a,
            right=pair.household_b,
            rows=household_rows(pair, kks, sizes),
            members_matched=int(contributions.get("members_matched") or 0),
            smaller_size=int(contributions.get("smaller_household_size") or 0),
            mean_probability=percent(float(contributions.get("mean_member_probability") or 0)),
            matched_members=_matched_members(user, pair),
        )
    return context


@require_GET
def pair_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reviewer(request)
    pair = queries.get_pair(user, pk)  # 404 outside her areas, as for no pair
    for record in (pair.person_a, pair.person_b, pair.household_a, pair.household_b):
        if record is not None:
            area = record.village_id or record.kecamatan_code
            record_read(user=user, obj=record, village_code=area, via="page duplicates")
    return render(request, "duplicates/pair_detail.html", _pair_context(request, user, pair.pk))


def _refused(
    request: HttpRequest, user: User, pk: int, error: DomainError, action: str
) -> HttpResponse:
    """The pair's page again with the refusal and what the reviewer typed; 403 and 404
    go to their own pages."""
    if error.http_status in (403, 404):
        raise error
    logger.info("duplicates: %s of pair %s refused code=%s", action, pk, error.code)
    context = _pair_context(request, user, pk)
    context["error"] = error.detail
    context["form"] = {
        "keep": request.POST.get("keep", ""),
        "reason": request.POST.get("reason", "")[:2000],
        "action": action,
    }
    return render(request, "duplicates/pair_detail.html", context, status=error.http_status)


@require_POST
def pair_merge(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reviewer(request)
    pair = queries.get_pair(user, pk)
    try:
        merge_pair(
            pair=pair,
            reviewer=user,
            reason=request.POST.get("reason", ""),
            keep=request.POST.get("keep", ""),
        )
    except DomainError as error:
        return _refused(request, user, pair.pk, error, "merge")
    messages.success(
        request,
        _(
            "The two records are merged. The other record's page now leads to the kept one; "
            "values that disagreed are open conflicts on it."
        ),
    )
    return redirect("duplicates:pair", pk=pair.pk)


@require_POST
def pair_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reviewer(request)
    pair = queries.get_pair(user, pk)
    try:
        dismiss_pair(pair=pair, reviewer=user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        return _refused(request, user, pair.pk, error, "dismiss")
    messages.success(request, _("The pair is dismissed: a later search will not propose it again."))
    return redirect("duplicates:pair", pk=pair.pk)


@require_POST
def pair_undo(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reviewer(request)
    pair = queries.get_pair(user, pk)
    try:
        undo_pair(pair=pair, reviewer=user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        return _refused(request, user, pair.pk, error, "undo")
    messages.success(
        request, _("The merge is undone: both records are as they were, and the pair is open.")
    )
    return redirect("duplicates:pair", pk=pair.pk)
