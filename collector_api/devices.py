"""Recording the phones (Collect's ``deviceID``) that talk to the server."""

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from collector_api.models import Device
from registry.models import User

_SEEN_FOR = 300  # seconds between two writes for the same phone


def record_device(*, user: User, device_id: str) -> None:
    """Remember that ``device_id`` was used by ``user`` now (at most one write per 5 minutes)."""
    device_id = device_id.strip()[:255]
    if not device_id:
        return
    key = f"device-seen:{user.pk}:{device_id}"
    if cache.get(key):
        return
    now = timezone.now()
    updated = Device.objects.filter(user=user, device_id=device_id).update(last_seen_at=now)
    if not updated:
        try:
            with transaction.atomic():
                Device.objects.create(user=user, device_id=device_id, last_seen_at=now)
        except IntegrityError:
            pass  # recorded by a simultaneous request
    cache.set(key, True, _SEEN_FOR)
