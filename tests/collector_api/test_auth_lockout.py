"""Guessing passwords or access links over OpenRosa locks the account and the address.

The same counters serve the web login and the API token endpoint
(tests/accounts/test_sign_in_lockout.py): guesses on one path count on all.
"""

import base64
import logging
import secrets

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditRecord
from tests.collector_api.test_auth_digest import PASSWORD, DigestPhone


@pytest.fixture
def agent(db) -> User:
    return User.objects.create_user("agent", password=PASSWORD)


@pytest.fixture
def limits(settings):
    settings.SRS_SIGN_IN_ACCOUNT_FAILURES = 5
    settings.SRS_SIGN_IN_ADDRESS_FAILURES = 8
    settings.SRS_SIGN_IN_LOCKOUT_SECONDS = 900
    return settings


def _digest_head(phone: DigestPhone, *, password: str | None = None):
    auth = phone.authorization("HEAD", "/submission", password=password)
    return phone.client.head("/submission", headers={"authorization": auth})


def test_digest_guesses_lock_the_account_and_then_the_right_password_is_refused(
    agent, limits, caplog
):
    phone = DigestPhone(Client())
    phone.sign_in()
    with caplog.at_level(logging.WARNING, logger="accounts.lockout"):
        answers = [_digest_head(phone, password=f"guess-{n}").status_code for n in range(5)]
    assert answers == [401, 401, 401, 401, 429]

    response = phone.client.get(
        "/formList",
        headers={
            "authorization": phone.authorization("GET", "/formList"),
            "accept-language": "en",
        },
    )
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 900
    assert b"Try again in 15 minutes" in response.content
    assert b"<OpenRosaResponse" in response.content

    record = AuditRecord.objects.get(action="sign_in.locked")
    assert (record.object_type, record.object_id) == ("sign_in.account", "agent")
    assert "sign-in locked path=digest kind=account subject=agent" in caplog.text
    assert "guess-" not in caplog.text


def test_the_lockout_message_is_in_the_phones_language(agent, limits):
    phone = DigestPhone(Client())
    phone.sign_in()
    for n in range(5):
        _digest_head(phone, password=f"guess-{n}")
    response = phone.client.get(
        "/formList",
        headers={"authorization": phone.authorization("GET", "/formList"), "accept-language": "id"},
    )
    assert response.status_code == 429
    assert "Coba lagi dalam 15 menit" in response.content.decode()


def test_basic_guesses_lock_the_account_too(agent, limits):
    client = Client()

    def basic(password: str) -> int:
        token = base64.b64encode(f"agent:{password}".encode()).decode()
        return client.head(
            "/submission", headers={"authorization": f"Basic {token}"}, secure=True
        ).status_code

    assert [basic(f"guess-{n}") for n in range(5)] == [401, 401, 401, 401, 429]
    assert basic(PASSWORD) == 429


def test_digest_and_basic_guesses_count_together(agent, limits):
    phone = DigestPhone(Client())
    phone.sign_in()
    for n in range(3):
        assert _digest_head(phone, password=f"guess-{n}").status_code == 401
    token = base64.b64encode(b"agent:wrong").decode()
    for _ in range(2):
        last = phone.client.head(
            "/submission", headers={"authorization": f"Basic {token}"}, secure=True
        )
    assert last.status_code == 429


def test_guesses_at_many_accounts_lock_the_address(db, limits):
    client = Client()
    phone = DigestPhone(client)
    phone.sign_in()
    answers = []
    for n in range(8):
        phone.username = f"user{n}"
        answers.append(_digest_head(phone, password="guess").status_code)
    assert answers[-1] == 429 and set(answers[:-1]) == {401}
    assert AuditRecord.objects.filter(object_type="sign_in.address").count() == 1

    other = Client(REMOTE_ADDR="10.9.8.7")
    User.objects.create_user("midwife", password=PASSWORD)
    elsewhere = DigestPhone(other, username="midwife")
    elsewhere.sign_in()
    assert _digest_head(elsewhere).status_code == 204


def test_guessing_access_links_locks_the_address(db, limits):
    client = Client()
    answers = [
        client.head(f"/key/{secrets.token_urlsafe(24)}/submission").status_code for _ in range(8)
    ]
    assert answers == [401] * 7 + [429]
    assert AuditRecord.objects.filter(action="sign_in.locked").count() == 1


def test_a_successful_digest_request_after_a_few_failures_still_passes(agent, limits):
    phone = DigestPhone(Client())
    phone.sign_in()
    for n in range(3):
        _digest_head(phone, password=f"guess-{n}")
    assert _digest_head(phone).status_code == 204


def test_behind_a_trusted_proxy_the_address_is_the_forwarded_one(db, settings, limits):
    settings.SRS_TRUSTED_PROXY_COUNT = 1
    phone = DigestPhone(Client())
    phone.sign_in()
    for n in range(8):
        phone.username = f"user{n}"
        # What a client writes into X-Forwarded-For itself stays on the left, ignored.
        auth = phone.authorization("HEAD", "/submission", password="guess")
        phone.client.head(
            "/submission",
            headers={"authorization": auth, "x-forwarded-for": f"1.2.3.{n}, 203.0.113.5"},
        )
    User.objects.create_user("midwife", password=PASSWORD)
    phone.username = "midwife"
    locked = phone.client.head(
        "/submission",
        headers={
            "authorization": phone.authorization("HEAD", "/submission", password=PASSWORD),
            "x-forwarded-for": "203.0.113.5",
        },
    )
    assert locked.status_code == 429
    free = phone.client.head(
        "/submission",
        headers={
            "authorization": phone.authorization("HEAD", "/submission", password=PASSWORD),
            "x-forwarded-for": "203.0.113.6",
        },
    )
    assert free.status_code == 204
