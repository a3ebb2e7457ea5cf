"""Every page fits a phone's screen (360, 390 px) and a laptop's (1366 px) without scrolling sideways.

Headless Chromium opens each page of each role at both widths, checks that nothing is wider
than the window and that the folded header stays short on a phone, and saves a screenshot
of each into test-artifacts/ (look at them).
"""

import pytest
from django.utils import timezone

from accounts.models import User
from areas.models import Area
from collector_api.models import Device
from collector_api.phones import create_access_link, revoke_access_link
from forms.versions import create_questionnaire
from intake.demo_submissions import seed_sample_submissions
from intake.models import Submission
from tests.factories import xlsform_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.portal.error_urls"),
]

SMALL_PHONE = {"width": 360, "height": 740}
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
MAX_PHONE_HEADER_PX = 120


@pytest.fixture
def demo():
    from forms.demo import seed_demo

    seed_demo()
    agent = User.objects.get(username="agent")
    coordinator = User.objects.get(username="coordinator")
    district = User.objects.get(username="district")
    seed_sample_submissions(agent=agent)
    create_access_link(user=agent, label="Samsung A05 bidan desa Kepanjen", created_by=coordinator)
    old = create_access_link(user=agent, label="HP lama (hilang)", created_by=coordinator)
    revoke_access_link(device_token=old.device_token, revoked_by=coordinator)
    Device.objects.create(
        user=agent, device_id="collect:Xq3kP0aZ1bC2dE3f", last_seen_at=timezone.now()
    )
    create_questionnaire(
        workbook=xlsform_bytes(form_id="uji_draft", version="1", title="Survei uji coba draf"),
        filename="uji_draft.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    return {"submission": Submission.objects.order_by("pk").first()}


def _pages(demo) -> dict[str, list[tuple[str, str]]]:
    """For each demo login (password "demo"), the pages it opens: (name, path)."""
    return {
        "": [("login", "/accounts/login/"), ("500", "/test-errors/database-down/")],
        "agent": [
            ("home-agent", "/"),
            ("phone-mine", "/phone/"),
            ("submissions-agent", "/submissions/"),
            ("403", "/questionnaires/"),
        ],
        "reviewer": [
            ("home-reviewer", "/"),
            ("submissions", "/submissions/"),
            ("submission-detail", f"/submissions/{demo['submission'].pk}/"),
            ("404", "/submissions/999999/"),
            ("409", "/test-errors/conflict/"),
        ],
        "coordinator": [
            ("home-coordinator", "/"),
            ("phones-agents", "/phone/agents/"),
            ("phone-of-agent", "/phone/agents/agent/"),
            ("revoke-confirm", _active_link_revoke_path()),
        ],
        "district": [
            ("home-district", "/"),
            ("questionnaires", "/questionnaires/"),
            ("questionnaire-published", "/questionnaires/ppls_household/"),
            ("questionnaire-draft", "/questionnaires/uji_draft/"),
            ("discard-confirm", "/questionnaires/uji_draft/versions/1/discard/"),
            ("archive-confirm", "/questionnaires/ppls_household/archive/"),
        ],
        "monitor": [("home-monitor", "/")],
    }


def _active_link_revoke_path() -> str:
    from collector_api.models import DeviceToken

    link = DeviceToken.objects.get(revoked_at__isnull=True)
    return f"/phone/links/{link.pk}/revoke/"


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _measure(page) -> dict:
    return page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            header: document.querySelector('header.top').getBoundingClientRect().height,
        })"""
    )


def test_every_page_fits_a_phone_and_a_laptop_without_sideways_scrolling(
    browser, live_server, demo, screenshot_dir
):
    problems = []
    for username, pages in _pages(demo).items():
        context = browser.new_context(locale="id-ID", viewport=PHONE)
        page = context.new_page()
        if username:
            _log_in(page, live_server, username)
        for viewport in (SMALL_PHONE, PHONE, LAPTOP):
            page.set_viewport_size(viewport)
            for name, path in pages:
                page.goto(f"{live_server.url}{path}")
                size = _measure(page)
                label = f"{name} at {viewport['width']} px ({path})"
                if size["scrollWidth"] > size["innerWidth"]:
                    problems.append(f"{label}: {size['scrollWidth']} px wide")
                if viewport is not LAPTOP and size["header"] > MAX_PHONE_HEADER_PX:
                    problems.append(f"{label}: header {size['header']} px high")
                page.screenshot(
                    path=str(screenshot_dir / f"{viewport['width']}-{name}.png"), full_page=True
                )
        context.close()
    assert problems == []


def test_the_folded_menu_opens_on_a_phone_without_javascript(
    browser, live_server, demo, screenshot_dir
):
    context = browser.new_context(locale="id-ID", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "district")
    page.fill("#id_password", "demo")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    questionnaires = page.locator('header nav a[href="/questionnaires/"]')
    assert not questionnaires.is_visible()
    page.click("label.menu-button")
    assert questionnaires.is_visible()
    page.screenshot(path=str(screenshot_dir / "390-menu-open.png"))
    size = _measure(page)
    assert size["scrollWidth"] <= size["innerWidth"]
    questionnaires.click()
    page.wait_for_url(f"{live_server.url}/questionnaires/")
    context.close()


def test_a_new_access_link_is_shown_once_and_a_reload_makes_no_second_one(
    browser, live_server, demo, screenshot_dir
):
    from collector_api.models import DeviceToken

    context = browser.new_context(locale="id-ID", viewport=PHONE)
    page = context.new_page()
    _log_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/phone/agents/agent/")
    page.fill("#id_label", "Oppo A17 kader Mangunrejo")
    page.click("#create-link")
    page.wait_for_url(f"{live_server.url}/phone/agents/agent/")
    assert page.locator("#new-link svg").is_visible()
    size = _measure(page)
    assert size["scrollWidth"] <= size["innerWidth"]
    page.screenshot(path=str(screenshot_dir / "390-new-access-link.png"), full_page=True)
    links = DeviceToken.objects.count()

    page.reload()
    assert DeviceToken.objects.count() == links
    assert page.locator("#new-link").count() == 0
    context.close()


@pytest.fixture
def screenshot_dir():
    from tests.e2e.conftest import ARTIFACTS

    folder = ARTIFACTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
