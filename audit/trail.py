"""Writing the audit trail: ``record_change`` in the transaction of every state change.

Where a change comes from (which request, task or command) is set once per
request or task with ``audit_source`` (the web middleware, the Celery task
hook, management commands), so the domain functions only say who did what
to which object, and how it was before and after.
"""

import contextvars
import logging
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from audit.models import AuditRecord

logger = logging.getLogger(__name__)


class Actor(Protocol):
    """Who made a change: a signed-in person (``accounts.User``) or nobody (the system)."""

    pk: Any

    def get_username(self) -> str: ...


@dataclass(frozen=True)
class Source:
    """Where a change comes from: ``web POST /questionnaires/…``, ``task …``, ``command …``."""

    label: str
    request_id: str = ""
    client_ip: str | None = None


_source: contextvars.ContextVar[Source | None] = contextvars.ContextVar(
    "audit_source", default=None
)


@contextmanager
def audit_source(label: str, *, client_ip: str | None = None) -> Iterator[Source]:
    """Changes recorded inside this block say they come from ``label`` (with an id of its own)."""
    source = Source(label=label[:255], request_id=uuid.uuid4().hex, client_ip=client_ip)
    token = _source.set(source)
    try:
        yield source
    finally:
        _source.reset(token)


def current_source() -> Source:
    found = _source.get()
    if found is not None:
        return found
    # A shell, a script or a management command that set no source of its own.
    command = " ".join(sys.argv[1:2]) if sys.argv and sys.argv[0].endswith("manage.py") else ""
    return Source(label=f"command {command}".strip() if command else "system")


def describe(obj: Model) -> tuple[str, str, str]:
    """The (type, id, label) under which ``obj`` is recorded."""
    return obj._meta.label_lower, str(obj.pk), str(obj)[:255]


def record_change(
    *,
    actor: Actor | None,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    area_code: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Add one record of a state change to the trail, in the caller's transaction.

    The caller is a domain function that owns the transaction of the change
    (``@transaction.atomic``): the record commits with the change or not at
    all. Raises RuntimeError outside a transaction, where that would not hold.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("record_change must run inside the transaction of the change")
    if obj is not None:
        object_type, object_id, object_label = describe(obj)
    source = current_source()
    record = AuditRecord.objects.create(
        at=timezone.now(),
        actor_id=actor.pk if actor is not None else None,
        actor_username=actor.get_username() if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        area_code=area_code or "",
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        source=source.label,
        request_id=source.request_id,
        client_ip=source.client_ip,
    )
    logger.info(
        "audit action=%s object=%s:%s record_id=%s", action, object_type, object_id, record.pk
    )
    return record
