"""403, 404 and 500 in the site's layout and the person's language, with a way back (DEBUG off)."""

import pytest
from django.test import Client

from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("_debug_off")


@pytest.fixture
def _debug_off(settings):
    settings.DEBUG = False


@pytest.fixture
def agent_client(malang) -> Client:
    client = Client()
    client.force_login(make_user("agent", "field_agent", ["35.07.13.1010"]))
    return client


def test_a_missing_page_is_404_in_the_layout_with_a_way_home(district_client):
    response = district_client.get("/questionnaires/no-such-form/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Halaman ini tidak ada" in body
    assert 'class="top"' in body  # the site's header
    assert 'href="/"' in body
    assert "Traceback" not in body


def test_a_missing_page_speaks_the_language_the_person_chose(reviewer_client):
    reviewer_client.cookies["django_language"] = "en"
    response = reviewer_client.get("/submissions/999999/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_the_404_page_links_back_to_the_page_the_person_came_from(reviewer_client):
    response = reviewer_client.get(
        "/submissions/999999/", headers={"referer": "http://testserver/submissions/"}
    )
    assert 'href="http://testserver/submissions/"' in response.content.decode()
    foreign = reviewer_client.get(
        "/submissions/999999/", headers={"referer": "https://evil.example/"}
    )
    assert "evil.example" not in foreign.content.decode()


def test_a_refused_page_is_403_in_the_layout(reviewer_client):
    response = reviewer_client.get("/questionnaires/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "Anda tidak boleh membuka halaman ini" in body
    assert 'href="/"' in body


def test_a_refusal_raised_as_a_domain_error_shows_its_message_with_its_status(agent_client):
    response = agent_client.get("/phone/agents/")
    assert response.status_code == 403
    assert "Anda tidak diizinkan melakukan ini di sini." in response.content.decode()


@pytest.mark.urls("tests.portal.error_urls")
def test_a_domain_error_of_a_page_gets_its_own_status_and_message(reviewer_client):
    response = reviewer_client.get("/test-errors/conflict/")
    assert response.status_code == 409
    body = response.content.decode()
    assert "Anda tidak diizinkan melakukan ini di sini." in body
    assert 'class="top"' in body


@pytest.mark.urls("tests.portal.error_urls")
def test_the_500_page_renders_without_the_database_or_the_user():
    # No database access is allowed in this test: the page must not need it.
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/database-down/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Terjadi kesalahan di server" in body
    assert 'href="/"' in body
    assert "could not connect" not in body


@pytest.mark.urls("tests.portal.error_urls")
def test_the_500_page_speaks_the_language_the_person_chose():
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    response = client.get("/test-errors/database-down/")
    assert response.status_code == 500
    assert "Something went wrong on the server" in response.content.decode()
