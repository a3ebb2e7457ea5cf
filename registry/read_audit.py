"""The read audit: who outside a village's own team opened one of its households or people.

Law 27/2022 asks who processed whose data. A field agent of the village (or
anyone whose areas are that village itself) works with its people every
day; a kecamatan's reviewer, the district's staff, an administrator read them
from further away, and each such read of a household's or a person's page
(or API detail) is an audit record, ``registry.read``: one per reader, record
and hour (``READ_WINDOW``), whether she opened the page, its past (``as_of``)
or the API detail, once or fifty times. A reload, a reveal's page, a
resolution's way back add nothing the record does not already say: who read
whose data, from where, when; the hour keeps the trail readable and its
size bounded by what people really read. Lists are not recorded one row at
a time; reveals have their own record (``registry.revealed``).
"""

import logging
from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from accounts.access import Action, scope_for
from accounts.models import User
from audit.models import AuditRecord
from audit.trail import describe, record_change
from registry.models import Household, Person

logger = logging.getLogger(__name__)

READ_ACTION = "registry.read"
READ_WINDOW = timedelta(hours=1)


def is_in_village_team(user: User | AnonymousUser, village_code: str) -> bool:
    """Whether ``user``'s areas for reading are the village itself (or a place inside it),
    not a kecamatan, a regency or everywhere that holds it."""
    scope = scope_for(user, Action.VIEW)
    if scope.everywhere or not village_code:
        return False
    return any(root == village_code or root.startswith(village_code + ".") for root in scope.roots)


@transaction.atomic
def record_read(*, user: User, obj: Household | Person, village_code: str, via: str) -> bool:
    """One ``registry.read`` record for this read, unless ``user`` is of the village's team
    or read the same record in the last ``READ_WINDOW``.

    ``village_code`` is the record's village (its kecamatan when it has none).
    ``via`` says where it was first read in the hour (``page``, ``api``,
    ``page as_of``). Returns whether a record was written. One indexed SELECT
    and at most one INSERT.
    """
    if is_in_village_team(user, village_code):
        return False
    object_type, object_id, _label = describe(obj)
    already = AuditRecord.objects.filter(
        object_type=object_type,
        object_id=object_id,
        action=READ_ACTION,
        actor_id=user.pk,
        at__gt=timezone.now() - READ_WINDOW,
    ).exists()
    if already:
        return False
    record_change(
        actor=user,
        action=READ_ACTION,
        obj=obj,
        area_code=village_code,
        after={"via": via},
    )
    return True
