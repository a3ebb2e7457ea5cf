"""Who set a registry value: the latest change of each field, and a submission's edit chain.

The merge asks both before it sets a value: an identity value another source
set is a conflict unless that source is an earlier version of the same
submission (``Submission.supersedes``); a circumstantial value a later
observation set is kept.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from intake.models import Submission
from registry.models import RegistryChange

MAX_CHAIN = 100


@dataclass(frozen=True)
class Held:
    """Who set a field's value last, and when they observed it."""

    source_id: int
    observed_at: datetime | None


def latest_sources(changes: "QuerySet[RegistryChange]", owner: str) -> dict[tuple[int, str], Held]:
    """(owner id, field) → the source of the latest change of each field; ``owner`` is
    ``person_id`` or ``household_id``."""
    found: dict[tuple[int, str], Held] = {}
    rows = changes.order_by(owner, "field", "-at", "-pk").values_list(
        owner, "field", "source_id", "source__observed_at"
    )
    for owner_id, name, source_id, observed_at in rows:
        found.setdefault((owner_id, name), Held(source_id, observed_at))
    return found


def earlier_versions(submission: Submission) -> list[int]:
    """The ids of the submissions this one edits, newest first (at most 100 steps)."""
    earlier: list[int] = []
    previous = submission.supersedes_id
    while previous is not None and len(earlier) < MAX_CHAIN:
        earlier.append(previous)
        previous = (
            Submission.objects.filter(pk=previous).values_list("supersedes_id", flat=True).first()
        )
    return earlier
