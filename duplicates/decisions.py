"""A reviewer's decisions on a duplicate pair: one function per change of state, audited.

A dismissed pair stays dismissed: a later run that finds the same two records
again leaves it as it is (``finding``). Merging a pair is the registry's work
(the person or household kept, the other redirected to it, both histories
kept, undoable); it will set the pair's state to merged here once the registry
offers it.
"""

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.trail import record_change
from duplicates.errors import PairAlreadyDecided, ReasonRequired
from duplicates.models import DuplicatePair
from duplicates.queries import get_pair

logger = logging.getLogger(__name__)


def _area_code(pair: DuplicatePair) -> str | None:
    record = pair.person_a if pair.person_a_id else pair.household_a
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
