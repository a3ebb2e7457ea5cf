"""Connecting a phone: access links (tokens) and ODK Collect's settings QR code."""

import base64
import json
import logging
import secrets
import zlib
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.access import Action, home_area_code, scope_for
from accounts.models import Role, RoleAssignment, User
from areas.models import Area
from audit.trail import record_change
from collector_api.models import Device, DeviceToken, hash_token

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


@dataclass(frozen=True)
class AgentPhones:
    """A field agent with her villages, her access links and the phones seen for her."""

    agent: User
    villages: list[Area]
    links: list[DeviceToken]
    devices: list[Device]

    @property
    def last_used_at(self) -> datetime | None:
        """When one of her phones last talked to the server, by link or by password."""
        moments = [link.last_used_at for link in self.links if link.last_used_at] + [
            device.last_seen_at for device in self.devices
        ]
        return max(moments, default=None)


def agents_with_phones(manager: User) -> list[AgentPhones]:
    """The agents ``manager`` manages phones of, each with villages, links and devices.

    A fixed number of queries, however many agents, links and devices.
    """
    villages = RoleAssignment.objects.filter(role=Role.FIELD_AGENT, area__isnull=False)
    agents = agents_managed_by(manager).prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=villages.select_related("area").order_by("area__name"),
            to_attr="village_assignments",
        ),
        Prefetch("device_tokens", queryset=DeviceToken.objects.order_by("-created_at")),
        Prefetch("devices", queryset=Device.objects.order_by("-last_seen_at")),
    )
    return [
        AgentPhones(
            agent=agent,
            villages=[a.area for a in agent.village_assignments if a.area is not None],
            links=list(agent.device_tokens.all()),
            devices=list(agent.devices.all()),
        )
        for agent in agents
    ]
