"""Giving people roles over areas."""

import logging

from django.db import IntegrityError, transaction

from registry.access import ROLE_LEVELS, forget_cached_roles
from registry.errors import RoleLevelMismatch
from registry.models import Area, AreaLevel, Role, RoleAssignment, User

logger = logging.getLogger(__name__)


@transaction.atomic
def assign_role(*, user: User, role: Role | str, area: Area | None) -> RoleAssignment:
    """Give ``user`` the ``role`` over ``area`` (None: the whole country); idempotent.

    Raises RoleLevelMismatch when the role cannot be held at that level (a
    reviewer is given a kecamatan, a field agent a village, ...).
    """
    level = area.level if area is not None else None
    if level not in ROLE_LEVELS[role]:
        raise RoleLevelMismatch(
            role=Role(role).label,
            level=AreaLevel(level).label if level else "country",
        )
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(user=user, role=role, area=area)
            logger.info("role assigned user_id=%s role=%s area=%s", user.pk, role, area and area.pk)
    except IntegrityError:
        assignment = RoleAssignment.objects.get(user=user, role=role, area=area)
    forget_cached_roles(user)
    return assignment
