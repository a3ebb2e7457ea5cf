"""Oversight of the review queues: items by area, state and age; what was sent back; the
village's other households for the map. Read through the queue's own scope."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.access import Action
from accounts.models import User
from areas.models import Area
from review.models import ReviewItem
from review.queue import OVERSIGHT_ACTIONS, queue_for, scope_of, scoped_items

# Ages of the items waiting in a queue, in days since they arrived: (upper bound, label).
AGE_BANDS: tuple[tuple[int | None, Promise], ...] = (
    (1, _("under a day")),
    (3, _("1–3 days")),
    (7, _("3–7 days")),
    (None, _("over a week")),
)


@dataclass(frozen=True)
class SummaryRow:
    """One area's items in one review state, by age (counts per AGE_BANDS, in order)."""

    area_code: str
    area_name: str
    state: str
    count: int
    by_age: tuple[int, ...]
    oldest_received_at: datetime.datetime | None

    @property
    def state_label(self) -> str:
        return str(ReviewItem.State(self.state).label)


def queue_summary(user: User | AnonymousUser, *, by: str | None = None) -> list[SummaryRow]:
    """The queue in ``user``'s areas, counted per area × state × age; oldest first.

    Per village (``by="village"``) or per kecamatan (``by="kecamatan"``; the
    default when the areas are wider than one kecamatan). Monitors get these
    counts though they see no item; a field agent counts what she sent.
    """
    scope = scope_of(user, (*OVERSIGHT_ACTIONS, Action.VIEW_REPORTS), own=True)
    if scope.is_empty:
        return []
    if by is None:
        narrow = not scope.everywhere and all(root.count(".") >= 2 for root in scope.roots)
        by = "village" if narrow else "kecamatan"
    column = "village_code" if by == "village" else "kecamatan_code"
    now = timezone.now()
    bands = {}
    lower: int | None = 0
    for index, (upper, _label) in enumerate(AGE_BANDS):
        condition = Q()
        if upper is not None:
            condition &= Q(received_at__gt=now - datetime.timedelta(days=upper))
        if lower:
            condition &= Q(received_at__lte=now - datetime.timedelta(days=lower))
        bands[f"age{index}"] = Count("pk", filter=condition) if condition else Count("pk")
        lower = upper
    rows = list(
        scoped_items(scope)
        .order_by()
        .values(column, "state")
        .annotate(count=Count("pk"), oldest=Min("received_at"), **bands)
    )
    codes = {row[column] for row in rows if row[column]}
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    summary = [
        SummaryRow(
            area_code=row[column],
            area_name=names.get(row[column], row[column]),
            state=row["state"],
            count=row["count"],
            by_age=tuple(row[f"age{index}"] for index in range(len(AGE_BANDS))),
            oldest_received_at=row["oldest"],
        )
        for row in rows
    ]
    summary.sort(key=lambda r: (r.oldest_received_at or now, r.area_code, r.state))
    return summary


def sent_back_for(user: User | AnonymousUser) -> QuerySet[ReviewItem]:
    """Items sent back to the village (``has_issues``) that ``user`` has to act on, newest first.

    A field agent: those she sent; a coordinator: those of her areas. Each
    carries the reviewer's ``comment``.
    """
    scope = scope_of(user, (Action.FOLLOW_CASES,), own=True)
    return (
        scoped_items(scope)
        .filter(state=ReviewItem.State.HAS_ISSUES)
        .select_related("questionnaire", "agent", "area", "decided_by")
        .order_by("-decided_at", "-id")
    )


@dataclass(frozen=True)
class VillagePoint:
    """Where another household of the village was surveyed."""

    item_id: int
    latitude: float
    longitude: float
    accuracy_m: float | None


def village_points(
    item: ReviewItem, user: User | AnonymousUser | None = None, *, limit: int = 500
) -> list[VillagePoint]:
    """The GPS points of the other households of ``item``'s village (at most ``limit``).

    With ``user``: only those she may see (a field agent: her own).
    """
    if not item.village_code:
        return []
    items = queue_for(user) if user is not None else ReviewItem.objects.all()
    rows = (
        items.filter(village_code=item.village_code, location__isnull=False)
        .exclude(pk=item.pk)
        .order_by("-received_at")
        .values_list("pk", "location", "location_accuracy_m")[:limit]
    )
    return [
        VillagePoint(item_id=pk, latitude=point.y, longitude=point.x, accuracy_m=accuracy)
        for pk, point, accuracy in rows
        if point is not None
    ]
