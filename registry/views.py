"""The registry's pages: search, a household, a person, the conflicts.

Interfaces only: each view asks ``registry.queries`` for what the person may
see (a record outside her areas is the same 404 as an unknown one), shows it
masked (``registry.presentation``) and calls one domain function to change
anything: ``reveal_household``/``reveal_person`` (with a reason, audited),
``resolve_conflict`` (reviewers). Opening a household's or a person's page
from outside the village's own team is recorded (``registry.read_audit``).
A reveal's answer is the page itself, with the full numbers, never stored
or cached: no redirect could carry them without putting them somewhere.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import Action, Scope, can, require, scope_for
from accounts.models import User
from areas.models import Area, AreaLevel
from foundation.errors import DomainError
from registry import queries
from registry.conflicts import resolve_conflict
from registry.family_members import family_members
from registry.form_labels import NO_LABELS, FormLabels, labels_of_source
from registry.history import household_as_of, household_history, person_as_of, person_history
from registry.masking import mask_nik
from registry.models import Conflict, Household, Participation, Person
from registry.photo_files import photo_response
from registry.presentation import (
    PROGRAMME_LABELS,
    as_of_values,
    conflict_row,
    history_rows,
    household_detail,
    labelled,
    parse_day,
    person_detail,
    programme_label,
)
from registry.read_audit import record_read
from registry.reveal import (
    RevealedHousehold,
    RevealedPerson,
    RevealRateLimited,
    reveal_household,
    reveal_person,
)

logger = logging.getLogger(__name__)

CHOICES_SECONDS = 60
NEIGHBOURS_ON_MAP = 500


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _village_choices(user: User) -> list[tuple[str, str]]:
    """The villages of the reader's areas for the filter, read once a minute per scope."""
    scope: Scope = scope_for(user, Action.VIEW)
    if scope.is_empty:
        return []
    key = "registry:villages:" + ("*" if scope.everywhere else ",".join(scope.roots))
    found = cache.get(key)
    if found is None:
        villages = Area.objects.filter(level=AreaLevel.VILLAGE).order_by("parent__name", "name")
        if not scope.everywhere:
            villages = villages.filter(scope.q("code"))
        found = [
            (code, f"{name} · {parent or ''}")
            for code, name, parent in villages.values_list("code", "name", "parent__name")[:1000]
        ]
        cache.set(key, found, CHOICES_SECONDS)
    return list(found)


def _filter_context(request: HttpRequest, filters: queries.RegistryFilters) -> dict[str, Any]:
    query = filters.as_query()
    return {
        "filters": filters,
        "query": urlencode(query),
        "has_filters": filters.is_filtered,
        "villages": _village_choices(_user(request)),
        "programmes": [(code, str(label)) for code, label in PROGRAMME_LABELS.items()],
        "can_export": not scope_for(_user(request), Action.EXPORT).is_empty,
    }


@require_GET
def registry_home(request: HttpRequest) -> HttpResponse:
    return redirect("registry:households")


def _summary_page(request: HttpRequest) -> HttpResponse:
    """A monitor's registry: the counts of her areas, no one's data."""
    summary = queries.registry_summary(_user(request))
    return render(
        request,
        "registry/summary.html",
        {
            "summary": summary,
            "total_households": sum(row.households for row in summary),
            "total_people": sum(row.people for row in summary),
        },
    )


@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if scope_for(user, Action.VIEW).is_empty:
        return _summary_page(request)
    filters = queries.RegistryFilters.from_query(request.GET)
    households = queries.search_households(user, filters).select_related("village", "head")
    page = queries.page_of(households, request.GET.get("page"))
    ids = [household.pk for household in page.rows]
    sizes: dict[int, int] = {}
    for household_id in Person.objects.filter(household_id__in=ids).values_list(
        "household_id", flat=True
    ):
        sizes[household_id] = sizes.get(household_id, 0) + 1
    programmes: dict[int, list[str]] = {}
    for household_id, code in (
        Participation.objects.filter(household_id__in=ids, until__isnull=True)
        .order_by("programme")
        .values_list("household_id", "programme")
        .distinct()
    ):
        programmes.setdefault(household_id, []).append(programme_label(code))
    rows = [
        {
            "household": household,
            "head_nik": mask_nik(household.head.nik if household.head else ""),
            "size": sizes.get(household.pk, 0),
            "programmes": programmes.get(household.pk, []),
        }
        for household in page.rows
    ]
    return render(
        request,
        "registry/household_list.html",
        {"page": page, "rows": rows, **_filter_context(request, filters)},
    )


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if scope_for(user, Action.VIEW).is_empty:
        return _summary_page(request)
    filters = queries.RegistryFilters.from_query(request.GET)
    people = queries.search_people(user, filters).select_related("village", "household")
    page = queries.page_of(people, request.GET.get("page"))
    rows = [{"person": person, "nik": mask_nik(person.nik)} for person in page.rows]
    return render(
        request,
        "registry/person_list.html",
        {"page": page, "rows": rows, **_filter_context(request, filters)},
    )


# --- a household ----------------------------------------------------------------------


def _map_data(user: User, household: Household, detail: dict[str, Any]) -> dict[str, Any] | None:
    if detail["location"] is None:
        return None
    points = (
        queries.households_for(user)
        .filter(village_id=household.village_id, location__isnull=False)
        .exclude(pk=household.pk)
        .order_by()
        .values_list("location", flat=True)[:NEIGHBOURS_ON_MAP]
    )
    return {
        "household": detail["location"],
        "neighbours": [{"lat": p.y, "lon": p.x} for p in points if p is not None],
        "tiles": settings.SRS_MAP_TILE_URL,
        "attribution": settings.SRS_MAP_TILE_ATTRIBUTION,
    }


def _household_context(
    request: HttpRequest, household: Household, revealed: RevealedHousehold | None = None
) -> dict[str, Any]:
    user = _user(request)
    detail = household_detail(household)
    if revealed is not None:
        for member in detail["members"]:
            shown = revealed.member(member["id"])
            if shown is not None:
                member.update(nik=shown.nik, kk_number=shown.kk_number, phone=shown.phone)
        detail["kks_number"] = revealed.kks_number
        numbers = dict(revealed.families)
        for family in detail["families"]:
            family["kk_number"] = numbers.get(family["id"], family["kk_number"])
        head = revealed.member(household.head_id or 0)
        detail["head_nik"] = head.nik if head else detail["head_nik"]
    can_resolve = can(user, Action.REVIEW, household.village_id)
    labels = labels_of_source(household.created_by_source_id, translation.get_language() or "id")
    as_of = _as_of(request, lambda day: household_as_of(household, day), labels)
    if as_of["as_of_values"] is not None:
        ids = as_of.pop("members_then")
        as_of["as_of_members"] = list(
            queries.people_for(user).filter(pk__in=ids).values_list("name", flat=True)
        )
    return {
        **as_of,
        "as_of_empty": _("The registry held nothing of this household on that date."),
        "household": household,
        "detail": detail,
        "history": history_rows(household_history(household), labels),
        "housing": labelled(household.housing, "housing", labels),
        "assets": [labels.choice("assets", code) for code in detail["assets"]],
        "map": _map_data(user, household, detail),
        "can_reveal": can(user, Action.REVEAL, household.village_id),
        "can_resolve": can_resolve,
        "open_conflicts": [c for c in detail["conflicts"] if c["state"] == Conflict.State.OPEN],
        "resolved_conflicts": [c for c in detail["conflicts"] if c["state"] != Conflict.State.OPEN],
        "revealed": revealed is not None,
        "here": request.path,
    }


def _as_of(
    request: HttpRequest,
    values_on: Callable[[datetime.date], Any],
    labels: FormLabels = NO_LABELS,
) -> dict[str, Any]:
    """The "as on a date" part of a page: ``?as_of=YYYY-MM-DD`` and the values held then."""
    text = request.GET.get("as_of", "")[:20]
    day = parse_day(text)
    found: dict[str, Any] = {
        "as_of": day,
        "as_of_text": text,
        "as_of_values": None,
        "as_of_members": None,
        "members_then": [],
    }
    if day is not None:
        values = dict(values_on(day))
        found["members_then"] = values.pop("members", [])
        found["as_of_values"] = as_of_values(values, labels)
    return found


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def _to_kept(request: HttpRequest, name: str, kept_id: int) -> HttpResponse:
    """A duplicate merged into another record: its page is the kept one's (302, not 301:
    the merge may be undone), with the same query (``as_of``)."""
    url = reverse(name, args=[kept_id])
    if request.GET:
        url += "?" + request.GET.urlencode()
    return redirect(url)


def household_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    household = queries.get_household(user, pk)
    if household.merged_into_id is not None:
        return _to_kept(request, "registry:household", queries.kept_record_id(user, household))
    via = "page as_of" if request.GET.get("as_of") else "page"
    record_read(user=user, obj=household, village_code=household.village_id, via=via)
    return render(request, "registry/household_detail.html", _household_context(request, household))


@require_GET
def household_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The household's house photo (or its thumbnail), for readers of the household."""
    household = queries.get_household(_user(request), pk)
    return photo_response(household, thumbnail=request.GET.get("size") == "thumbnail")


# --- a person -------------------------------------------------------------------------


def _area_of(person: Person) -> str:
    """Her village, or her kecamatan when she has none: where her reads are recorded."""
    return person.village_id or person.kecamatan_code


def _person_context(
    request: HttpRequest, person: Person, revealed: RevealedPerson | None = None
) -> dict[str, Any]:
    user = _user(request)
    detail = person_detail(person)
    if revealed is not None:
        detail.update(nik=revealed.nik, kk_number=revealed.kk_number, phone=revealed.phone)
    visible_households = set(
        queries.households_for(user)
        .filter(pk__in={r["household_id"] for r in detail["residences"]})
        .values_list("pk", flat=True)
    )
    labels = labels_of_source(person.created_by_source_id, translation.get_language() or "id")
    as_of = _as_of(request, lambda day: person_as_of(person, day), labels)
    as_of.pop("members_then")
    family = family_members(user, person)
    return {
        **as_of,
        "as_of_empty": _("The registry held nothing of this person on that date."),
        "person": person,
        "detail": detail,
        "history": history_rows(person_history(person), labels),
        "details": labelled(person.details, "details", labels),
        "visible_households": visible_households,
        "family_members": family.members,
        "family_outside": family.outside,
        "can_reveal": can(user, Action.REVEAL, _area_of(person)),
        "can_resolve": can(user, Action.REVIEW, _area_of(person)),
        "open_conflicts": [c for c in detail["conflicts"] if c["state"] == Conflict.State.OPEN],
        "revealed": revealed is not None,
        "here": request.path,
    }


@require_GET
def person_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    person = queries.get_person(user, pk)
    if person.merged_into_id is not None:
        return _to_kept(request, "registry:person", queries.kept_record_id(user, person))
    via = "page as_of" if request.GET.get("as_of") else "page"
    record_read(user=user, obj=person, village_code=_area_of(person), via=via)
    return render(request, "registry/person_detail.html", _person_context(request, person))


# --- reveals ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Revealable:
    """What a reveal page needs of a household or a person."""

    template: str
    find: Callable[[User, int], Any]  # 404 outside the reader's areas
    reveal: Callable[[User, Any, str], Any]  # (reader, record, reason): the full numbers
    context: Callable[[HttpRequest, Any, Any], dict[str, Any]]  # (request, record, revealed)


def _reveal_page(request: HttpRequest, pk: int, kind: _Revealable) -> HttpResponse:
    """The record's page with its full numbers, never stored; a refusal (no reason, too
    many reveals) on the masked page with its status and, for too many, Retry-After.
    Not found (404) and not allowed (403) go to their own pages."""
    user = _user(request)
    record = kind.find(user, pk)  # 404 before anything else
    try:
        revealed = kind.reveal(user, record, request.POST.get("reason", ""))
    except DomainError as error:
        if error.http_status in (403, 404):
            raise
        context = kind.context(request, record, None)
        context["reveal_error"] = error.detail
        response = render(request, kind.template, context, status=error.http_status)
        if isinstance(error, RevealRateLimited):
            response["Retry-After"] = str(error.retry_after)
        return response
    return _no_store(render(request, kind.template, kind.context(request, record, revealed)))


_HOUSEHOLD = _Revealable(
    template="registry/household_detail.html",
    find=queries.get_household,
    reveal=lambda user, household, reason: reveal_household(
        user=user, household_id=household.pk, reason=reason
    ),
    context=_household_context,
)
_PERSON = _Revealable(
    template="registry/person_detail.html",
    find=queries.get_person,
    reveal=lambda user, person, reason: reveal_person(
        user=user, person_id=person.pk, reason=reason
    ),
    context=_person_context,
)


@require_POST
def household_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    return _reveal_page(request, pk, _HOUSEHOLD)


@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    return _reveal_page(request, pk, _PERSON)


# --- conflicts ------------------------------------------------------------------------


@require_GET
def conflict_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    village = request.GET.get("village", "").strip()[:18]
    state = request.GET.get("state", Conflict.State.OPEN)
    conflicts = queries.search_conflicts(user, village=village, state=state).select_related(
        "village", "person", "household"
    )
    page = queries.page_of(conflicts, request.GET.get("page"))
    scope = scope_for(user, Action.REVIEW)
    rows = [
        {
            "conflict": conflict,
            "row": conflict_row(conflict),
            "can_resolve": scope.covers(conflict.village_id),
        }
        for conflict in page.rows
    ]
    query = urlencode({k: v for k, v in {"village": village, "state": state}.items() if v})
    return render(
        request,
        "registry/conflict_list.html",
        {
            "page": page,
            "rows": rows,
            "village": village,
            "state": state,
            "states": Conflict.State.choices,
            "villages": _village_choices(user),
            "query": query,
            "here": request.get_full_path(),
        },
    )


def _safe_next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


@require_POST
def conflict_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the held or the offered value of a conflict, with a reason.

    The form sends which one (``choice``), never the value itself: the page
    shows both masked, and a masked NIK must not come back as the choice.
    """
    user = _user(request)
    conflict = queries.get_conflict(user, pk)  # 404 outside one's areas
    require(user, Action.REVIEW, conflict.village_id)  # 403 for a reader who is no reviewer
    back = _safe_next(request, reverse("registry:conflicts"))
    choice = request.POST.get("choice", "")
    if choice not in ("held", "offered"):
        messages.error(request, _("Choose one of the two values."))
        return redirect(back)
    value = conflict.held if choice == "held" else conflict.offered
    try:
        resolve_conflict(
            user=user,
            conflict_id=conflict.pk,
            value=value,
            reason=request.POST.get("reason", "").strip(),
        )
    except DomainError as error:
        if error.http_status == 404:
            raise
        messages.error(request, error.detail)
        return redirect(back)
    messages.success(request, _("The conflict is resolved; the choice is in the history."))
    return redirect(back)
