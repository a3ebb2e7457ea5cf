"""The coordinator's list of phones: each agent's villages, links, devices and last use."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from collector_api.models import Device, DeviceToken
from collector_api.phones import create_access_link, revoke_access_link
from tests.factories import make_user


def test_the_phones_list_shows_villages_links_devices_and_last_use(malang):
    coordinator = make_user("coordinator", "coordinator", ["35.07.13"])
    agent = make_user("agent", "field_agent", ["35.07.13.1010", "35.07.13.2011"])
    create_access_link(user=agent, label="Samsung A05", created_by=coordinator)
    lost = create_access_link(user=agent, label="HP hilang", created_by=coordinator)
    revoke_access_link(device_token=lost.device_token, revoked_by=coordinator)
    used = timezone.now() - timedelta(days=2)
    DeviceToken.objects.filter(label="Samsung A05").update(last_used_at=used)
    seen = timezone.now() - timedelta(hours=3)
    Device.objects.create(user=agent, device_id="collect:Xq3kP0aZ1bC2", last_seen_at=seen)
    client = Client()
    client.force_login(coordinator)

    html = client.get("/phone/agents/").content.decode()

    row = html[html.index('id="agent-agent"') :]
    villages = row[row.index('class="villages"') : row.index('class="links"')]
    assert "Kepanjen" in villages and "Talangagung" in villages
    links = row[row.index('class="links"') : row.index('class="devices"')]
    assert "Samsung A05" in links and "HP hilang" in links
    assert "Dicabut" in links and "Aktif" in links
    assert "belum pernah dipakai" in links  # the lost one
    devices = row[row.index('class="devices"') : row.index('class="last-used"')]
    assert "collect:Xq3kP0aZ1bC2" in devices
    last_used = row[row.index('class="last-used"') :].split("</td>")[0]
    assert (
        timezone.localtime(seen).strftime("%d/%m/%Y") in last_used
        or str(timezone.localtime(seen).year) in last_used
    )


def test_an_agent_without_a_phone_says_so(malang):
    coordinator = make_user("coordinator", "coordinator", ["35.07.13"])
    make_user("agent", "field_agent", ["35.07.13.1010"])
    client = Client()
    client.force_login(coordinator)
    html = client.get("/phone/agents/").content.decode()
    assert "Tidak ada tautan akses." in html
    assert "Belum ada ponsel." in html
