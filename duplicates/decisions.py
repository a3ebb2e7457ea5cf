"""A reviewer's decisions on a duplicate pair: one function per change of state, audited.

A dismissed pair stays dismissed: a later run that finds the same two records
again leaves it as it is (``finding``). Merging a pair is the registry's work
(``registry.person_merge``, ``registry.household_merge``: the record kept, the
other redirected to it, both histories kept), done in the same transaction as
the pair's change to merged; undoing it (``registry.merge_moves.unmerge``)
reopens the pair. The registry audits its merge and its undo, the pair's
change of state is audited here: two records, one transaction.

Locks: the pair first, then (in the registry) both records in id order.
"""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.trail import record_change
from duplicates.errors import (
    PairAlreadyDecided,
    PairDecidedBeforeMerge,
    PairNotMerged,
    ReasonRequired,
    UndoReasonRequired,
    UnknownKeep,
)
from duplicates.models import DuplicatePair, PairKind
from duplicates.queries import get_pair
from registry.errors import MergeReasonRequired
from registry.household_merge import merge_households
from registry.merge_moves import find_merge, unmerge
from registry.models import Household, Person, Source
from registry.person_merge import merge_people

logger = logging.getLogger(__name__)


def _area_code(pair: DuplicatePair) -> str | None:
    record: Person | Household | None = pair.person_a if pair.person_a_id else pair.household_a
    if record is None:
        return None
    return record.village_id or record.kecamatan_code or None


@transaction.atomic
def dismiss_pair(*, pair: DuplicatePair, reviewer: User, reason: str) -> DuplicatePair:
    """Mark ``pair`` as two different records, for good, with the reviewer's reason.

    Raises PairNotFound when the reviewer may not review both records, ReasonRequired
    for an empty reason, PairAlreadyDecided when the pair is no longer open.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    get_pair(reviewer, pair.pk)  # both records in her areas, or the same 404 as no pair
    pair = (
        DuplicatePair.objects.select_for_update(of=("self",))
        .select_related("person_a", "household_a")
        .get(pk=pair.pk)
    )
    if pair.state != DuplicatePair.State.OPEN:
        raise PairAlreadyDecided(state=pair.get_state_display())
    before = {"state": pair.state}
    pair.state = DuplicatePair.State.DISMISSED
    pair.decided_by = reviewer
    pair.decided_at = timezone.now()
    pair.reason = reason
    pair.save(update_fields=["state", "decided_by", "decided_at", "reason", "updated_at"])
    record_change(
        actor=reviewer,
        action="duplicates.dismissed",
        obj=pair,
        area_code=_area_code(pair),
        before=before,
        after={
            "state": pair.state,
            "reason": reason,
            "kind": pair.kind,
            "records": list(pair.record_ids),
            "match_probability": pair.match_probability,
        },
    )
    logger.info("duplicates: pair %s dismissed by user %s", pair.pk, reviewer.pk)
    return pair


KEEP = ("left", "right")  # left: the pair's first record (the lower id), right: the other


def _locked_pair(pair: DuplicatePair, reviewer: User) -> DuplicatePair:
    get_pair(reviewer, pair.pk)  # both records in her areas, or the same 404 as no pair
    return (
        DuplicatePair.objects.select_for_update(of=("self",))
        .select_related("person_a", "person_b", "household_a", "household_b")
        .get(pk=pair.pk)
    )


def _decided(pair: DuplicatePair, reviewer: User | None, reason: str) -> None:
    pair.decided_by = reviewer
    pair.decided_at = timezone.now() if reviewer is not None else None
    pair.reason = reason
    pair.save(update_fields=["state", "decided_by", "decided_at", "reason", "updated_at"])


@transaction.atomic
def merge_pair(*, pair: DuplicatePair, reviewer: User, reason: str, keep: str) -> Source:
    """Merge the pair's two records into the one ``keep`` names (``left``: the first,
    ``right``: the second) and mark the pair merged; returns the registry's merge Source.

    Raises PairNotFound (not both records in the reviewer's areas), UnknownKeep,
    MergeReasonRequired, PairAlreadyDecided (not open), and the registry's refusals
    (RecordAlreadyMerged: one of them was merged into a third record)."""
    reason = (reason or "").strip()
    if keep not in KEEP:
        raise UnknownKeep()
    if not reason:
        raise MergeReasonRequired()
    pair = _locked_pair(pair, reviewer)
    if pair.state != DuplicatePair.State.OPEN:
        raise PairDecidedBeforeMerge(state=pair.get_state_display())
    source: Source
    if pair.kind == PairKind.PERSON:
        assert pair.person_a is not None and pair.person_b is not None
        people = (pair.person_a, pair.person_b)
        kept, merged = people if keep == "left" else people[::-1]
        source = merge_people(kept=kept, merged=merged, reviewer=reviewer, reason=reason)
    else:
        assert pair.household_a is not None and pair.household_b is not None
        households = (pair.household_a, pair.household_b)
        kept_household, merged_household = households if keep == "left" else households[::-1]
        source = merge_households(
            kept=kept_household, merged=merged_household, reviewer=reviewer, reason=reason
        )
    pair.state = DuplicatePair.State.MERGED
    _decided(pair, reviewer, reason)
    record_change(
        actor=reviewer,
        action="duplicates.merged",
        obj=pair,
        area_code=_area_code(pair),
        before={"state": DuplicatePair.State.OPEN},
        after={
            "state": pair.state,
            "reason": reason,
            "kind": pair.kind,
            "records": list(pair.record_ids),
            "kept_id": source.summary["kept_id"],
            "source_id": source.pk,
            "match_probability": pair.match_probability,
        },
    )
    logger.info(
        "duplicates: pair %s merged by user %s source_id=%s", pair.pk, reviewer.pk, source.pk
    )
    return source


@transaction.atomic
def undo_pair(*, pair: DuplicatePair, reviewer: User, reason: str) -> DuplicatePair:
    """Undo the merge of a merged pair (``registry.merge_moves.unmerge``) and reopen it.

    Raises PairNotFound, UndoReasonRequired, PairNotMerged, and the registry's refusals
    (UnmergeBlocked: a newer change depends on the merge)."""
    reason = (reason or "").strip()
    if not reason:
        raise UndoReasonRequired()
    pair = _locked_pair(pair, reviewer)
    low, high = pair.record_ids
    source = (
        find_merge(kind=pair.kind, first_id=low, second_id=high)
        if pair.state == DuplicatePair.State.MERGED
        else None
    )
    if source is None:
        raise PairNotMerged(state=pair.get_state_display())
    unmerge(source=source, reviewer=reviewer, reason=reason)
    before = {"state": pair.state, "decided_by": pair.decided_by_id, "reason": pair.reason}
    pair.state = DuplicatePair.State.OPEN
    _decided(pair, None, "")
    record_change(
        actor=reviewer,
        action="duplicates.merge_undone",
        obj=pair,
        area_code=_area_code(pair),
        before=before,
        after={"state": pair.state, "reason": reason, "source_id": source.pk},
    )
    logger.info(
        "duplicates: merge of pair %s undone by user %s source_id=%s",
        pair.pk,
        reviewer.pk,
        source.pk,
    )
    return pair
