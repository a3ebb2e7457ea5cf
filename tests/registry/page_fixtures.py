"""The fixtures and clients of the registry's page, API and scoping tests.

``from tests.registry.page_fixtures import *`` gives a test module the
``data`` (``page_data.build_registry``: Budi's household in Kepanjen, Sari's in
Pagelaran) and ``readers`` (one user per role and place) fixtures; the helpers
sign a reader in on a page client or an API client and check that no full
identifier of the data is in an answer.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from tests.registry.page_data import SECRETS, Readers, RegistryData, build_registry, make_readers

__all__ = ["api_client", "assert_masked", "body_of", "data", "page_client", "readers"]


@pytest.fixture
def data(malang) -> RegistryData:
    return build_registry()


@pytest.fixture
def readers(malang) -> Readers:
    return make_readers()


def page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_masked(response, secrets: tuple[str, ...] = SECRETS) -> None:
    body = body_of(response)
    for secret in secrets:
        assert secret not in body, f"{secret} shown in full"
