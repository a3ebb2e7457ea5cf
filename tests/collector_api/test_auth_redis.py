"""With Redis as the cache (production), nonce counts and lockouts live there.

Needs a Redis server on 127.0.0.1:6379 (skipped without one); the keys of
each test carry a prefix of their own and are removed after it.
"""

import secrets
import uuid

import pytest
import redis
from django.core.cache import caches
from django.test import Client

from accounts.models import DigestNonceUse, SignInFailure, User
from audit.models import AuditRecord
from tests.collector_api.test_auth_digest import PASSWORD, DigestPhone

REDIS_URL = "redis://127.0.0.1:6379/12"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def redis_cache(settings):
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SRS_SIGN_IN_ACCOUNT_FAILURES = 5
    settings.SRS_SIGN_IN_ADDRESS_FAILURES = 8
    yield caches["default"]
    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


@pytest.fixture
def agent(db) -> User:
    return User.objects.create_user("agent", password=PASSWORD)


@pytest.fixture
def redis_commands(monkeypatch):
    sent: list[str] = []
    original = redis.Redis.execute_command

    def counting(self, *args, **options):
        sent.append(str(args[0]))
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counting)
    return sent


def _head(phone: DigestPhone, password: str | None = None):
    auth = phone.authorization("HEAD", "/submission", password=password)
    return phone.client.head("/submission", headers={"authorization": auth})


def test_a_replayed_header_is_refused_with_nonce_counts_in_redis(agent, redis_cache):
    phone = DigestPhone(Client())
    phone.sign_in()
    captured = phone.authorization("HEAD", "/submission")
    assert phone.client.head("/submission", headers={"authorization": captured}).status_code == 204
    again = phone.client.head("/submission", headers={"authorization": captured})
    assert again.status_code == 401
    assert "stale=true" in again["WWW-Authenticate"]
    assert _head(phone).status_code == 204
    assert not DigestNonceUse.objects.exists()  # nothing of it in the database


def test_a_successful_digest_request_asks_redis_once(agent, redis_cache, redis_commands):
    phone = DigestPhone(Client())
    phone.sign_in()
    _head(phone)
    redis_commands.clear()
    assert _head(phone).status_code == 204
    assert redis_commands == ["EVALSHA"] or redis_commands == ["EVAL"]


def test_lockouts_live_in_redis_and_refuse_the_right_password(agent, redis_cache):
    phone = DigestPhone(Client())
    phone.sign_in()
    assert [_head(phone, f"guess-{n}").status_code for n in range(5)] == [401] * 4 + [429]
    locked = _head(phone)
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 900
    assert not SignInFailure.objects.exists()
    assert AuditRecord.objects.filter(action="sign_in.locked").count() == 1


def test_web_login_and_access_links_use_the_same_redis_counters(agent, redis_cache):
    client = Client()
    for n in range(4):
        client.post("/accounts/login/", {"username": "agent", "password": f"guess-{n}"})
    phone = DigestPhone(client)
    phone.sign_in()
    assert _head(phone, "guess-4").status_code == 429

    prober = Client(REMOTE_ADDR="10.0.0.9")
    answers = [
        prober.head(f"/key/{secrets.token_urlsafe(24)}/submission").status_code for _ in range(8)
    ]
    assert answers == [401] * 7 + [429]
