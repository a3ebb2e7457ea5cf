"""The review queue's pages: the queue, a household's submission, the decisions.

Interfaces only: each view reads its input, asks ``review.queue`` for what the
person may see and calls one service of ``review.decisions`` or
``review.corrections``. A decision's form sends the item's ``version`` as
the reviewer saw it; the answer is a redirect to the item's page with a
message (POST-redirect-GET), or, when another reviewer decided first, the
page again with status 409, that reviewer's decision and the message.

The queue's filters, sort and position travel in the URL between the list and
the detail page (``pos`` is the item's place in the filtered queue), so that
next/previous walk the same list the reviewer filtered.
"""

import logging
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Action, scope_for
from accounts.errors import NotAllowed
from accounts.models import Role, User
from areas.models import Area
from forms.models import Questionnaire
from foundation.errors import DomainError
from registry.masking import mask_kk, mask_nik
from review import corrections, decisions, queue
from review.answer_sections import AnswerSections, answer_sections, correctable_questions
from review.attachments import file_response, find_attachment, submission_chain
from review.errors import AttachmentNotFound
from review.item_answers import answer_versions, current_answers
from review.labelled_answers import (
    NOT_ANSWERS,
    area_codes_in,
    area_names_for,
    form_language,
    outline_of_version,
    text_for,
)
from review.masked_answers import mask_answers, mask_value, masks_of, reveal_item
from review.models import Finding, ReviewItem, Severity
from review.oversight import village_points
from review.queue_totals import cached_count
from review.registry_preview import registry_preview

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# Query parameters that are the list's filters and sort (kept between list and detail).
FILTER_KEYS = (
    "questionnaire",
    "village",
    "review_state",
    "check",
    "severity",
    "agent",
    "received_after",
    "received_before",
    "q",
    "order",
)
# The checks of review.checks, with their names for people (the queue's filter).
CHECK_LABELS = {
    "nik.format": gettext_lazy("NIK: not 16 digits"),
    "nik.in_registry_elsewhere": gettext_lazy("NIK: in another household of the registry"),
    "household.in_registry": gettext_lazy("Household: already in the registry"),
    "nik.area_unknown": gettext_lazy("NIK: unknown kecamatan code"),
    "nik.date": gettext_lazy("NIK: impossible birth date"),
    "nik.sex": gettext_lazy("NIK: does not match the sex"),
    "nik.birth_date": gettext_lazy("NIK: does not match the birth date"),
    "nik.duplicate_in_household": gettext_lazy("NIK: twice in the household"),
    "nik.duplicate_in_queue": gettext_lazy("NIK: also in another submission"),
    "kk.format": gettext_lazy("KK: not a family card number"),
    "household.duplicate": gettext_lazy("Possible duplicate household"),
    "gps.missing": gettext_lazy("GPS: missing"),
    "gps.accuracy": gettext_lazy("GPS: not accurate enough"),
    "gps.outside_indonesia": gettext_lazy("GPS: outside Indonesia"),
    "gps.far_from_village": gettext_lazy("GPS: far from the village's households"),
    "photo.unreadable": gettext_lazy("Photo: cannot be read"),
    "photo.tiny": gettext_lazy("Photo: too small"),
    "photo.one_colour": gettext_lazy("Photo: nearly one colour"),
    "photo.duplicate": gettext_lazy("Photo: the same as another submission's"),
    "photo.exif_time": gettext_lazy("Photo: taken at another time"),
    "photo.exif_position": gettext_lazy("Photo: taken at another place"),
    "phone.invalid": gettext_lazy("Phone number not valid"),
    "value.choice_gone": gettext_lazy("Value: choice no longer in the form"),
    "value.out_of_range": gettext_lazy("Value: outside the form's range"),
}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _filter_query(params: QueryDict) -> QueryDict:
    """The filters and sort of ``params`` alone (no page, no position)."""
    kept = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        values = [v for v in params.getlist(key) if v != ""]
        if values:
            kept.setlist(key, values)
    return kept


def _with(query: QueryDict, **extra: object) -> str:
    data = query.copy()
    for key, value in extra.items():
        data[key] = str(value)
    return data.urlencode()


def _filtered_queue(user: User, params: QueryDict) -> tuple[QuerySet[ReviewItem], Any]:
    filters = queue.QueueFilters.from_query(params)
    return queue.filter_queue(queue.queue_for(user), filters), filters


def _options(pairs: list[tuple[str, str]], selected: str | None) -> SafeString:
    """``<option>`` elements, escaped, built in Python: a regency's 390 villages and its
    agents cost a template loop about as much as the rest of the queue page."""
    return mark_safe(  # noqa: S308 (every value and label is escaped here)
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in pairs
        )
    )


# The filters' villages and agents change when areas are loaded or agents are added: the
# queue, reloaded all day, reads them once a minute per scope (not 390 rows a page).
CHOICES_SECONDS = 60


def _scope_key(user: User) -> str:
    scope = scope_for(user, Action.VIEW)
    return "*" if scope.everywhere else ",".join(sorted(scope.roots))


def _cached_choices(kind: str, user: User, read: Any) -> list[tuple[str, str]]:
    if scope_for(user, Action.VIEW).is_empty:
        return []
    key = f"review:choices:{kind}:{_scope_key(user)}"
    found = cache.get(key)
    if found is None:
        found = read(scope_for(user, Action.VIEW))
        cache.set(key, found, CHOICES_SECONDS)
    return cast(list[tuple[str, str]], found)


def _read_villages(scope: Any) -> list[tuple[str, str]]:
    villages = Area.objects.filter(level="village").order_by("parent__name", "name")
    if not scope.everywhere:
        villages = villages.filter(scope.q("code"))
    return [
        (code, f"{name} · {parent or ''}")
        for code, name, parent in villages.values_list("code", "name", "parent__name")[:1000]
    ]


def _read_agents(scope: Any) -> list[tuple[str, str]]:
    agents = User.objects.filter(role_assignments__role=Role.FIELD_AGENT)
    if not scope.everywhere:
        agents = agents.filter(scope.q("role_assignments__area__code"))
    rows = (
        agents.distinct()
        .order_by("first_name", "last_name", "username")
        .values_list("username", "first_name", "last_name")[:500]
    )
    return [(username, f"{first} {last}".strip() or username) for username, first, last in rows]


def _read_questionnaires(scope: Any) -> list[tuple[str, str]]:
    # A handful per district, titles only: the same list for everyone who may see items.
    return list(Questionnaire.objects.order_by("title").values_list("form_id", "title"))


SEVERITY_CHOICES = (
    ("0", gettext_lazy("No finding")),
    ("1", gettext_lazy("Information or worse")),
    ("2", gettext_lazy("Warning or worse")),
    ("3", gettext_lazy("Error")),
)


# What a queue row shows: only these columns are read (not the location's geometry, nor
# the agent's password hash).
ROW_FIELDS = (
    "id",
    "state",
    "head_name",
    "head_nik",
    "village_code",
    "checks_version",
    "findings_count",
    "worst_severity",
    "received_at",
    "kecamatan_code",
    "head_name_key",
    "area__name",
    "agent__username",
    "agent__first_name",
    "agent__last_name",
    "questionnaire__title",
)


class _RowText:
    """The words a page of queue rows repeats, each translated once per page (not once a
    row): labels, states, severities, months and the units of an age."""

    def __init__(self) -> None:
        self.labels = {
            "head": escape(_("Head of household")),
            "village": escape(_("Village")),
            "state": escape(_("State")),
            "findings": escape(_("Findings")),
            "received": escape(_("Received")),
            "questionnaire": escape(_("Questionnaire")),
            "agent": escape(_("Field agent")),
        }
        self.no_name = escape(_("(no name)"))
        self.checking = escape(_("being checked"))
        self.none = escape(_("none"))
        self.states = {code: escape(str(label)) for code, label in ReviewItem.State.choices}
        self.severities = {code: escape(str(label)) for code, label in Severity.choices}
        self.months = {number: escape(str(name).title()) for number, name in MONTHS_3.items()}
        self._ages: dict[tuple[str, int], str] = {}

    def age(self, received_at: Any, now: Any) -> str:
        """ "3 days ago": the largest whole unit, as timesince says it, once per value."""
        seconds = max(0, int((now - received_at).total_seconds()))
        for unit, length in _AGE_UNITS:
            if seconds >= length or unit == "minute":
                key = (unit, seconds // length)
                if key not in self._ages:
                    self._ages[key] = escape(_("%(age)s ago") % {"age": _age_words(*key)})
                return self._ages[key]
        raise AssertionError("unreachable")

    def received(self, moment: Any) -> str:
        local = timezone.localtime(moment)
        return f"{local.day} {self.months[local.month]} {local.year} {local:%H:%M}"


_AGE_UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def _age_words(unit: str, count: int) -> str:
    # Django's own phrases of timesince, in Django's own catalogues.
    return str(TIME_STRINGS[unit] % {"num": count})


def _queue_rows(items: list[ReviewItem], urls: list[str]) -> list[SafeString]:
    """The queue's rows as HTML, every value escaped, built in Python.

    A page of 50 rows rendered by the template language cost about 25 ms of CPU
    (a thousand variable lookups and translations); the queue is the page that
    reviewers reload all day while the phones send, so it is built here, with
    each repeated word translated once (``_RowText``).
    """
    text = _RowText()
    labels = text.labels
    now = timezone.now()
    rows = []
    for item, url in zip(items, urls, strict=True):
        href = escape(url)
        nik = (
            f'<br><span class="muted nik">{escape(mask_nik(item.head_nik))}</span>'
            if item.head_nik
            else ""
        )
        village = item.area.name if item.area else (item.village_code or "—")
        if item.checks_version == 0:
            findings = f'<span class="muted">{text.checking}</span>'
        elif item.findings_count:
            severity = int(item.worst_severity)
            findings = (
                f'<span class="badge sev-{severity}">{item.findings_count} · '
                f"{text.severities.get(severity, '')}</span>"
            )
        else:
            findings = f'<span class="muted">{text.none}</span>'
        agent = item.agent
        agent_name = f"{agent.first_name} {agent.last_name}".strip() or agent.username
        rows.append(
            mark_safe(  # noqa: S308 (every value is escaped above or is a number)
                f'<tr data-href="{href}" id="item-{item.pk}">'
                f'<td data-label="{labels["head"]}"><a href="{href}">'
                f"{escape(item.head_name) or text.no_name}</a>{nik}</td>"
                f'<td data-label="{labels["village"]}">{escape(village)}</td>'
                f'<td data-label="{labels["state"]}"><span class="badge state-{escape(item.state)}">'
                f"{text.states.get(item.state, escape(item.state))}</span></td>"
                f'<td data-label="{labels["findings"]}">{findings}</td>'
                f'<td data-label="{labels["received"]}"><time datetime="'
                f'{timezone.localtime(item.received_at).isoformat()}">'
                f"{text.received(item.received_at)}</time><br>"
                f'<span class="muted">{text.age(item.received_at, now)}</span></td>'
                f'<td data-label="{labels["questionnaire"]}">{escape(item.questionnaire.title)}</td>'
                f'<td data-label="{labels["agent"]}">{escape(agent_name)}</td></tr>'
            )
        )
    return rows


@require_GET
def queue_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    items, filters = _filtered_queue(user, request.GET)
    page = queue.queue_page(
        items.select_related("questionnaire", "agent", "area").only(*ROW_FIELDS),
        number=request.GET.get("page"),
        total=cached_count(items, user=user, filters=filters),
    )
    query = _filter_query(request.GET)
    offset = (page.number - 1) * page.size
    base = reverse("submissions:list")
    rows = _queue_rows(
        list(page.items),
        [
            f"{base}{item.pk}/?{_with(query, pos=offset + index)}"
            for index, item in enumerate(page.items)
        ],
    )
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "params": request.GET,
            "query": query.urlencode(),
            "has_filters": filters.is_filtered,
            "questionnaire_options": _options(
                _cached_choices("questionnaires", user, _read_questionnaires),
                request.GET.get("questionnaire"),
            ),
            "village_options": _options(
                _cached_choices("villages", user, _read_villages), request.GET.get("village")
            ),
            "agent_options": _options(
                _cached_choices("agents", user, _read_agents), request.GET.get("agent")
            ),
            "states": ReviewItem.State.choices,
            "severities": SEVERITY_CHOICES,
            "checks": list(CHECK_LABELS.items()),
            "orders": list(queue.ORDER_LABELS.items()),
            "can_review": not scope_for(user, Action.REVIEW).is_empty,
        },
    )


# --- the detail page ------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbours:
    previous_url: str
    next_url: str
    list_url: str
    position: int | None


def _neighbours(user: User, item: ReviewItem, params: QueryDict) -> Neighbours:
    """The items before and after this one in the filtered queue the reviewer came from."""
    query = _filter_query(params)
    try:
        pos = max(int(params.get("pos", "")), 0)
    except ValueError:
        pos = None
    list_url = reverse("submissions:list") + (f"?{query.urlencode()}" if query else "")
    if pos is None:
        return Neighbours("", "", list_url, None)
    if pos >= PAGE_SIZE:
        list_url = reverse("submissions:list") + "?" + _with(query, page=pos // PAGE_SIZE + 1)
    items, _filters = _filtered_queue(user, params)
    start = max(pos - 1, 0)
    ids = list(items.values_list("pk", flat=True)[start : pos + 2])
    at = pos - start  # where this item is (or was) in ``ids``
    if at < len(ids) and ids[at] == item.pk:
        before, after = ids[:at], ids[at + 1 :]
        next_pos = pos + 1
    else:
        # Decided out of the filtered list: the next one has moved up into its place.
        before, after = ids[:at], ids[at:]
        next_pos = pos
    base = reverse("submissions:list")
    previous_url = f"{base}{before[-1]}/?{_with(query, pos=pos - 1)}" if before else ""
    next_url = f"{base}{after[0]}/?{_with(query, pos=next_pos)}" if after else ""
    return Neighbours(previous_url, next_url, list_url, pos)


def _flatten(
    answers: Any, prefix: str = "", index: int | None = None
) -> dict[tuple[str, int | None], str]:
    found: dict[tuple[str, int | None], str] = {}
    if isinstance(answers, dict):
        for key, value in answers.items():
            if key == "meta" and not prefix:
                continue
            path = f"{prefix}{key}"
            if isinstance(value, list):
                for row, member in enumerate(value):
                    found.update(_flatten(member, path + "/", row))
            elif isinstance(value, dict):
                found.update(_flatten(value, path + "/", index))
            elif isinstance(value, str):
                found[(path, index)] = value
    return found


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    member_index: int | None
    before: str
    after: str

    @property
    def member_number(self) -> int | None:
        return None if self.member_index is None else self.member_index + 1


def _labels(outline: Any, language: str) -> dict[str, str]:
    """Every answered question's label by its path (photos included), in ``language``."""
    form_lang = form_language(outline, language)
    return {
        node.path: text_for(node.labels, form_lang, node.name)
        for node in outline.questions
        if node.type not in NOT_ANSWERS
    }


def _differences(before: Any, after: Any, labels: dict[str, str]) -> list[Change]:
    old, new = _flatten(before or {}), _flatten(after or {})
    changes = []
    for place in sorted(set(old) | set(new), key=lambda p: (p[0], -1 if p[1] is None else p[1])):
        if old.get(place, "") != new.get(place, "") and place[0] in labels:
            changes.append(
                Change(place[0], labels[place[0]], place[1], old.get(place, ""), new.get(place, ""))
            )
    return changes


def _message_of(finding: Finding, language: str) -> str:
    return finding.message_id if language == "id" else finding.message_en


def _detail_context(
    request: HttpRequest, item: ReviewItem, *, revealed: bool = False
) -> dict[str, Any]:
    """The household's page; its NIKs, KKs and phones masked unless ``revealed`` (a reveal
    with a reason, audited: review.masked_answers)."""
    user = _user(request)
    language = translation.get_language() or "id"
    version = item.form_version
    outline = outline_of_version(version.pk, version.xform_md5)
    masks = {} if revealed else masks_of(item)
    answers = mask_answers(current_answers(item), masks)
    labels = _labels(outline, language)
    findings = list(item.findings.all())
    # A duplicate in another area is told without naming it: linked only when visible.
    related_ids = {f.related_item_id for f in findings if f.related_item_id}
    visible_related = (
        set(queue.queue_for(user).filter(pk__in=related_ids).values_list("pk", flat=True))
        if related_ids
        else set()
    )
    notes: dict[tuple[str, int | None], list[dict[str, Any]]] = {}
    shown_findings = []
    for finding in findings:
        shown = {
            "kind": "finding",
            "finding": finding,
            "message": _message_of(finding, language),
            "label": labels.get(finding.field, ""),
            "related_id": finding.related_item_id
            if finding.related_item_id in visible_related
            else None,
            "member_number": None if finding.member_index is None else finding.member_index + 1,
        }
        shown_findings.append(shown)
        notes.setdefault((finding.field, finding.member_index), []).append(shown)
    versions = list(answer_versions(item))
    for answer_version in versions:
        for change in answer_version.changes:
            place = (change["field"], change.get("member_index"))
            notes[place] = [n for n in notes.get(place, []) if n["kind"] != "correction"] + [
                {
                    "kind": "correction",
                    "before": mask_value(masks, change["field"], change.get("before", "")),
                    "by": answer_version.created_by,
                    "at": answer_version.created_at,
                    "reason": answer_version.reason,
                }
            ]
    sections: AnswerSections = answer_sections(
        outline,
        answers,
        language=language,
        area_names=area_names_for(area_codes_in(outline, answers)),
        notes=notes,
    )
    attachments = {a.filename: a for a in item.submission.attachments.all()}
    chain = submission_chain(item)
    earlier = [
        {
            "submission": older,
            "changes": _differences(
                mask_answers(older.answers, masks), mask_answers(newer.answers, masks), labels
            ),
            "replaced_by": newer,
        }
        for newer, older in zip(chain, chain[1:], strict=False)
    ]
    corrections_shown = [
        {
            "version": v,
            "changes": [
                Change(
                    c["field"],
                    labels.get(c["field"], c["field"]),
                    c.get("member_index"),
                    str(mask_value(masks, c["field"], c.get("before", ""))),
                    str(mask_value(masks, c["field"], c.get("after", ""))),
                )
                for c in v.changes
            ],
        }
        for v in reversed(versions)
    ]
    reasons = {code: label for code, label in decisions.REJECT_REASONS.items()}
    reasons_shown = {**reasons, "correction": _("answer corrected")}
    history = [
        {"decision": d, "reason_label": reasons_shown.get(d.reason, d.reason)}
        for d in item.decisions.select_related("decided_by").order_by("-decided_at", "-pk")
    ]
    points = (
        [{"lat": p.latitude, "lon": p.longitude} for p in village_points(item, user)]
        if item.location is not None
        else []
    )
    correct_member = request.GET.get("member", "")
    area = decisions.item_area_code(item)
    return {
        "item": item,
        "submission": item.submission,
        "head_nik_shown": item.head_nik if revealed else mask_nik(item.head_nik),
        "kk_shown": item.kk_number if revealed else mask_kk(item.kk_number),
        "revealed": revealed,
        "can_reveal": bool(masks) and scope_for(user, Action.REVEAL).covers(area),
        "sections": sections.sections,
        "findings": shown_findings,
        "counts": {
            "errors": sum(1 for f in findings if f.severity == Severity.ERROR),
            "warnings": sum(1 for f in findings if f.severity == Severity.WARNING),
            "infos": sum(1 for f in findings if f.severity == Severity.INFO),
        },
        "attachments": attachments,
        "earlier": earlier,
        "corrections": corrections_shown,
        "history": history,
        "registry": registry_preview(item)
        if item.state != ReviewItem.State.REJECTED
        and scope_for(user, Action.REVIEW).covers(decisions.item_area_code(item))
        else None,
        # An approved item is in the registry: changed there, not here (ApprovalIsFinal).
        "can_decide": item.state != ReviewItem.State.APPROVED
        and scope_for(user, Action.REVIEW).covers(decisions.item_area_code(item)),
        "is_decided": item.state in (ReviewItem.State.APPROVED, ReviewItem.State.REJECTED),
        "reject_reasons": list(reasons.items()),
        "questions": correctable_questions(outline, language=language),
        "correct_field": request.GET.get("field", ""),
        "correct_member": correct_member if correct_member.isdigit() else "",
        "correct_value": _current_value(answers, request.GET.get("field", ""), correct_member),
        "neighbours": _neighbours(user, item, request.GET),
        "map": _map_data(item, points),
        "keep": _with(_filter_query(request.GET), pos=request.GET["pos"])
        if "pos" in request.GET
        else _filter_query(request.GET).urlencode(),
    }


def _current_value(answers: Any, field: str, member: str) -> str:
    """The answer now at ``field`` (and member number), to start the correction from."""
    if not field:
        return ""
    index = int(member) - 1 if member.isdigit() and int(member) > 0 else None
    return _flatten(answers or {}).get((field, index), "")


def _map_data(item: ReviewItem, points: list[dict[str, Any]]) -> dict[str, Any] | None:
    if item.location is None:
        return None
    return {
        "household": {
            "lat": item.location.y,
            "lon": item.location.x,
            "accuracy": item.location_accuracy_m,
        },
        "neighbours": points,
        "tiles": settings.SRS_MAP_TILE_URL,
        "attribution": settings.SRS_MAP_TILE_ATTRIBUTION,
    }


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = queue.get_visible_item(_user(request), pk)
    return render(request, "review/item_detail.html", _detail_context(request, item))


def _back_to_item(request: HttpRequest, item_id: int) -> HttpResponse:
    keep = request.POST.get("keep", "")
    url = reverse("submissions:detail", args=[item_id])
    return redirect(f"{url}?{keep}" if keep else url)


def _decide(request: HttpRequest, pk: int, action: Any, done: str, **fields: Any) -> HttpResponse:
    """Run one decision; PRG with ``done`` as the message, or the page again on refusal."""
    user = _user(request)
    item = queue.get_visible_item(user, pk)  # 404 outside one's areas, before anything else
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        action(user=user, item_id=item.pk, version=version, **fields)
    except (NotAllowed, queue.ItemNotFound):
        raise
    except DomainError as error:
        item = queue.get_visible_item(user, pk)
        context = _detail_context(request, item)
        context["error"] = error.detail
        context["moved_on"] = error.http_status == 409
        return render(request, "review/item_detail.html", context, status=error.http_status)
    messages.success(request, done)
    return _back_to_item(request, item.pk)


@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The page again with the full NIKs, KKs and phones, for this answer only (never a URL
    or the session): the reason is in the audit trail."""
    user = _user(request)
    item = queue.get_visible_item(user, pk)  # 404 outside one's areas, before anything else
    try:
        item = reveal_item(user=user, item_id=item.pk, reason=request.POST.get("reason", ""))
    except (NotAllowed, queue.ItemNotFound):
        raise
    except DomainError as error:
        context = _detail_context(request, item)
        context["reveal_error"] = error.detail
        refused = render(request, "review/item_detail.html", context, status=error.http_status)
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            refused["Retry-After"] = str(retry_after)
        return refused
    response = render(
        request, "review/item_detail.html", _detail_context(request, item, revealed=True)
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        decisions.approve,
        _("Approved and merged into the registry."),
        comment=request.POST.get("comment", "").strip(),
    )


@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        decisions.reject,
        _("Rejected."),
        reason=request.POST.get("reason", ""),
        comment=request.POST.get("comment", "").strip(),
    )


@require_POST
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        decisions.send_back,
        _("Sent back to the village with your comment."),
        comment=request.POST.get("comment", "").strip(),
    )


@require_POST
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    raw_member = request.POST.get("member", "").strip()
    try:
        member_index: int | None = int(raw_member) - 1 if raw_member else None
    except ValueError:
        member_index = -1
    return _decide(
        request,
        pk,
        corrections.correct_answer,
        _("The answer is corrected; the original stays in the history."),
        field=request.POST.get("field", ""),
        member_index=member_index,
        value=request.POST.get("value", "").strip(),
        reason=request.POST.get("reason", "").strip(),
    )


@require_http_methods(["GET", "POST"])
def approve_all(request: HttpRequest) -> HttpResponse:
    """Approve every item of the filtered queue without findings, after a confirmation."""
    user = _user(request)
    params = request.POST if request.method == "POST" else request.GET
    query = _filter_query(params)
    filters = queue.QueueFilters.from_query(query)
    list_url = reverse("submissions:list") + (f"?{query.urlencode()}" if query else "")
    if request.method == "POST":
        try:
            expected = int(request.POST.get("expected_count", ""))
        except ValueError:
            expected = -1
        try:
            approved = decisions.approve_all_without_findings(
                user=user, filters=filters, expected_count=expected
            )
        except NotAllowed:
            raise
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect(
                reverse("submissions:approve_all") + (f"?{query.urlencode()}" if query else "")
            )
        messages.success(
            request,
            ngettext(
                "%(count)d submission without findings approved.",
                "%(count)d submissions without findings approved.",
                approved,
            )
            % {"count": approved},
        )
        if decisions.merges_in_background(approved):
            messages.info(
                request,
                _(
                    "They are being merged into the registry in the background: each "
                    "household appears there within a few minutes."
                ),
            )
        return redirect(list_url)
    count = decisions.count_approvable(user=user, filters=filters)
    return render(
        request,
        "review/approve_all.html",
        {"count": count, "query": query, "list_url": list_url, "hidden": list(query.lists())},
    )


# --- files ------------------------------------------------------------------------------


@require_GET
def item_attachment(request: HttpRequest, pk: int, filename: str) -> FileResponse:
    item = queue.get_visible_item(_user(request), pk)
    try:
        attachment = find_attachment(item, filename, request.GET.get("submission", ""))
    except AttachmentNotFound as missing:
        raise Http404(missing.detail) from None
    return file_response(attachment, thumbnail=request.GET.get("size") == "thumbnail")
