"""Connecting a phone: the settings QR code, access links, revoking them."""

import base64
import json
import re
import zlib

import pytest
from django.test import Client

from collector_api.models import DeviceToken
from intake.models import Submission
from tests.factories import make_user
from tests.odk import Collector
from tests.openrosa_fixtures import household_answers


def _decode_qr_payload(payload: str) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(payload)))


def test_the_qr_payload_is_collects_settings_format():
    from collector_api.phones import collect_settings_qr_payload

    payload = collect_settings_qr_payload(
        server_url="https://srs.example/key/abc", project="SRS Siti"
    )
    settings = _decode_qr_payload(payload)
    assert settings["general"]["server_url"] == "https://srs.example/key/abc"
    assert settings["project"]["name"] == "SRS Siti"
    assert set(settings) == {"general", "admin", "project"}


@pytest.mark.odk
def test_a_phone_on_an_access_link_works_until_the_link_is_revoked(
    live_server, openrosa_setup, tmp_path, photos
):
    client = Client()
    client.force_login(openrosa_setup["agent"])
    page = client.post("/phone/", {"label": "Samsung A05"}, follow=True)
    assert page.redirect_chain == [("/phone/", 302)]
    html = page.content.decode()
    assert "<svg" in html
    link_url = re.search(r'<code id="new-link-url">([^<]+)</code>', html).group(1)
    token = link_url.rsplit("/key/", 1)[1]
    phone = Collector(server=f"{live_server.url}/key/{token}")  # no username, no password
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(household_answers(photos)))
    sent = phone.send("household", answers)
    assert sent.returncode == 0, sent.stderr
    assert Submission.objects.count() == 1

    link = DeviceToken.objects.get()
    assert link.last_used_at is not None
    assert client.post(f"/phone/links/{link.pk}/revoke/").status_code == 302
    refused = phone.forms()
    assert refused.returncode == 1 and "401" in refused.stderr


@pytest.mark.odk
def test_deactivating_a_user_stops_her_phone_at_once(collector, openrosa_setup):
    assert collector.forms().returncode == 0
    agent = openrosa_setup["agent"]
    agent.is_active = False
    agent.save()
    result = collector.forms()
    assert result.returncode == 1 and "401" in result.stderr


def test_a_coordinator_manages_phones_of_agents_in_her_area_only(openrosa_setup):
    coordinator = make_user("coord", "coordinator", ["35.07.13"])
    other = make_user("coord_pagelaran", "coordinator", ["35.07.33"])
    client = Client()
    client.force_login(coordinator)
    assert "agent" in client.get("/phone/agents/").content.decode()
    assert client.get("/phone/agents/agent/").status_code == 200
    client.force_login(other)
    assert client.get("/phone/agents/agent/").status_code == 404
    assert "/phone/agents/agent/" not in client.get("/phone/agents/").content.decode()


def test_a_reviewer_has_no_phone_page(openrosa_setup):
    client = Client()
    client.force_login(make_user("rev", "reviewer", ["35.07.13"]))
    assert client.get("/phone/").status_code == 404
    assert client.get("/phone/agents/").status_code == 403
