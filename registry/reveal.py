"""Revealing masked identifiers on purpose: an NIK, a KK or a phone number, with a reason.

NIK, KK and phone are masked everywhere (``registry.masking``). A person who
needs one in full (to check a card on a visit, to call a household) asks for
it with a reason: reviewers, coordinators, district staff and administrators
of the record's area (``Action.REVEAL``), never monitors, auditors or field
agents. Each reveal is one audit record, ``registry.revealed``, with the
reason and which fields were shown (never the values), in the transaction
that reads them. The values are given in the answer only: never in a URL,
a session, a log or the audit trail.

A reveal is for one record at a time, not for harvesting: a reader may
reveal at most ``REVEALS_PER_HOUR`` records in any hour (counted from the
audit trail, so the limit holds across processes and restarts); the next is
refused with RevealRateLimited (429) until the oldest of them is an hour old.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.access import Action, require
from accounts.models import User
from audit.models import AuditRecord
from audit.trail import record_change
from foundation.errors import DomainError
from registry.models import Family, Person
from registry.queries import get_household, get_person

logger = logging.getLogger(__name__)

REASON_MIN = 5
REASON_MAX = 500
REVEALS_PER_HOUR = 20
REVEAL_WINDOW = timedelta(hours=1)


class RevealReasonRequired(DomainError):
    code = "reveal_reason_required"
    message = _("Say why you need the full numbers (at least 5 characters, at most 500).")
    http_status = 422


class RevealRateLimited(DomainError):
    """More reveals in the last hour than one person needs for her visits and calls;
    ``retry_after``: the seconds until the oldest of them is an hour old."""

    code = "reveal_rate_limited"
    http_status = 429

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = max(int(retry_after), 1)
        wait = max(-(-self.retry_after // 60), 1)
        text = ngettext(
            "You have shown the full numbers of %(count)d records in the last hour, the most "
            "allowed. Try again in %(minutes)d minute.",
            "You have shown the full numbers of %(count)d records in the last hour, the most "
            "allowed. Try again in %(minutes)d minutes.",
            wait,
        )
        super().__init__(text, count=REVEALS_PER_HOUR, minutes=wait)


# Every reveal a reader makes counts against one budget: the registry's and the review
# queue's alike.
REVEAL_ACTIONS = ("registry.revealed", "review.revealed")


def check_reveal_rate(user: User) -> None:
    """Raise RevealRateLimited when ``user`` already made ``REVEALS_PER_HOUR`` reveals
    (audit records of ``REVEAL_ACTIONS``: registry and review queue together) in the last
    hour.

    Runs in the reveal's transaction; the reader's row is locked first, so that two of
    her reveals at once are counted one after the other, never both under the limit."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    now = timezone.now()
    recent = list(
        AuditRecord.objects.filter(
            action__in=REVEAL_ACTIONS, actor_id=user.pk, at__gt=now - REVEAL_WINDOW
        )
        .order_by("-at")
        .values_list("at", flat=True)[:REVEALS_PER_HOUR]
    )
    if len(recent) >= REVEALS_PER_HOUR:
        oldest = recent[-1]
        raise RevealRateLimited(retry_after=int((oldest + REVEAL_WINDOW - now).total_seconds()))


@dataclass(frozen=True)
class RevealedPerson:
    person_id: int
    nik: str
    kk_number: str
    phone: str


@dataclass(frozen=True)
class RevealedHousehold:
    household_id: int
    kks_number: str
    kk_numbers: tuple[str, ...]
    members: tuple[RevealedPerson, ...]
    families: tuple[tuple[int, str], ...] = ()  # (family id, KK number)

    def member(self, person_id: int) -> RevealedPerson | None:
        return next((m for m in self.members if m.person_id == person_id), None)


def clean_reason(reason: str) -> str:
    """A reveal's reason, its spaces made single; RevealReasonRequired if too short or long
    (every reveal, the registry's and the review queue's, asks the same)."""
    text = " ".join((reason or "").split())
    if len(text) < REASON_MIN or len(text) > REASON_MAX:
        raise RevealReasonRequired()
    return text


def _shown(values: dict[str, bool]) -> list[str]:
    return sorted(name for name, present in values.items() if present)


@transaction.atomic
def reveal_person(*, user: User, person_id: int | str, reason: str) -> RevealedPerson:
    """The person's NIK, KK and phone in full, audited.

    Raises RecordNotFound outside the reader's areas (as for no person),
    NotAllowed without ``Action.REVEAL`` over her village,
    RevealReasonRequired for a missing or overlong reason and RevealRateLimited
    after ``REVEALS_PER_HOUR`` reveals in the last hour.
    """
    person = get_person(user, person_id)
    area_code = person.village_id or person.kecamatan_code
    require(user, Action.REVEAL, area_code)
    text = clean_reason(reason)
    check_reveal_rate(user)
    kk_number = person.family.kk_number if person.family else ""
    revealed = RevealedPerson(
        person_id=person.pk, nik=person.nik or "", kk_number=kk_number, phone=person.phone
    )
    record_change(
        actor=user,
        action="registry.revealed",
        obj=person,
        area_code=area_code,
        after={
            "reason": text,
            "fields": _shown(
                {
                    "nik": bool(revealed.nik),
                    "kk_number": bool(kk_number),
                    "phone": bool(person.phone),
                }
            ),
        },
    )
    logger.info("registry revealed person_id=%s by user_id=%s", person.pk, user.pk)
    return revealed


@transaction.atomic
def reveal_household(*, user: User, household_id: int | str, reason: str) -> RevealedHousehold:
    """Every member's NIK, KK and phone and the household's KKS card number, audited.

    Raises as ``reveal_person`` does.
    """
    household = get_household(user, household_id)
    require(user, Action.REVEAL, household.village_id)
    text = clean_reason(reason)
    check_reveal_rate(user)
    families = dict(
        Family.objects.filter(Q(household=household) | Q(members__household=household))
        .values_list("pk", "kk_number")
        .distinct()
    )
    members = tuple(
        RevealedPerson(
            person_id=pk,
            nik=nik or "",
            kk_number=families.get(family_id, "") if family_id else "",
            phone=phone,
        )
        for pk, nik, family_id, phone in Person.objects.filter(household=household)
        .order_by("pk")
        .values_list("pk", "nik", "family_id", "phone")
    )
    revealed = RevealedHousehold(
        household_id=household.pk,
        kks_number=household.kks_number,
        kk_numbers=tuple(sorted(set(families.values()))),
        members=members,
        families=tuple(sorted(families.items())),
    )
    record_change(
        actor=user,
        action="registry.revealed",
        obj=household,
        area_code=household.village_id,
        after={
            "reason": text,
            "fields": _shown(
                {
                    "nik": any(m.nik for m in members),
                    "kk_number": bool(revealed.kk_numbers),
                    "phone": any(m.phone for m in members),
                    "kks_number": bool(household.kks_number),
                }
            ),
            "people": len(members),
        },
    )
    logger.info("registry revealed household_id=%s by user_id=%s", household.pk, user.pk)
    return revealed
