"""Every form that changes something answers with a redirect: reloading changes nothing twice.

Discard, archive and revoke ask first, on a page of their own (no JavaScript needed), and
say afterwards what they did.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from collector_api.models import DeviceToken
from forms.models import FormVersion, Questionnaire
from tests.factories import make_user, xlsform_bytes


def _workbook(version: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("test.xlsx", xlsform_bytes(version=version))


@pytest.fixture
def coordinator_client(malang) -> Client:
    make_user("agent", "field_agent", ["35.07.13.1010"])
    client = Client()
    client.force_login(make_user("coordinator", "coordinator", ["35.07.13"]))
    return client


@pytest.fixture
def draft(district_client) -> FormVersion:
    response = district_client.post(
        reverse("forms:create"), {"workbook": _workbook("1"), "owner_area": "35.07"}
    )
    assert response.status_code == 302
    return FormVersion.objects.get()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_reloading_the_page_of_a_new_access_link_makes_no_second_link(coordinator_client):
    response = coordinator_client.post("/phone/agents/agent/", {"label": "Samsung A05"})
    assert response.status_code == 302
    assert response["Location"] == "/phone/agents/agent/"

    shown = coordinator_client.get("/phone/agents/agent/")
    html = shown.content.decode()
    assert 'id="new-link"' in html and "<svg" in html
    assert re.search(r'<code id="new-link-url">[^<]+/key/[^<]+</code>', html)

    reloaded = coordinator_client.get("/phone/agents/agent/")
    assert DeviceToken.objects.count() == 1
    assert 'id="new-link"' not in reloaded.content.decode()  # the QR is shown once


def test_the_new_link_is_not_shown_on_another_agents_page(coordinator_client):
    make_user("agent2", "field_agent", ["35.07.13.2011"])
    coordinator_client.post("/phone/agents/agent/", {"label": "Samsung A05"})
    other = coordinator_client.get("/phone/agents/agent2/")
    assert 'id="new-link"' not in other.content.decode()


def test_revoking_a_link_asks_first_then_says_it_is_revoked(coordinator_client):
    coordinator_client.post("/phone/agents/agent/", {"label": "Samsung A05"})
    link = DeviceToken.objects.get()

    question = coordinator_client.get(f"/phone/links/{link.pk}/revoke/")
    assert question.status_code == 200
    assert "Cabut tautan akses “Samsung A05”?" in question.content.decode()
    link.refresh_from_db()
    assert not link.is_revoked

    done = coordinator_client.post(f"/phone/links/{link.pk}/revoke/", follow=True)
    link.refresh_from_db()
    assert link.is_revoked
    assert done.redirect_chain == [("/phone/agents/agent/", 302)]
    assert _messages(done) == [
        "Tautan akses “Samsung A05” sudah dicabut: ponsel yang memakainya tidak dapat "
        "terhubung lagi."
    ]


def test_the_phone_page_links_to_the_question_not_to_a_revoking_form(coordinator_client):
    coordinator_client.post("/phone/agents/agent/", {"label": "Samsung A05"})
    link = DeviceToken.objects.get()
    html = coordinator_client.get("/phone/agents/agent/").content.decode()
    assert f'href="/phone/links/{link.pk}/revoke/"' in html
    assert f'action="/phone/links/{link.pk}/revoke/"' not in html


def test_discarding_a_draft_asks_first_then_says_it_was_discarded(district_client, draft):
    url = reverse("forms:discard", args=["test_form", "1"])
    question = district_client.get(url)
    assert question.status_code == 200
    assert "Buang draf versi 1?" in question.content.decode()
    assert FormVersion.objects.filter(pk=draft.pk).exists()

    done = district_client.post(url, follow=True)
    assert not FormVersion.objects.filter(pk=draft.pk).exists()
    assert done.redirect_chain == [(reverse("forms:detail", args=["test_form"]), 302)]
    assert _messages(done) == ["Draf versi 1 sudah dibuang."]


def test_archiving_asks_first_then_says_it_is_archived(district_client, draft):
    url = reverse("forms:archive", args=["test_form"])
    question = district_client.get(url)
    assert question.status_code == 200
    assert "Arsipkan" in question.content.decode()
    assert not Questionnaire.objects.get().is_archived

    done = district_client.post(url, follow=True)
    assert Questionnaire.objects.get().is_archived
    assert done.redirect_chain == [(reverse("forms:detail", args=["test_form"]), 302)]
    assert len(_messages(done)) == 1


def test_the_upload_form_warns_that_a_new_workbook_replaces_the_draft(district_client, draft):
    html = district_client.get(reverse("forms:detail", args=["test_form"])).content.decode()
    assert 'id="replaces-draft"' in html
    assert "Draf versi 1 sedang menunggu: mengunggah workbook akan menggantikannya." in html


def test_no_warning_when_there_is_no_draft(district_client, draft):
    district_client.post(reverse("forms:publish", args=["test_form", "1"]))
    html = district_client.get(reverse("forms:detail", args=["test_form"])).content.decode()
    assert 'id="replaces-draft"' not in html
