"""Who may see or do what, where: the one permission function of the system.

Every view, API endpoint and query that shows or changes data asks this module.
A user holds roles over areas (``RoleAssignment``); a role grants a set of
actions, and an action granted over an area covers that area and everything
below it. Area codes are hierarchical, so "below" is a string-prefix test in
Python and an indexed ``LIKE 'code.%'`` in SQL.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q

from accounts.errors import NotAllowed
from accounts.models import Role, RoleAssignment, User
from areas.area_codes import common_ancestor
from areas.models import AreaLevel


class Action(StrEnum):
    VIEW = "view"  # read the data of an area (submissions, households, people)
    COLLECT = "collect"  # receive questionnaires on a phone and submit them
    REVIEW = "review"  # validate submissions and merge them into the registry
    FOLLOW_CASES = "follow_cases"  # complaints, referrals, enrolments
    MANAGE_FORMS = "manage_forms"  # upload, publish, deploy and archive questionnaires
    MANAGE_PROGRAMMES = "manage_programmes"
    VIEW_REPORTS = "view_reports"
    MANAGE_USERS = "manage_users"
    MANAGE_PHONES = "manage_phones"  # give field agents' phones access links, revoke them
    VIEW_AUDIT = "view_audit"  # read and export the audit trail of an area
    # See an NIK, KK or phone number unmasked, on purpose and with a reason (audited).
    REVEAL = "reveal"
    # Take a selection of the registry out as CSV or XLSX (always masked; audited).
    EXPORT = "export"
    # Load a source database's extract (e-KTP, KK, PPLS, KPS) into the registry (audited).
    IMPORT = "import"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.FIELD_AGENT: frozenset({Action.VIEW, Action.COLLECT}),
    Role.REVIEWER: frozenset(
        {Action.VIEW, Action.REVIEW, Action.VIEW_REPORTS, Action.REVEAL, Action.EXPORT}
    ),
    Role.COORDINATOR: frozenset(
        {
            Action.VIEW,
            Action.FOLLOW_CASES,
            Action.VIEW_REPORTS,
            Action.MANAGE_PHONES,
            Action.REVEAL,
            Action.EXPORT,
        }
    ),
    Role.DISTRICT_STAFF: frozenset(
        {
            Action.VIEW,
            Action.MANAGE_FORMS,
            Action.MANAGE_PROGRAMMES,
            Action.VIEW_REPORTS,
            Action.MANAGE_PHONES,
            Action.REVEAL,
            Action.EXPORT,
            Action.IMPORT,
        }
    ),
    # Monitors see counts (reports, the queue's summary), never a household's data.
    Role.MONITOR: frozenset({Action.VIEW_REPORTS}),
    # District auditors read who changed what in their area; they change nothing.
    Role.AUDITOR: frozenset({Action.VIEW_AUDIT}),
    Role.ADMINISTRATOR: frozenset(Action),
}

# The levels at which each role may be given; None is the whole country.
ROLE_LEVELS: dict[str, frozenset[str | None]] = {
    Role.FIELD_AGENT: frozenset({AreaLevel.VILLAGE}),
    Role.REVIEWER: frozenset({AreaLevel.SUBDISTRICT}),
    Role.COORDINATOR: frozenset({AreaLevel.SUBDISTRICT, AreaLevel.REGENCY}),
    Role.DISTRICT_STAFF: frozenset({AreaLevel.REGENCY}),
    Role.MONITOR: frozenset({AreaLevel.PROVINCE, None}),
    Role.AUDITOR: frozenset({AreaLevel.REGENCY, AreaLevel.PROVINCE, None}),
    Role.ADMINISTRATOR: frozenset(
        {None, AreaLevel.PROVINCE, AreaLevel.REGENCY, AreaLevel.SUBDISTRICT, AreaLevel.VILLAGE}
    ),
}


@dataclass(frozen=True)
class Scope:
    """The areas over which a user holds one action."""

    everywhere: bool
    roots: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.everywhere and not self.roots

    def covers(self, code: str) -> bool:
        if self.everywhere:
            return True
        return any(code == root or code.startswith(root + ".") for root in self.roots)

    def overlaps(self, code: str) -> bool:
        """True when the area ``code`` is inside the scope or contains part of it."""
        if self.covers(code):
            return True
        return any(root.startswith(code + ".") for root in self.roots)

    def q(self, field: str = "area__code") -> Q:
        """A filter for rows whose ``field`` (an area code, e.g. ``area__code``) is in scope."""
        if self.everywhere:
            return Q()
        if not self.roots:
            return Q(pk__in=[])
        condition = Q()
        for root in self.roots:
            condition |= Q(**{field: root}) | Q(**{f"{field}__startswith": root + "."})
        return condition


_NOWHERE = Scope(everywhere=False, roots=())
_EVERYWHERE = Scope(everywhere=True, roots=())


def _assignments(user: User) -> list[tuple[str, str | None]]:
    cached: list[tuple[str, str | None]] | None = getattr(user, "_srs_role_cache", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).values_list("role", "area_id"))
        user._srs_role_cache = cached  # type: ignore[attr-defined]
    return cached


# What the phone-facing request path needs of a user; every other field stays deferred.
_SIGN_IN_FIELDS = frozenset(
    {"id", "username", "password", "is_active", "is_superuser", "digest_ha1"}
)


def find_active_user(*, username: str | None = None, user_id: int | None = None) -> User | None:
    """The active user with this username (or id), her roles loaded, in one query.

    For the paths that a phone calls hundreds of times a minute (OpenRosa):
    the user comes with only the fields that signing in needs, and
    ``scope_for`` then asks the database nothing more.
    """
    user_table = User._meta.db_table
    role_table = RoleAssignment._meta.db_table
    # In the model's field order, as Model.from_db() expects the values.
    fields = [f for f in User._meta.concrete_fields if f.attname in _SIGN_IN_FIELDS]
    columns = ", ".join(f"u.{field.column}" for field in fields)
    where, param = ("u.username = %s", username) if user_id is None else ("u.id = %s", user_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns}, r.role, r.area_id FROM {user_table} u "  # noqa: S608 (no input)
            f"LEFT JOIN {role_table} r ON r.user_id = u.id WHERE {where} AND u.is_active = %s",
            [param, True],
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    count = len(fields)
    user = User.from_db(
        connection.alias, [field.attname for field in fields], list(rows[0][:count])
    )
    user._srs_role_cache = [(row[count], row[count + 1]) for row in rows if row[count]]  # type: ignore[attr-defined]
    return user


def scope_for(user: User | AnonymousUser, action: Action) -> Scope:
    """The areas where ``user`` may do ``action``; empty for inactive or anonymous users."""
    if not user.is_authenticated or not user.is_active:
        return _NOWHERE
    assert isinstance(user, User)
    if user.is_superuser:
        return _EVERYWHERE
    roots: set[str] = set()
    for role, area_code in _assignments(user):
        if action not in ROLE_ACTIONS.get(role, frozenset()):
            continue
        if area_code is None:
            return _EVERYWHERE
        roots.add(area_code)
    # Drop roots that sit inside another root: the scope stays the same, the SQL shorter.
    minimal = tuple(
        sorted(r for r in roots if not any(r.startswith(o + ".") for o in roots if o != r))
    )
    return Scope(everywhere=False, roots=minimal)


def can(user: User | AnonymousUser, action: Action, area_code: str | None = None) -> bool:
    """May ``user`` do ``action`` in the area ``area_code`` (or anywhere, when None)?"""
    scope = scope_for(user, action)
    if area_code is None:
        return not scope.is_empty
    return scope.covers(area_code)


def require(user: User | AnonymousUser, action: Action, area_code: str | None = None) -> None:
    """Raise NotAllowed unless ``can(user, action, area_code)``."""
    if not can(user, action, area_code):
        raise NotAllowed()


def roles_of(user: User | AnonymousUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    assert isinstance(user, User)
    roles = {role for role, _area in _assignments(user)}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    return roles


def forget_cached_roles(user: User) -> None:
    """Drop the per-object cache after a role change within the same request."""
    if hasattr(user, "_srs_role_cache"):
        del user._srs_role_cache


def home_area_code(user: User, action: Action = Action.VIEW) -> str:
    """The smallest area that holds all of ``user``'s areas for ``action``; '' for everywhere.

    A field agent of one village: that village; of three villages of one
    kecamatan: the kecamatan. What she does belongs there (her submissions
    when a form asks no village, her phones' access links in the audit trail).
    """
    scope = scope_for(user, action)
    return "" if scope.everywhere else common_ancestor(list(scope.roots))
