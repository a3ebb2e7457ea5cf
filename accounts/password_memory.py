"""Basic authentication without a full password hash on every request.

ODK Collect over HTTPS may send Basic credentials with every request; a full
PBKDF2 check costs a second or more of CPU each time. After one full check a
process remembers, in its own memory only (never Redis or the database), an
HMAC-SHA256 of the password under a key made at random when the process
started, together with the user's password hash. A later request with the
same password is accepted at the cost of one HMAC while the user's current
password hash (read with the user on every request) is still the one
remembered and the memory is younger than ``SRS_BASIC_MEMORY_SECONDS``. A
changed password changes the hash; a deactivated user is not found at all.
Nothing in the memory lets anyone recover the password.
"""

import hmac
import secrets
import threading
import time
from hashlib import sha256

from django.conf import settings

from accounts.models import User

_PROCESS_KEY = secrets.token_bytes(32)
_MAX_REMEMBERED = 10_000

# user id -> (HMAC of the password, the password hash it was checked against, when)
_remembered: dict[int, tuple[bytes, str, float]] = {}

# One full check at a time per user in a process: when several of her phones (threads of
# this process) arrive together with nothing remembered, one hashes and the others wait
# for it and are then answered from memory, instead of each spending a full hash.
_checking: dict[int, threading.Lock] = {}
_checking_guard = threading.Lock()


def _lock_for(user_id: int) -> threading.Lock:
    with _checking_guard:
        lock = _checking.get(user_id)
        if lock is None:
            if len(_checking) >= _MAX_REMEMBERED:
                _checking.clear()
            lock = _checking[user_id] = threading.Lock()
        return lock


def _mac(password: str) -> bytes:
    return hmac.new(_PROCESS_KEY, password.encode("utf-8"), sha256).digest()


def is_remembered(user: User, password: str) -> bool:
    """True when this process checked ``password`` for ``user`` in full a short while ago."""
    found = _remembered.get(user.pk)
    if found is None:
        return False
    mac, password_hash, checked_at = found
    age = time.monotonic() - checked_at
    if age >= float(settings.SRS_BASIC_MEMORY_SECONDS) or not hmac.compare_digest(
        password_hash, user.password
    ):
        _remembered.pop(user.pk, None)
        return False
    return hmac.compare_digest(mac, _mac(password))


def check_password_remembering(user: User, password: str) -> bool:
    """``user.check_password(password)``, the full hash at most once per memory period."""
    if is_remembered(user, password):
        return True
    with _lock_for(user.pk):
        # Another thread may have checked this very password while this one waited.
        if is_remembered(user, password):
            return True
        if not user.check_password(password):
            return False
        if len(_remembered) >= _MAX_REMEMBERED:
            _remembered.clear()
        _remembered[user.pk] = (_mac(password), user.password, time.monotonic())
        return True


def forget_remembered_passwords() -> None:
    """Forget every remembered password (tests start as a fresh process does)."""
    _remembered.clear()
    with _checking_guard:
        _checking.clear()
