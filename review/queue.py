"""The review queue as each person may see it: scope, filters, search, order, pages, counts.

Every list and detail of review items (pages, API, GeoJSON, home page panels)
starts from ``queue_for(user)`` or ``get_visible_item(user, pk)``: an item
outside one's areas is never listed and is "not found" when asked for.

Cost: the queue is read while phones are sending. Each page is a fixed number
of queries that read only the rows they show, through indexes that match the
scope, filters and order (``review/migrations/0002_queue_indexes.py``); the
total is counted from an index up to ``COUNT_CAP`` rows and said as "more than"
beyond it; a page past the middle is read from the other end.
"""

import datetime
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.access import Action, scope_for
from accounts.models import User
from areas.models import Area, AreaLevel
from foundation.names import name_key, similarity
from review.errors import ItemNotFound
from review.models import Finding, PersonKey, ReviewItem
from review.queue_totals import QueueTotal, count_queue

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
# At most this many distinct names, near misses of a name search, are scored in Python.
NAME_CANDIDATES = 2_000
NAME_WORD_SCORE = 80.0  # a word of the query matches a word of the name (0-100)
NAME_WHOLE_SCORE = 85.0  # or the whole query matches the whole name

_NIK = re.compile(r"\d{16}")

# Who sees which items. Reviewers (REVIEW), coordinators (FOLLOW_CASES) and district
# staff (MANAGE_FORMS) see every item of their areas; a field agent (COLLECT) only what
# she sent; a monitor nothing but the counts of queue_summary (VIEW_REPORTS).
OVERSIGHT_ACTIONS = (Action.REVIEW, Action.FOLLOW_CASES, Action.MANAGE_FORMS)

# The orders a queue can be sorted in; each ends on the primary key, so that pages never
# overlap, and each is read along an index where the queue is long.
ORDERS: dict[str, tuple[str, ...]] = {
    "received": ("received_at", "id"),
    "-received": ("-received_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "state": ("state", "received_at", "id"),
    "-state": ("-state", "-received_at", "-id"),
    "village": ("village_code", "received_at", "id"),
    "-village": ("-village_code", "-received_at", "-id"),
    "head_name": ("head_name_key", "id"),
    "-head_name": ("-head_name_key", "-id"),
    "findings": ("-worst_severity", "-findings_count", "received_at", "id"),
    "-findings": ("worst_severity", "findings_count", "-received_at", "-id"),
}
DEFAULT_ORDER = "received"
ORDER_LABELS: dict[str, Promise] = {
    "received": _("Received, oldest first"),
    "-received": _("Received, newest first"),
    "updated": _("Updated, oldest first"),
    "-updated": _("Updated, newest first"),
    "state": _("Review state"),
    "village": _("Village"),
    "head_name": _("Head of household"),
    "findings": _("Most serious findings first"),
}


@dataclass(frozen=True)
class ItemScope:
    everywhere: bool = False
    roots: tuple[str, ...] = ()
    own_of: int | None = None  # a field agent: the items she sent

    @property
    def is_empty(self) -> bool:
        return not self.everywhere and not self.roots and self.own_of is None


def scope_of(user: User | AnonymousUser, actions: Sequence[Action], own: bool) -> ItemScope:
    roots: set[str] = set()
    for action in actions:
        scope = scope_for(user, action)
        if scope.everywhere:
            return ItemScope(everywhere=True)
        roots.update(scope.roots)
    minimal = tuple(
        sorted(r for r in roots if not any(r.startswith(o + ".") for o in roots if o != r))
    )
    own_of = user.pk if own and not scope_for(user, Action.COLLECT).is_empty else None
    return ItemScope(roots=minimal, own_of=own_of)


def _area_q(root: str) -> Q:
    """Items of the area ``root`` and below, in a form the queue's indexes answer."""
    depth = root.count(".")
    if depth >= 3:
        return Q(village_code=root)
    if depth == 2:
        return Q(kecamatan_code=root)
    # A regency or province: its kecamatan by their codes (the areas' pattern index),
    # so that the items are read by the kecamatan index, not by a LIKE on every row.
    kecamatan = Area.objects.filter(code__startswith=root + ".", level=AreaLevel.SUBDISTRICT)
    return Q(kecamatan_code__in=kecamatan.values("code"))


def scoped_items(scope: ItemScope) -> QuerySet[ReviewItem]:
    items = ReviewItem.objects.all()
    if scope.everywhere:
        return items
    if scope.is_empty:
        return items.none()
    condition = Q()
    for root in scope.roots:
        condition |= _area_q(root)
    if scope.own_of is not None:
        condition |= Q(agent_id=scope.own_of)
    return items.filter(condition)


def queue_for(user: User | AnonymousUser) -> QuerySet[ReviewItem]:
    """The review items ``user`` may see, oldest first.

    A reviewer, coordinator or district officer: those of her areas; a field
    agent: those she sent; a monitor, an auditor or a stranger: none.
    """
    items = scoped_items(scope_of(user, OVERSIGHT_ACTIONS, own=True))
    return items.select_related("questionnaire", "agent", "area").order_by(*ORDERS[DEFAULT_ORDER])


def get_visible_item(user: User | AnonymousUser, pk: int | str) -> ReviewItem:
    """The item ``pk`` if ``user`` may see it; ItemNotFound (404) otherwise, as for no item."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise ItemNotFound() from None
    item = (
        queue_for(user)
        .select_related("submission", "form_version", "decided_by")
        .filter(pk=number)
        .first()
    )
    if item is None:
        raise ItemNotFound()
    return item


# --- filters -------------------------------------------------------------------------


def _text(query: Mapping[str, object], name: str) -> str:
    value = query.get(name)
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip() if value is not None else ""


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 10 else None


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class QueueFilters:
    """What a person asked the queue for; empty values filter nothing.

    ``questionnaire`` and ``agent`` are an id or a form ID / username;
    ``review_state`` one state or several separated by commas; ``severity`` the
    least severity of a finding (with ``check``: of a finding of that check; 0:
    items without findings); dates are days in the server's time zone, both
    included; ``q`` a NIK or KK number (16 digits) or part of a head's name.
    """

    questionnaire: str = ""
    village: str = ""
    review_state: tuple[str, ...] = ()
    check: str = ""
    severity: int | None = None
    agent: str = ""
    received_after: datetime.date | None = None
    received_before: datetime.date | None = None
    q: str = ""
    order: str = DEFAULT_ORDER

    @classmethod
    def from_query(cls, query: Mapping[str, object]) -> "QueueFilters":
        """From a request's query string (``request.GET``); values it cannot read are left out."""
        states = {choice.value for choice in ReviewItem.State}
        order = _text(query, "order")
        severity = _int(_text(query, "severity"))
        return cls(
            questionnaire=_text(query, "questionnaire")[:100],
            village=_text(query, "village")[:18],
            review_state=tuple(
                s
                for s in (p.strip() for p in _text(query, "review_state").split(","))
                if s in states
            ),
            check=_text(query, "check")[:40],
            severity=severity if severity is not None and severity <= 3 else None,
            agent=_text(query, "agent")[:150],
            received_after=_date(_text(query, "received_after")),
            received_before=_date(_text(query, "received_before")),
            q=_text(query, "q")[:100],
            order=order if order in ORDERS else DEFAULT_ORDER,
        )

    def as_query(self) -> dict[str, str]:
        """The filters as query-string parameters (for links to other pages and sorts)."""
        values = {
            "questionnaire": self.questionnaire,
            "village": self.village,
            "review_state": ",".join(self.review_state),
            "check": self.check,
            "severity": "" if self.severity is None else str(self.severity),
            "agent": self.agent,
            "received_after": self.received_after.isoformat() if self.received_after else "",
            "received_before": self.received_before.isoformat() if self.received_before else "",
            "q": self.q,
            "order": "" if self.order == DEFAULT_ORDER else self.order,
        }
        return {name: value for name, value in values.items() if value}

    @property
    def is_filtered(self) -> bool:
        return bool(set(self.as_query()) - {"order"})

    def ordered_by(self, order: str) -> "QueueFilters":
        return replace(self, order=order if order in ORDERS else DEFAULT_ORDER)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _id_or(value: str, id_field: str, name_field: str) -> Q:
    number = _int(value)
    return Q(**{id_field: number}) if number is not None else Q(**{name_field: value})


def filter_queue(queryset: QuerySet[ReviewItem], filters: QueueFilters) -> QuerySet[ReviewItem]:
    """``queryset`` narrowed to ``filters`` and in their order.

    A tolerant name search asks the database once for its candidates (at most
    NAME_CANDIDATES) before the queryset is returned; everything else stays lazy.
    """
    items = queryset
    if filters.questionnaire:
        items = items.filter(
            _id_or(filters.questionnaire, "questionnaire_id", "questionnaire__form_id")
        )
    if filters.village:
        items = items.filter(village_code=filters.village)
    if len(filters.review_state) == 1:
        items = items.filter(state=filters.review_state[0])
    elif filters.review_state:
        items = items.filter(state__in=filters.review_state)
    if filters.check:
        findings = Finding.objects.filter(item=OuterRef("pk"), check_name=filters.check)
        if filters.severity:
            findings = findings.filter(severity__gte=filters.severity)
        items = items.filter(Exists(findings))
    elif filters.severity == 0:
        items = items.filter(findings_count=0)
    elif filters.severity is not None:
        items = items.filter(worst_severity__gte=filters.severity)
    if filters.agent:
        items = items.filter(_id_or(filters.agent, "agent_id", "agent__username"))
    if filters.received_after:
        items = items.filter(received_at__gte=_day_start(filters.received_after))
    if filters.received_before:
        next_day = filters.received_before + datetime.timedelta(days=1)
        items = items.filter(received_at__lt=_day_start(next_day))
    if filters.q:
        items = _search(items, filters.q)
    return items.order_by(*ORDERS.get(filters.order, ORDERS[DEFAULT_ORDER]))


def _search(items: QuerySet[ReviewItem], text: str) -> QuerySet[ReviewItem]:
    digits = re.sub(r"[\s.-]", "", text)
    if _NIK.fullmatch(digits):
        # Any member's NIK (the person keys of the checks), the head's, or the KK number:
        # one set of ids from three indexes, so that the queue is not read row by row.
        holders = (
            PersonKey.objects.filter(nik=digits)
            .order_by()
            .values("item_id")
            .union(
                ReviewItem.objects.filter(head_nik=digits).order_by().values("id"),
                ReviewItem.objects.filter(kk_number=digits).order_by().values("id"),
            )
        )
        return items.filter(pk__in=holders)
    return _search_names(items, text)


def _name_matches(words: list[str], tokens: list[str], key: str, query_key: str) -> bool:
    if all(any(similarity(token, word) >= NAME_WORD_SCORE for word in words) for token in tokens):
        return True
    return similarity(query_key, key) >= NAME_WHOLE_SCORE


def _search_names(items: QuerySet[ReviewItem], text: str) -> QuerySet[ReviewItem]:
    """Heads whose name is like ``text``: `Jusuf` finds `Muhammad Yusuf`, `Yusup` too.

    Both sides are compared in the checks' normal form (titles dropped, old
    spellings made new). The database gives the candidates that hold each
    word's first three letters, each distinct name once; those holding every
    word, or scored alike word by word, are the ones shown.
    """
    query_key = name_key(text)
    tokens = [token for token in query_key.split() if token]
    if not tokens:
        return items.none()
    probe, exact = Q(), Q()
    for token in tokens:
        probe &= Q(head_name_key__contains=token[:3])
        exact &= Q(head_name_key__contains=token)
    # The distinct names only (an index-only scan of the kecamatan's names): names
    # repeat, a kecamatan has many a Siti Aminah.
    candidates = list(
        items.filter(probe)
        .order_by()
        .values_list("head_name_key", flat=True)
        .distinct()[: NAME_CANDIDATES + 1]
    )
    if len(candidates) > NAME_CANDIDATES:
        # Too many names to score one by one: the words as written (normalised).
        return items.filter(exact)
    matching = [
        key
        for key in candidates
        if all(token in key for token in tokens)
        or _name_matches(key.split(), tokens, key, query_key)
    ]
    # Found again by name, through the same index: a rare name is a few rows to read,
    # not a walk along the whole queue looking for it.
    return items.filter(head_name_key__in=matching)


# --- totals and pages ----------------------------------------------------------------


@dataclass(frozen=True)
class QueuePage:
    """One page of a queue, with what its links need."""

    items: list[ReviewItem]
    number: int
    size: int
    total: QueueTotal
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        return max(1, self.number - 1)

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def last_number(self) -> int | None:
        """The last page's number; None when the total is only "more than"."""
        if not self.total.is_exact:
            return None
        return max(1, -(-self.total.count // self.size))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


def queue_page(
    queryset: QuerySet[ReviewItem],
    *,
    number: int | str | None = 1,
    size: int = PAGE_SIZE,
    total: QueueTotal | None = None,
) -> QueuePage:
    """Page ``number`` (from 1; past the end: the last) of an ordered queue, in two queries.

    A page in the second half of a counted queue is read from its end in the
    reverse order, so that the last page costs what the first does.
    """
    try:
        wanted = max(1, int(number or 1))
    except (TypeError, ValueError):
        wanted = 1
    if total is None:
        total = count_queue(queryset)
    last = max(1, -(-total.count // size))
    if total.is_exact:
        wanted = min(wanted, last)
    else:
        wanted = min(wanted, last + 1)
    offset = (wanted - 1) * size
    # From the end only with a total just counted: a cached one may miss the newest rows.
    if total.is_exact and not total.is_cached and offset > total.count // 2:
        end = total.count - offset  # rows from the end up to the page's last one
        start = max(0, end - size)
        items = _rows(queryset.reverse(), start, end)
        items.reverse()
        return QueuePage(items=items, number=wanted, size=size, total=total, has_next=wanted < last)
    rows = _rows(queryset, offset, offset + size + 1)
    return QueuePage(
        items=rows[:size], number=wanted, size=size, total=total, has_next=len(rows) > size
    )


def _rows(queryset: QuerySet[ReviewItem], start: int, end: int) -> list[ReviewItem]:
    """Rows ``start:end`` of an ordered queue. The ids are found first, along the order's
    index alone (an index-only scan past the offset), and only those rows are read and
    joined: deep in a kecamatan's queue, the rows skipped are not joined one by one."""
    if start == 0:
        return list(queryset[:end])
    page_ids = queryset.values("pk")[start:end]
    return list(queryset.filter(pk__in=page_ids))
