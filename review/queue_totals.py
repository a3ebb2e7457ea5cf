"""The total of a review queue: counted up to a cap, and kept a few seconds.

A kecamatan's total (50,000 items) is the dearest query of a queue page,
and reviewers reload the same filters all day while the phones send. The
total is therefore kept ``COUNT_SECONDS`` per reader and filters, and
forgotten at once when a decision changes the queue of one of the reader's
areas (``queue_changed``, after the commit).
"""

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.access import Action, scope_for
from accounts.models import User
from review.models import ReviewItem

if TYPE_CHECKING:
    from review.queue import QueueFilters

# Counted exactly up to this many items (an index-only scan of a kecamatan's queue costs a
# few milliseconds); beyond it the total is "more than COUNT_CAP".
COUNT_CAP = 100_000


@dataclass(frozen=True)
class QueueTotal:
    """How many items a queue holds: exact up to ``COUNT_CAP``, else "more than"."""

    count: int
    is_exact: bool
    is_cached: bool = False  # read from the cache: the queue may have grown since

    def __str__(self) -> str:
        if self.is_exact:
            return f"{self.count:,}"
        return str(_("more than %(count)s") % {"count": f"{self.count:,}"})


def count_queue(queryset: QuerySet[ReviewItem], *, cap: int = COUNT_CAP) -> QueueTotal:
    """The number of items of ``queryset``, counted no further than ``cap``."""
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return QueueTotal(count=min(found, cap), is_exact=found <= cap)


# A total is read again when it is older than this, or when a decision in one of its areas
# changed it. Arrivals from the phones show in the rows at once, in the total within this.
COUNT_SECONDS = 20


def _generation_key(code: str) -> str:
    return f"review:queue-generation:{code or '*'}"


def queue_changed(area_code: str) -> None:
    """A decision changed the queue of ``area_code``: after the commit, the cached totals
    of every queue that holds it (its area's and those above, up to everywhere) go."""
    steps = area_code.split(".") if area_code else []
    codes = [".".join(steps[:n]) for n in range(1, len(steps) + 1)] + [""]

    def bump() -> None:
        for code in codes:
            try:
                cache.incr(_generation_key(code))
            except ValueError:
                cache.set(_generation_key(code), 1, None)

    transaction.on_commit(bump)


def cached_count(
    queryset: QuerySet[ReviewItem], *, user: User | AnonymousUser, filters: "QueueFilters"
) -> QueueTotal:
    """count_queue of the user's filtered queue, kept COUNT_SECONDS (or to a decision)."""
    scope = scope_for(user, Action.VIEW)
    codes = [""] if scope.everywhere else sorted(scope.roots)
    generations = cache.get_many([_generation_key(code) for code in codes])
    wanted = {k: v for k, v in filters.as_query().items() if k != "order"}
    identity = json.dumps(
        [getattr(user, "pk", None), codes, sorted(generations.items()), sorted(wanted.items())]
    )
    key = "review:queue-count:" + hashlib.sha256(identity.encode()).hexdigest()
    found = cache.get(key)
    if isinstance(found, list) and len(found) == 2:
        return QueueTotal(count=int(found[0]), is_exact=bool(found[1]), is_cached=True)
    total = count_queue(queryset)
    cache.set(key, [total.count, total.is_exact], COUNT_SECONDS)
    return total
