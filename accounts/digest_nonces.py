"""Each HTTP Digest nonce count is accepted once: a captured header cannot be sent again.

A client answers a nonce with a rising nonce count (``nc``); the server keeps
the highest count seen per nonce until the nonce expires and refuses a count
that is not above it. The check is one round trip: with Redis (production)
one script that also asks whether the account or the address is locked out
(accounts/lockout.py); in the database otherwise (the embedded default, whose
several web processes share no memory), one upsert after the lockout query.
"""

import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from accounts.errors import NonceReused, SignInLocked
from accounts.lockout import (
    counters_for,
    redis_cache,
    redis_key,
    require_not_locked,
    run_lua,
)
from accounts.models import DigestNonceUse

# KEYS: the nonce, then the lockout counters; ARGV: count, time to live, counters' limits.
# Returns -n (locked for n seconds), 0 (count not above the last one) or 1 (accepted).
_ADMIT_LUA = """
local longest = 0
for i = 2, #KEYS do
  local failures = tonumber(redis.call('GET', KEYS[i]) or '0')
  if failures >= tonumber(ARGV[i + 1]) then
    local ttl = redis.call('TTL', KEYS[i])
    if ttl > longest then longest = ttl end
  end
end
if longest > 0 then return -longest end
local count = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '-1')
if count <= last then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1
"""

_PURGE_EVERY_SECONDS = 60.0
_last_purge = [0.0]


def admit_nonce_use(*, nonce: str, count: int, lifetime: int, username: str, address: str) -> None:
    """Accept the ``count``-th use of ``nonce`` by ``username`` from ``address``.

    Call it only once the response proved the password. Raises SignInLocked
    while the account or the address is locked out, and NonceReused when
    ``count`` is not above the highest count seen for this nonce.
    """
    cache = redis_cache()
    if cache is not None:
        counters = counters_for(username=username, address=address)
        keys = [redis_key(cache, f"nonce:{nonce}")] + [redis_key(cache, c.key) for c in counters]
        outcome = int(
            run_lua(cache, _ADMIT_LUA, keys, [count, lifetime + 60, *(c.limit for c in counters)])
        )
        if outcome < 0:
            raise SignInLocked(retry_after=-outcome)
        if outcome == 0:
            raise NonceReused()
        return
    require_not_locked(username=username, address=address)
    _purge_expired_nonces()
    table = DigestNonceUse._meta.db_table
    expires_at = timezone.now() + timedelta(seconds=lifetime + 60)
    with connection.cursor() as cursor:
        # One statement on SQLite and PostgreSQL alike: insert the nonce, or raise its
        # count only when the new one is higher; no row comes back for a replay.
        cursor.execute(
            f"INSERT INTO {table} (nonce, last_count, expires_at) VALUES (%s, %s, %s) "  # noqa: S608 (no input)
            f"ON CONFLICT (nonce) DO UPDATE SET last_count = excluded.last_count "
            f"WHERE {table}.last_count < excluded.last_count RETURNING last_count",
            [nonce, count, expires_at],
        )
        accepted = cursor.fetchone()
    if accepted is None:
        raise NonceReused()


def _purge_expired_nonces() -> None:
    """Drop the counts of expired nonces, at most once a minute per process."""
    now = time.monotonic()
    if now - _last_purge[0] < _PURGE_EVERY_SECONDS:
        return
    _last_purge[0] = now
    DigestNonceUse.objects.filter(expires_at__lt=timezone.now()).delete()
