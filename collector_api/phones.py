"""Connecting a phone: access links (tokens) and ODK Collect's settings QR code."""

import base64
import json
import logging
import secrets
import zlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.access import Action, home_area_code, scope_for
from accounts.models import RoleAssignment, User
from audit.trail import record_change
from collector_api.models import DeviceToken, hash_token

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewAccessLink:
    device_token: DeviceToken
    token: str  # shown once, in the QR code; only its hash is stored


@transaction.atomic
def create_access_link(*, user: User, label: str, created_by: User) -> NewAccessLink:
    """A new access link for ``user``'s phone."""
    token = secrets.token_urlsafe(32)
    device_token = DeviceToken.objects.create(
        user=user, label=label[:100], token_hash=hash_token(token), created_by=created_by
    )
    record_change(
        actor=created_by,
        action="phones.access_link_created",
        obj=device_token,
        area_code=home_area_code(user, Action.COLLECT),
        after={"user": user.username, "label": device_token.label},
    )
    logger.info("access link created device_token_id=%s user_id=%s", device_token.pk, user.pk)
    return NewAccessLink(device_token=device_token, token=token)


@transaction.atomic
def revoke_access_link(*, device_token: DeviceToken, revoked_by: User) -> DeviceToken:
    """Stop the link at once; idempotent."""
    device_token = DeviceToken.objects.select_for_update().get(pk=device_token.pk)
    if device_token.revoked_at is None:
        device_token.revoked_at = timezone.now()
        device_token.save(update_fields=["revoked_at"])
        record_change(
            actor=revoked_by,
            action="phones.access_link_revoked",
            obj=device_token,
            area_code=home_area_code(device_token.user, Action.COLLECT),
            before={"revoked_at": None},
            after={"revoked_at": device_token.revoked_at.isoformat()},
        )
        logger.info(
            "access link revoked device_token_id=%s by user_id=%s", device_token.pk, revoked_by.pk
        )
    return device_token


def collect_settings_qr_payload(*, server_url: str, username: str = "", project: str) -> str:
    """ODK Collect's settings QR text: zlib-compressed JSON, base64-encoded.

    With an access link the URL carries the credentials and the username is
    empty; with a username Collect asks for the password on the phone.
    """
    settings = {
        "general": {"server_url": server_url, "username": username, "password": ""},
        "admin": {},
        "project": {"name": project, "icon": "S", "color": "#0b5e8e"},
    }
    compressed = zlib.compress(json.dumps(settings, separators=(",", ":")).encode("utf-8"))
    return base64.b64encode(compressed).decode("ascii")


def agents_managed_by(user: User) -> QuerySet[User]:
    """Field agents with a village inside the areas where ``user`` manages phones."""
    scope = scope_for(user, Action.MANAGE_PHONES)
    assignments = RoleAssignment.objects.filter(scope.q("area__code"), role="field_agent")
    return User.objects.filter(pk__in=assignments.values("user_id"), is_active=True).order_by(
        "username"
    )


def may_manage_phone_of(manager: User, agent: User) -> bool:
    return manager.pk == agent.pk or agents_managed_by(manager).filter(pk=agent.pk).exists()
