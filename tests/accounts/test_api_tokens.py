"""API tokens expire, are kept hashed, and die with a new password or a deactivation."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, User

PASSWORD = "pw-test-123"


@pytest.fixture
def district(db, settings) -> User:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A superuser may list questionnaires everywhere: 200 with a good token, 401 without.
    return User.objects.create_superuser("district", password=PASSWORD)


def _token(client: APIClient) -> str:
    response = client.post(
        "/api/v1/auth/token/", {"username": "district", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    return response.json()["token"]


def _areas(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/questionnaires/").status_code


def test_a_token_is_stored_only_as_its_hash(district):
    token = _token(APIClient())
    stored = ApiToken.objects.get(user=district)
    assert token not in {stored.key_hash, stored.password_fingerprint}
    assert _areas(token) == 200


def test_a_token_expires_after_the_configured_days(district, settings):
    settings.SRS_API_TOKEN_DAYS = 30
    token = _token(APIClient())
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "district", "password": PASSWORD}
    )
    assert response.json()["expires_at"]
    later = timezone.now() + timedelta(days=30, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert _areas(token) == 401
    assert _areas(token) == 200


def test_a_new_password_ends_every_token(district):
    token = _token(APIClient())
    district.set_password("another-pw-456")
    district.save()
    assert _areas(token) == 401


def test_deactivating_the_user_ends_every_token(district):
    token = _token(APIClient())
    district.is_active = False
    district.save()
    assert _areas(token) == 401


def test_an_unknown_token_is_refused_with_code_and_detail(district):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    response = client.get("/api/v1/questionnaires/")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail"}
