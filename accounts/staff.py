"""Giving people roles over areas, and taking them back."""

import logging

from django.db import IntegrityError, transaction

from accounts.access import ROLE_LEVELS, forget_cached_roles
from accounts.errors import RoleLevelMismatch
from accounts.models import Role, RoleAssignment, User
from areas.models import Area, AreaLevel
from audit.trail import record_change

logger = logging.getLogger(__name__)


def _described(assignment: RoleAssignment) -> dict[str, str]:
    return {
        "user": assignment.user.username,
        "role": assignment.role,
        "area": assignment.area_id or "",
    }


@transaction.atomic
def assign_role(
    *, user: User, role: Role | str, area: Area | None, assigned_by: User | None = None
) -> RoleAssignment:
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
    except IntegrityError:
        assignment = RoleAssignment.objects.get(user=user, role=role, area=area)
    else:
        record_change(
            actor=assigned_by,
            action="accounts.role_assigned",
            obj=assignment,
            area_code=assignment.area_id,
            after=_described(assignment),
        )
        logger.info("role assigned user_id=%s role=%s area=%s", user.pk, role, area and area.pk)
    forget_cached_roles(user)
    return assignment


@transaction.atomic
def remove_role(*, assignment: RoleAssignment, removed_by: User | None = None) -> None:
    """Take a role back; idempotent (an assignment already gone changes nothing)."""
    found = RoleAssignment.objects.select_for_update().filter(pk=assignment.pk).first()
    if found is None:
        return
    before = _described(found)
    found.delete()
    record_change(
        actor=removed_by,
        action="accounts.role_removed",
        object_type=RoleAssignment._meta.label_lower,
        object_id=str(assignment.pk),
        object_label=str(assignment),
        area_code=before["area"],
        before=before,
    )
    logger.info("role removed user_id=%s role=%s", found.user_id, found.role)
    forget_cached_roles(found.user)
