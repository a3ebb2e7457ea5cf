"""Limits on failed sign-ins, per account and per client address, on every sign-in path.

The web login, the API token endpoint, Digest and Basic of ODK Collect and the
access links all count their failures here, in the same counters: a failure
adds one to the counter of the username tried and to the counter of the
client's address. A counter that reaches its limit within the window locks
its account or address for ``SRS_SIGN_IN_LOCKOUT_SECONDS``: every sign-in
there is refused, the right password too, until the lockout ends.

The counters live in Redis when the cache is Redis (production: shared by
every web process, each operation one atomic script), else in the database
(the embedded default, whose several gunicorn processes share no memory).
A lockout is recorded by the interface that meets it (``Lockout.audit_fields``
for ``audit.trail.record_change``) and logged here as a WARNING.
"""

import functools
import hashlib
import logging
import weakref
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone
from redis.exceptions import NoScriptError

from accounts.errors import SignInLocked
from accounts.models import SignInFailure

logger = logging.getLogger(__name__)

ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class Counter:
    """One counter of failures: of an account (a username as typed) or of an address."""

    kind: str
    subject: str

    @property
    def key(self) -> str:
        if self.kind == ACCOUNT:
            # Usernames are matched case-insensitively here, so "Agent" counts for "agent".
            digest = hashlib.sha256(self.subject.casefold().encode("utf-8")).hexdigest()
            return f"{ACCOUNT}:{digest[:40]}"
        return f"{ADDRESS}:{self.subject[:180]}"

    @property
    def limit(self) -> int:
        if self.kind == ACCOUNT:
            return int(settings.SRS_SIGN_IN_ACCOUNT_FAILURES)
        return int(settings.SRS_SIGN_IN_ADDRESS_FAILURES)


@dataclass(frozen=True)
class Lockout:
    """A lockout in force after a failure; ``is_new`` when this failure started it."""

    counter: Counter
    seconds: int
    failures: int
    is_new: bool

    def audit_fields(self) -> dict[str, Any]:
        """The keyword arguments of ``audit.trail.record_change`` for this lockout."""
        return {
            "action": "sign_in.locked",
            "object_type": f"sign_in.{self.counter.kind}",
            "object_id": self.counter.subject[:64],
            "object_label": self.counter.subject[:255],
            "after": {"failures": self.failures, "locked_seconds": self.seconds},
        }


def counters_for(*, username: str | None, address: str) -> list[Counter]:
    counters = [Counter(ADDRESS, address)]
    if username:
        counters.insert(0, Counter(ACCOUNT, username))
    return counters


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies.

    Each proxy appends the address it received the request from, so with N
    trusted proxies the client is the N-th address from the right; what a
    client writes into the header itself stays to the left and is ignored.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(settings.SRS_TRUSTED_PROXY_COUNT)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return forwarded[0] if forwarded else remote


def redis_cache() -> RedisCache | None:
    """The default cache when it is Redis (production), else None (the embedded default)."""
    cache = caches["default"]
    return cache if isinstance(cache, RedisCache) else None


def redis_key(cache: RedisCache, key: str) -> str:
    return cache.make_and_validate_key(f"srs:sign_in:{key}")


# KEYS: the counters; ARGV: their limits. Returns the longest remaining lockout, 0 if none.
LOCKED_SECONDS_LUA = """
local longest = 0
for i, key in ipairs(KEYS) do
  local failures = tonumber(redis.call('GET', key) or '0')
  if failures >= tonumber(ARGV[i]) then
    local ttl = redis.call('TTL', key)
    if ttl > longest then longest = ttl end
  end
end
return longest
"""

# KEYS: the counters; ARGV: window, lockout, then each counter's limit.
# Returns per counter {failures, seconds locked (0 if not)}.
RECORD_FAILURE_LUA = """
local window, lockout = tonumber(ARGV[1]), tonumber(ARGV[2])
local result = {}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i + 2])
  local failures = redis.call('INCR', key)
  if failures == 1 then redis.call('EXPIRE', key, window) end
  if failures == limit then redis.call('EXPIRE', key, lockout) end
  local seconds = 0
  if failures >= limit then seconds = redis.call('TTL', key) end
  table.insert(result, failures)
  table.insert(result, seconds)
end
return result
"""


_clients: "weakref.WeakKeyDictionary[RedisCache, Any]" = weakref.WeakKeyDictionary()


def redis_client(cache: RedisCache) -> Any:
    """The redis-py client behind Django's Redis cache, for scripts the cache API lacks.

    Made once per cache object (Django keeps one per thread; they share one
    connection pool), not on every request.
    """
    client = _clients.get(cache)
    if client is None:
        # Django keeps it behind a private attribute; scripts make each check one round trip.
        client = _clients[cache] = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    return client


@functools.lru_cache(maxsize=16)
def _script_digest(script: str) -> str:
    return hashlib.sha1(script.encode("utf-8")).hexdigest()  # noqa: S324 (Redis's script id)


def run_lua(cache: RedisCache, script: str, keys: list[str], args: list[int | str]) -> Any:
    """Run a Lua script in one round trip: by its SHA-1, the whole text only the first time."""
    client = redis_client(cache)
    digest = _script_digest(script)
    try:
        return client.evalsha(digest, len(keys), *keys, *args)
    except NoScriptError:
        return client.eval(script, len(keys), *keys, *args)


def locked_seconds(*, username: str | None, address: str) -> int:
    """How long sign-ins of ``username`` or from ``address`` stay refused; 0: they are not."""
    counters = counters_for(username=username, address=address)
    cache = redis_cache()
    if cache is not None:
        return int(
            run_lua(
                cache,
                LOCKED_SECONDS_LUA,
                [redis_key(cache, c.key) for c in counters],
                [c.limit for c in counters],
            )
        )
    now = timezone.now()
    until = SignInFailure.objects.filter(
        key__in=[c.key for c in counters], locked_until__gt=now
    ).aggregate(until=Max("locked_until"))["until"]
    return int((until - now).total_seconds()) + 1 if until else 0


def require_not_locked(*, username: str | None, address: str) -> None:
    """Raise SignInLocked while the account or the address is locked out."""
    seconds = locked_seconds(username=username, address=address)
    if seconds:
        raise SignInLocked(retry_after=seconds)


def record_failure(*, username: str | None, address: str, path: str) -> list[Lockout]:
    """Count one failed sign-in; return the lockouts in force after it (empty: none).

    ``path`` names the sign-in path for the log (``web``, ``api_token``,
    ``digest``, ``basic``, ``access_link``); the password is never logged.
    """
    counters = counters_for(username=username, address=address)
    window = int(settings.SRS_SIGN_IN_FAILURE_WINDOW_SECONDS)
    lockout = int(settings.SRS_SIGN_IN_LOCKOUT_SECONDS)
    cache = redis_cache()
    outcomes: list[tuple[int, int, bool]] = []
    if cache is not None:
        flat = run_lua(
            cache,
            RECORD_FAILURE_LUA,
            [redis_key(cache, c.key) for c in counters],
            [window, lockout, *(c.limit for c in counters)],
        )
        outcomes = [
            (int(flat[i]), int(flat[i + 1]), int(flat[i]) == c.limit)
            for i, c in zip(range(0, len(flat), 2), counters, strict=True)
        ]
    else:
        outcomes = [_record_in_database(c, window=window, lockout=lockout) for c in counters]
    lockouts = [
        Lockout(counter=c, seconds=seconds, failures=failures, is_new=started)
        for c, (failures, seconds, started) in zip(counters, outcomes, strict=True)
        if seconds > 0
    ]
    for found in lockouts:
        if found.is_new:
            logger.warning(
                "sign-in locked path=%s kind=%s subject=%s failures=%s seconds=%s",
                path,
                found.counter.kind,
                found.counter.subject,
                found.failures,
                found.seconds,
            )
    return lockouts


@transaction.atomic
def _record_in_database(counter: Counter, *, window: int, lockout: int) -> tuple[int, int, bool]:
    now = timezone.now()
    # Rows whose window and lockout are over count for nothing: drop them as we go.
    SignInFailure.objects.filter(window_ends_at__lt=now).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    ).exclude(key=counter.key).delete()
    row = SignInFailure.objects.select_for_update().filter(key=counter.key).first()
    if row is None:
        row = SignInFailure(key=counter.key, failures=0, window_ends_at=now)
    is_locked = row.locked_until is not None and row.locked_until > now
    if row.window_ends_at <= now and not is_locked:
        row.failures = 0
        row.window_ends_at = now + timedelta(seconds=window)
        row.locked_until = None
    row.failures += 1
    started = row.failures >= counter.limit and not is_locked
    if started:
        row.locked_until = now + timedelta(seconds=lockout)
    row.save()
    if row.locked_until is not None and row.locked_until > now:
        return row.failures, int((row.locked_until - now).total_seconds()), started
    return row.failures, 0, False
