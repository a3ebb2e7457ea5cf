"""The registry's pages in a browser: they fit a phone (360, 390 px) and a laptop (1366 px),
the map draws, a reveal with a reason shows the numbers and a reviewer resolves a conflict.

Screenshots go to test-artifacts/registry/ (look at them).
"""

import pytest

from registry.models import Conflict
from tests.e2e.conftest import ARTIFACTS
from tests.registry.page_data import (
    BUDI_NIK,
    FAMILY_SECRETS,
    SECRETS,
    add_family_elsewhere,
    build_registry,
    make_readers,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 360, "height": 740}
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def registry_data(malang):
    data = build_registry()
    add_family_elsewhere(data)  # Budi's card: a daughter in Kepanjen town, a son in Pagelaran
    readers = make_readers()
    _give_a_photo(data.budi_household)
    return data, readers


def _give_a_photo(household) -> None:
    """The house photo of a real submission (intake stores it; thumbnails after commit)."""
    from accounts.models import User
    from intake.models import Attachment
    from tests.review.review_households import Household as Sent
    from tests.review.review_households import install_review_demo, send_household

    install_review_demo()
    submission = send_household(User.objects.get(username="agent"), Sent(instance="e2e-photo"))
    household.photo = Attachment.objects.get(submission=submission)
    household.save(update_fields=["photo"])


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-test-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _width(page) -> tuple[int, int]:
    size = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return size[0], size[1]


def test_the_registry_pages_fit_a_phone_and_a_laptop(browser, live_server, registry_data):
    data, readers = registry_data
    folder = ARTIFACTS / "registry"
    folder.mkdir(parents=True, exist_ok=True)
    pages = {
        "rev-kepanjen": [
            ("households", "/registry/households/"),
            ("search", "/registry/households/?q=Budi&rt=3"),
            ("household", f"/registry/households/{data.budi_household.pk}/"),
            ("person", f"/registry/people/{data.budi.pk}/"),
            ("person-as-of", f"/registry/people/{data.budi.pk}/?as_of=2030-01-01"),
            ("people", "/registry/people/"),
            ("conflicts", "/registry/conflicts/"),
        ],
        "monitor-jatim": [("monitor", "/registry/households/")],
    }
    problems = []
    for username, paths in pages.items():
        context = browser.new_context(locale="id-ID", viewport=PHONE)
        page = context.new_page()
        _log_in(page, live_server, username)
        for viewport in (SMALL_PHONE, PHONE, LAPTOP):
            page.set_viewport_size(viewport)
            for name, path in paths:
                page.goto(f"{live_server.url}{path}")
                scroll, inner = _width(page)
                if scroll > inner:
                    problems.append(f"{name} at {viewport['width']} px: {scroll} px wide")
                body = page.content()
                problems += [
                    f"{name}: {s} in full" for s in (*SECRETS, *FAMILY_SECRETS) if s in body
                ]
                if name == "person" and "Andi Santoso" in body:
                    problems.append("person: a family member outside the areas is named")
                page.screenshot(
                    path=str(folder / f"{viewport['width']}-{name}.png"), full_page=True
                )
        context.close()
    assert problems == []


def test_a_reviewer_reveals_with_a_reason_and_resolves_a_conflict(
    browser, live_server, registry_data
):
    data, readers = registry_data
    folder = ARTIFACTS / "registry"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="id-ID", viewport=PHONE)
    page = context.new_page()
    _log_in(page, live_server, "rev-kepanjen")
    page.goto(f"{live_server.url}/registry/households/{data.budi_household.pk}/")
    assert page.locator("#map .leaflet-pane").count() > 0  # Leaflet drew the map
    photo = page.locator(".photo-card img")
    # The photo loads (lazily: below the fold of a phone's screen, once scrolled to it).
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )

    page.click("#reveal summary")
    page.fill("#id_reveal_reason", "checking the family card at the visit")
    page.click("#reveal-button")
    page.wait_for_selector("#revealed")
    assert BUDI_NIK in page.content()
    page.screenshot(path=str(folder / "390-household-revealed.png"), full_page=True)

    page.goto(f"{live_server.url}/registry/households/{data.budi_household.pk}/")
    assert BUDI_NIK not in page.content()
    conflict = page.locator(f"#conflict-{data.budi_conflict.pk}")
    conflict.locator("summary").click()
    conflict.locator("input[value=offered]").check()
    conflict.locator("input[name=reason]").fill("the KTP says the 18th")
    conflict.locator("button[type=submit]").click()
    page.wait_for_selector(".messages")
    page.screenshot(path=str(folder / "390-household-resolved.png"), full_page=True)
    context.close()

    resolved = Conflict.objects.get(pk=data.budi_conflict.pk)
    assert resolved.state == Conflict.State.RESOLVED and resolved.chosen == "1980-08-18"
