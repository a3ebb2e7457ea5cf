"""The read audit: who outside a village's own team opened one of its households or people.

Law 27/2022 asks who processed whose data. A field agent of the village (or
anyone whose areas are that village itself) works with its people every
day; a kecamatan's reviewer, the district's staff, an administrator read them
from further away, and each such read of a household's or a person's page
(or API detail) is one audit record, ``registry.read``. Lists are not
recorded one row at a time; reveals have their own record
(``registry.revealed``).
"""

import logging

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from accounts.access import Action, scope_for
from accounts.models import User
from audit.trail import record_change
from registry.models import Household, Person

logger = logging.getLogger(__name__)


def is_in_village_team(user: User | AnonymousUser, village_code: str) -> bool:
    """Whether ``user``'s areas for reading are the village itself (or a place inside it),
    not a kecamatan, a regency or everywhere that holds it."""
    scope = scope_for(user, Action.VIEW)
    if scope.everywhere or not village_code:
        return False
    return any(root == village_code or root.startswith(village_code + ".") for root in scope.roots)


@transaction.atomic
def record_read(*, user: User, obj: Household | Person, village_code: str, via: str) -> bool:
    """One ``registry.read`` record for this read, unless ``user`` is of the village's team.

    ``via`` says where it was read (``page``, ``api``, ``page as_of``). Returns
    whether a record was written. One INSERT: nothing else is read.
    """
    if is_in_village_team(user, village_code):
        return False
    record_change(
        actor=user,
        action="registry.read",
        obj=obj,
        area_code=village_code,
        after={"via": via},
    )
    return True
