"""Basic over HTTPS hashes the password in full once, not on every request.

A hasher that counts its checks stands in for PBKDF2: its count is what the
CPU of a Basic request would be.
"""

import base64

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from accounts.models import User

CHECKS: list[str] = []


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"

    def verify(self, password: str, encoded: str) -> bool:
        CHECKS.append(password)
        return super().verify(password, encoded)


@pytest.fixture
def agent(db, settings) -> User:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CHECKS.clear()
    return User.objects.create_user("agent", password="rahasia-agen")


def _basic(client: Client, password: str) -> int:
    token = base64.b64encode(f"agent:{password}".encode()).decode()
    return client.head(
        "/submission", headers={"authorization": f"Basic {token}"}, secure=True
    ).status_code


def test_basic_hashes_the_password_once_for_many_requests(agent, client):
    assert [_basic(client, "rahasia-agen") for _ in range(5)] == [204] * 5
    assert len(CHECKS) == 1


def test_a_wrong_password_is_hashed_and_refused_every_time(agent, client):
    _basic(client, "rahasia-agen")
    assert _basic(client, "wrong") == 401
    assert _basic(client, "wrong") == 401
    assert len(CHECKS) == 3


def test_a_changed_password_stops_the_remembered_one_at_once(agent, client):
    assert _basic(client, "rahasia-agen") == 204
    agent.set_password("kata-baru-789")
    agent.save()
    assert _basic(client, "rahasia-agen") == 401
    assert _basic(client, "kata-baru-789") == 204


def test_a_deactivated_user_is_refused_at_once(agent, client):
    assert _basic(client, "rahasia-agen") == 204
    agent.is_active = False
    agent.save()
    assert _basic(client, "rahasia-agen") == 401


def test_the_remembered_password_expires(agent, client, settings):
    settings.SRS_BASIC_MEMORY_SECONDS = 0
    _basic(client, "rahasia-agen")
    _basic(client, "rahasia-agen")
    assert len(CHECKS) == 2


class SlowCountingHasher(CountingHasher):
    algorithm = "slow_counting_md5"

    def verify(self, password: str, encoded: str) -> bool:
        import time

        time.sleep(0.2)  # long enough for every thread to arrive while the first hashes
        return super().verify(password, encoded)


def test_phones_arriving_together_cost_one_full_hash(db, settings):
    """Eight threads of one process with the same password and nothing remembered:
    one full check, the others answered from memory once it is done."""
    import threading

    from accounts.password_memory import check_password_remembering

    settings.PASSWORD_HASHERS = [f"{__name__}.SlowCountingHasher"]
    CHECKS.clear()
    user = User.objects.create_user("agent", password="rahasia-agen")
    results: list[bool] = []
    start = threading.Barrier(8)

    def sign_in() -> None:
        start.wait()
        results.append(check_password_remembering(user, "rahasia-agen"))

    threads = [threading.Thread(target=sign_in) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 8
    assert CHECKS == ["rahasia-agen"]

    # A wrong password waiting behind the right one is still checked, and refused.
    assert check_password_remembering(user, "salah") is False
    assert CHECKS == ["rahasia-agen", "salah"]


ENCODED: list[str] = []


class EncodeCountingHasher(CountingHasher):
    algorithm = "encode_counting_md5"

    def encode(self, password: str, salt: str) -> str:
        ENCODED.append(password)
        return super().encode(password, salt)


def test_an_unknown_username_costs_a_full_hash_like_a_wrong_password(agent, client, settings):
    """Otherwise the time of a 401 tells a guesser which usernames exist."""
    settings.PASSWORD_HASHERS = [f"{__name__}.EncodeCountingHasher"]
    ENCODED.clear()
    token = base64.b64encode(b"nobody-here:tebakan").decode()
    status = client.head(
        "/submission", headers={"authorization": f"Basic {token}"}, secure=True
    ).status_code
    assert status == 401
    assert ENCODED == ["tebakan"]
