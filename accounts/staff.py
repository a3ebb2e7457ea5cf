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


# What an audit record of a user account holds: never the password or its hash.
_ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone_number",
    "preferred_language",
    "is_active",
    "is_staff",
    "is_superuser",
)


def account_facts(user: User) -> dict[str, str]:
    """The account's audited fields as text (the password is never among them)."""
    facts = {}
    for name in _ACCOUNT_FIELDS:
        value = getattr(user, name, "")
        facts[name] = str(value) if isinstance(value, bool) else str(value or "")
    return facts


@transaction.atomic
def record_account_saved(
    *, user: User, before: dict[str, str] | None, changed_by: User | None
) -> None:
    """Record a new account (``before`` None) or the fields changed on an existing one.

    Called by the admin after it saved the user, in the same transaction. A
    deactivation is recorded as ``accounts.user_deactivated`` so that it stands
    out in the trail; nothing is recorded when no audited field changed.
    """
    after = account_facts(user)
    if before is None:
        record_change(actor=changed_by, action="accounts.user_created", obj=user, after=after)
        logger.info("user created user_id=%s", user.pk)
        return
    changed = [name for name in _ACCOUNT_FIELDS if before.get(name) != after[name]]
    if not changed:
        return
    action = "accounts.user_changed"
    if before.get("is_active") == "True" and after["is_active"] == "False":
        action = "accounts.user_deactivated"
    record_change(
        actor=changed_by,
        action=action,
        obj=user,
        before={name: before.get(name, "") for name in changed},
        after={name: after[name] for name in changed},
    )
    logger.info("user changed user_id=%s fields=%s", user.pk, ",".join(changed))


@transaction.atomic
def record_password_set(*, user: User, changed_by: User | None) -> None:
    """Record that someone set ``user``'s password (what it is is never recorded)."""
    record_change(
        actor=changed_by,
        action="accounts.password_set",
        obj=user,
        after={"password": "set" if user.has_usable_password() else "disabled"},
    )
    logger.info("password set user_id=%s", user.pk)
