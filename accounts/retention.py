"""Staff who left: their account's personal details erased a period after it ended.

A deactivated account stays, because decisions, approvals and corrections
name it (and the audit trail its username); after the period
(``SRS_RETENTION_ACCOUNTS_DAYS``) its name, e-mail and phone are erased and
its API tokens deleted. The account cannot sign in again as it was: its
password is unusable.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce

from accounts.models import ApiToken, User
from audit.trail import record_change

logger = logging.getLogger(__name__)


def departed_staff(*, before: datetime) -> list[int]:
    """Deactivated accounts last used (or made) before ``before`` that still hold details."""
    return list(
        User.objects.filter(is_active=False)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=before)
        .exclude(first_name="", last_name="", email="", phone_number="")
        .exclude(Q(is_superuser=True))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def erase_departed_staff(*, before: datetime, dry_run: bool = False) -> int:
    """Erase the details of each departed account (one transaction and audit record each);
    returns how many."""
    ids = departed_staff(before=before)
    if dry_run:
        return len(ids)
    for pk in ids:
        _erase_account(pk)
    return len(ids)


@transaction.atomic
def _erase_account(pk: int) -> None:
    user = User.objects.select_for_update().get(pk=pk)
    before = {
        "first_name": bool(user.first_name),
        "last_name": bool(user.last_name),
        "email": bool(user.email),
        "phone_number": bool(user.phone_number),
    }
    user.first_name = user.last_name = user.email = user.phone_number = ""
    user.set_unusable_password()
    user.digest_ha1 = ""
    user.save(
        update_fields=["first_name", "last_name", "email", "phone_number", "password", "digest_ha1"]
    )
    ApiToken.objects.filter(user=user).delete()
    record_change(
        actor=None,
        action="accounts.user_erased",
        obj=user,
        before=before,
        after={"first_name": False, "last_name": False, "email": False, "phone_number": False},
    )
    logger.info("retention erased account user_id=%s", pk)
