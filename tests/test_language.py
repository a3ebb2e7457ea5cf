"""The web pages speak Indonesian unless the person switches; phones get their own language."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_pages_are_indonesian_even_for_an_english_browser():
    response = Client().get("/accounts/login/", headers={"accept-language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "id"
    assert "Kata sandi" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_sticks():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    page = client.get("/accounts/login/")
    assert page["Content-Language"] == "en"
    assert "Password" in page.content.decode()
