"""Recording the phones (Collect's ``deviceID``) that talk to the server."""

import time

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from collector_api.models import Device

_SEEN_FOR = 300  # seconds between two writes for the same phone, per server process
_MAX_REMEMBERED = 10_000

# (user id, device id) -> when this process last wrote it down. A phone sends every
# request with its deviceID; once in five minutes is enough to know it is in use, and
# remembering it here costs the request path no round trip at all.
_last_recorded: dict[tuple[int, str], float] = {}


def record_device(*, user: User, device_id: str) -> None:
    """Remember that ``device_id`` was used by ``user`` now (at most one write per 5 minutes)."""
    device_id = device_id.strip()[:255]
    if not device_id:
        return
    key = (user.pk, device_id)
    now = time.monotonic()
    if now - _last_recorded.get(key, -_SEEN_FOR) < _SEEN_FOR:
        return
    seen_at = timezone.now()
    updated = Device.objects.filter(user=user, device_id=device_id).update(last_seen_at=seen_at)
    if not updated:
        try:
            with transaction.atomic():
                Device.objects.create(user=user, device_id=device_id, last_seen_at=seen_at)
        except IntegrityError:
            pass  # recorded by a simultaneous request
    if len(_last_recorded) >= _MAX_REMEMBERED:
        _last_recorded.clear()
    _last_recorded[key] = now


def forget_recorded_devices() -> None:
    """Write the next sighting of every phone again (tests start from an empty table)."""
    _last_recorded.clear()
