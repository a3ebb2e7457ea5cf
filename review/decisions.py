"""A reviewer's decisions on review items: approve, reject, send back, approve all.

Each takes the item's ``version`` the reviewer saw and changes the item with
one ``UPDATE … WHERE version = seen``: of two reviewers deciding at the same
moment, one statement wins and the other finds no row and gets
ReviewMovedOn (409), which says what the winner decided. Every decision
writes its Decision row (the item's history) and its audit record in the
same transaction. An approval merges the item's answers into the registry
(``registry.merge``) in its transaction; an "approve all" of many items leaves
their merges to the worker, after its commit.
"""

import functools
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import Action, can, require, scope_for
from accounts.errors import NotAllowed
from accounts.models import User
from audit.trail import record_change
from foundation.errors import DomainError
from registry.merge import merge_submission
from review.errors import (
    COMMENT_LIMIT,
    ApprovalIsFinal,
    CommentRequired,
    CommentTooLong,
    CountChanged,
    ItemNotFound,
    RejectReasonUnknown,
    ReviewMovedOn,
)
from review.item_answers import current_answers
from review.models import Decision, ReviewItem
from review.queue_totals import queue_changed

logger = logging.getLogger(__name__)

State = ReviewItem.State

REJECT_REASONS = {
    "duplicate": _("Duplicate of another household"),
    "not_eligible": _("Household not in this area or not eligible"),
    "no_consent": _("No consent given"),
    "false_data": _("Data invented or not collected on site"),
    "incomplete": _("Too incomplete to be corrected"),
    "test": _("Test or training submission"),
    "other": _("Other reason"),
}

# The items that "approve all without findings" may approve: not already decided, not
# waiting for the field agent.
_OPEN_STATES = (State.RECEIVED, State.EDITED)


def item_area_code(item: ReviewItem) -> str:
    """The area a permission for ``item`` is asked in: its village or kecamatan, else the
    area of the questionnaire's owners (a submission without a known area)."""
    return item.area_id or item.kecamatan_code or item.questionnaire.owner_area_id


def get_item_to_decide(user: User, item_id: int, version: int | None = None) -> ReviewItem:
    """The item ``item_id`` if ``user`` may review it (and change it: not approved).

    Raises NotAllowed for someone who reviews nowhere (a field agent, a monitor),
    ItemNotFound for an unknown item or one outside her areas (the same answer),
    NotAllowed for one she may see but not review, ApprovalIsFinal for an item she saw
    approved (``version``; one approved since she loaded it is ReviewMovedOn, which
    says who approved it).
    """
    if scope_for(user, Action.REVIEW).is_empty:
        raise NotAllowed()
    item = ReviewItem.objects.select_related("questionnaire").filter(pk=item_id).first()
    if item is None:
        raise ItemNotFound()
    area = item_area_code(item)
    if not (can(user, Action.REVIEW, area) or can(user, Action.VIEW, area)):
        raise ItemNotFound()
    require(user, Action.REVIEW, area)
    if item.state == State.APPROVED and version in (None, item.version):
        raise ApprovalIsFinal()
    return item


def moved_on(item_id: int) -> ReviewMovedOn:
    """The error for a stale version: who made the item what it is now."""
    item = ReviewItem.objects.get(pk=item_id)
    last = (
        Decision.objects.filter(item_id=item_id)
        .select_related("decided_by")
        .order_by("-pk")
        .first()
    )
    # Lazy texts: the message is rendered in the language of whoever reads it (the page's,
    # the API client's), not the one active when the race was lost.
    who: Any = _("another reviewer")
    if last is not None:
        who = last.decided_by.get_full_name() or last.decided_by.get_username()
    return ReviewMovedOn(
        who=who,
        state=ReviewItem.State(item.state).label,
        state_code=item.state,
        version=item.version,
    )


def _snapshot(item: ReviewItem) -> dict[str, Any]:
    return {
        "state": item.state,
        "version": item.version,
        "reason": item.reason,
        "comment": item.comment,
        "submission": item.submission_id,
    }


def bump_version(item: ReviewItem, seen_version: int, **changes: Any) -> None:
    """``UPDATE item SET version = version + 1, … WHERE version = seen``, or ReviewMovedOn.

    The one place where the optimistic lock is taken (decisions and corrections).
    """
    now = timezone.now()
    updated = ReviewItem.objects.filter(pk=item.pk, version=seen_version).update(
        version=F("version") + 1, updated_at=now, **changes
    )
    if updated != 1:
        raise moved_on(item.pk)
    item.refresh_from_db()


@transaction.atomic
def _decide(
    *, user: User, item_id: int, version: int, state: str, reason: str, comment: str, action: str
) -> ReviewItem:
    item = get_item_to_decide(user, item_id, version)
    if len(comment) > COMMENT_LIMIT:
        raise CommentTooLong(length=len(comment))
    before = _snapshot(item)
    now = timezone.now()
    bump_version(
        item,
        version,
        state=state,
        decided_by=user,
        decided_at=now,
        reason=reason,
        comment=comment,
    )
    Decision.objects.create(
        item=item,
        submission_id=item.submission_id,
        state_before=before["state"],
        state_after=state,
        reason=reason,
        comment=comment,
        decided_by=user,
        decided_at=now,
        version=item.version,
    )
    record_change(
        actor=user,
        action=action,
        obj=item,
        area_code=item_area_code(item),
        before=before,
        after=_snapshot(item),
    )
    queue_changed(item_area_code(item))
    logger.info("review decision item_id=%s state=%s version=%s", item.pk, state, item.version)
    return item


@transaction.atomic
def approve(*, user: User, item_id: int, version: int, comment: str = "") -> ReviewItem:
    """Approve the item (with an optional note for the record) and merge its answers into
    the registry, in one transaction: an approval the registry refuses is no approval.
    Raises ReviewMovedOn, ApprovalIsFinal, NotAllowed, ItemNotFound, and the registry's
    errors."""
    item = _decide(
        user=user,
        item_id=item_id,
        version=version,
        state=State.APPROVED,
        reason="",
        comment=comment.strip(),
        action="review.approved",
    )
    merge_into_registry(item, approved_by=user)
    return item


def merge_into_registry(item: ReviewItem, *, approved_by: User) -> None:
    """The approved item's current answers (its corrections applied) into the registry.
    Idempotent: the registry merges a submission once (a replay changes nothing)."""
    merge_submission(
        submission=item.submission, answers=current_answers(item), approved_by=approved_by
    )


def reject(*, user: User, item_id: int, version: int, reason: str, comment: str = "") -> ReviewItem:
    """Reject the item with a reason of REJECT_REASONS (and free text)."""
    if reason not in REJECT_REASONS:
        raise RejectReasonUnknown()
    return _decide(
        user=user,
        item_id=item_id,
        version=version,
        state=State.REJECTED,
        reason=reason,
        comment=comment.strip(),
        action="review.rejected",
    )


def send_back(*, user: User, item_id: int, version: int, comment: str) -> ReviewItem:
    """Send the item back to the village (``has_issues``) with what to correct; the field
    agent's edit from the phone comes back as ``edited`` (review.checking)."""
    if not comment.strip():
        raise CommentRequired()
    return _decide(
        user=user,
        item_id=item_id,
        version=version,
        state=State.HAS_ISSUES,
        reason="",
        comment=comment.strip(),
        action="review.sent_back",
    )


def merge_approved_waiting(item_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Merge the approved items not yet in the registry (``item_ids``, else all: those
    approved before the registry merge existed, or whose merge was lost), each in its own
    transaction, as the reviewer who approved them; returns (merged, refused). A refusal
    is logged and leaves the item approved and waiting. Idempotent."""
    merged = refused = 0
    waiting = ReviewItem.objects.filter(state=State.APPROVED, decided_by__isnull=False).exclude(
        submission__registry_source__isnull=False
    )
    if item_ids is not None:
        waiting = waiting.filter(pk__in=list(item_ids))
    for item in waiting.select_related("submission", "decided_by").order_by("decided_at", "pk"):
        assert item.decided_by is not None
        try:
            with transaction.atomic():
                merge_into_registry(item, approved_by=item.decided_by)
        except DomainError as error:
            refused += 1
            logger.warning("registry merge refused item_id=%s: %s", item.pk, error.detail)
        else:
            merged += 1
    return merged, refused


def merges_in_background(count: int) -> bool:
    """Whether approving ``count`` items at once leaves their merges to the worker: each
    merge costs tens of milliseconds, and hundreds would hold the request past its time."""
    return count > settings.SRS_APPROVE_ALL_MERGE_IN_REQUEST


def _merge_after_commit(item_ids: list[int]) -> None:
    from review.tasks import merge_approved_items_task  # the task module imports this one

    merge_approved_items_task.delay(item_ids)


def _approvable(user: User, filters: Any) -> QuerySet[ReviewItem]:
    from review.queue import filter_queue, queue_for

    reviewable = scope_for(user, Action.REVIEW)
    items = filter_queue(queue_for(user), filters).filter(
        findings_count=0, checks_version__gt=0, state__in=_OPEN_STATES
    )
    if not reviewable.everywhere:
        items = items.filter(reviewable.q("area__code"))
    return items


def count_approvable(*, user: User, filters: Any) -> int:
    """How many items ``approve_all_without_findings`` would approve now (the number the
    confirmation shows and then sends back as ``expected_count``)."""
    if scope_for(user, Action.REVIEW).is_empty:
        return 0
    return _approvable(user, filters).count()


@transaction.atomic
def approve_all_without_findings(*, user: User, filters: Any, expected_count: int) -> int:
    """Approve every open item of the filtered queue that the checks found nothing in, and
    merge them into the registry: in the same transaction when they are few, else each in
    its own after the commit, by the worker (``merges_in_background``).

    ``expected_count`` is the number the reviewer confirmed: when the queue
    holds another number now (someone decided, a submission arrived), nothing
    is approved and CountChanged (409) says the new number. Returns how many.
    """
    if scope_for(user, Action.REVIEW).is_empty:
        raise NotAllowed()
    rows = list(
        _approvable(user, filters)
        .order_by()
        .select_for_update(of=("self",))
        .values_list(
            "pk",
            "version",
            "state",
            "submission_id",
            "reason",
            "comment",
            "area_id",
            "kecamatan_code",
            "questionnaire_id",
        )
    )
    if len(rows) != expected_count:
        raise CountChanged(count=len(rows), expected=expected_count)
    now = timezone.now()
    ids = [row[0] for row in rows]
    ReviewItem.objects.filter(pk__in=ids).update(
        state=State.APPROVED,
        version=F("version") + 1,
        decided_by=user,
        decided_at=now,
        reason="",
        comment="",
        updated_at=now,
    )
    Decision.objects.bulk_create(
        Decision(
            item_id=pk,
            submission_id=submission_id,
            state_before=state,
            state_after=State.APPROVED,
            decided_by=user,
            decided_at=now,
            version=version + 1,
        )
        for pk, version, state, submission_id, _reason, _comment, _area, _kec, _q in rows
    )
    for pk, version, state, submission_id, reason, comment, area, kecamatan, form in rows:
        record_change(
            actor=user,
            action="review.approved",
            object_type="review.reviewitem",
            object_id=str(pk),
            object_label=f"{form}:{submission_id}",
            area_code=area or kecamatan,
            before={
                "state": state,
                "version": version,
                "reason": reason,
                "comment": comment,
                "submission": submission_id,
            },
            after={
                "state": State.APPROVED,
                "version": version + 1,
                "reason": "",
                "comment": "",
                "submission": submission_id,
                "all_without_findings": True,
            },
        )
    if merges_in_background(len(ids)):
        transaction.on_commit(functools.partial(_merge_after_commit, ids))
    else:
        for item in ReviewItem.objects.filter(pk__in=ids).select_related("submission"):
            merge_into_registry(item, approved_by=user)
    for area_code in {row[6] or row[7] for row in rows}:  # area_id, else kecamatan_code
        queue_changed(area_code)
    logger.info("review approved all without findings count=%s", len(rows))
    return len(rows)
