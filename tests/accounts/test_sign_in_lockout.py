"""Guessing passwords on the web login or the API token endpoint locks the account."""

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditRecord

PASSWORD = "pw-test-123"


@pytest.fixture(autouse=True)
def limits(settings):
    # A fast hasher: these tests hash dozens of wrong passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SRS_SIGN_IN_ACCOUNT_FAILURES = 5
    settings.SRS_SIGN_IN_ADDRESS_FAILURES = 8
    settings.SRS_SIGN_IN_LOCKOUT_SECONDS = 900


@pytest.fixture
def district(db, limits) -> User:
    return User.objects.create_user("district", password=PASSWORD)


def _login(client: Client, password: str, username: str = "district"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_web_login_guesses_lock_the_account_and_the_page_says_when(district, client):
    statuses = [_login(client, f"guess-{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    response = _login(client, PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 900
    assert "Coba lagi dalam 15 menit" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="sign_in.locked", object_id="district").count() == 1


def test_the_login_page_says_it_in_english_when_chosen(district, client):
    client.cookies["django_language"] = "en"
    for n in range(5):
        _login(client, f"guess-{n}")
    response = _login(client, PASSWORD)
    assert "Try again in 15 minutes" in response.content.decode()


def test_a_right_password_before_the_limit_signs_in(district, client):
    for n in range(3):
        _login(client, f"guess-{n}")
    response = _login(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(district.pk)


def test_admin_login_guesses_count_too(district, client):
    for n in range(5):
        client.post("/admin/login/", {"username": "district", "password": f"guess-{n}"})
    assert _login(client, PASSWORD).status_code == 429


def test_token_guesses_lock_the_account_with_429_retry_after_and_code(district, client):
    def token(password: str):
        return client.post("/api/v1/auth/token/", {"username": "district", "password": password})

    assert [token(f"guess-{n}").status_code for n in range(4)] == [400] * 4
    locked = token("guess-5")
    assert locked.status_code == 429
    assert locked.json()["code"] == "sign_in_locked"
    assert "Coba lagi dalam 15 menit" in locked.json()["detail"]
    assert 0 < int(locked["Retry-After"]) <= 900

    right = token(PASSWORD)
    assert right.status_code == 429
    assert "token" not in right.json()


def test_web_and_token_guesses_count_together(district, client):
    for n in range(3):
        _login(client, f"guess-{n}")
    for _ in range(2):
        last = client.post("/api/v1/auth/token/", {"username": "district", "password": "x"})
    assert last.status_code == 429


def test_guessing_many_accounts_from_one_address_locks_the_address(db, client):
    for n in range(8):
        last = _login(client, "guess", username=f"someone{n}")
    assert last.status_code == 429
    User.objects.create_user("reviewer", password=PASSWORD)
    assert _login(client, PASSWORD, username="reviewer").status_code == 429
    assert _login(Client(REMOTE_ADDR="10.1.1.1"), PASSWORD, username="reviewer").status_code == 302
