"""The duplicate pairs in a browser: a reviewer opens the list, a pair, merges it keeping
the record she chose, sees the result, and undoes it; on a laptop (1366 px) and a phone
(390 px), the pages no wider than the screen and no full NIK or phone number on them.

Screenshots go to test-artifacts/duplicates/ (look at them).
"""

import pytest

from duplicates.finding import find_duplicates
from duplicates.models import DuplicatePair, PairKind
from registry.models import Person
from tests.duplicates.people import (
    KEPANJEN,
    background,
    household,
    nik_of,
    person,
    registry_source,
)
from tests.e2e.conftest import ARTIFACTS
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
SITI_NIK = nik_of(KEPANJEN, "1988-04-17", "female", 3)
SWAPPED_NIK = SITI_NIK[:8] + SITI_NIK[9] + SITI_NIK[8] + SITI_NIK[10:]
SECRETS = (SITI_NIK, SWAPPED_NIK, "+6281299998888")


@pytest.fixture
def siti_pair(malang):
    source = registry_source(make_user("loader", "administrator", [None]))
    background(source)
    home = household(source, kk="3507130101880007")
    siti = person(
        source, "Siti Nurhaliza", "1988-04-17", nik=SITI_NIK, phone="+6281299998888", home=home
    )
    person(source, "Siti Nur Haliza", "1988-04-17", nik=SWAPPED_NIK)
    find_duplicates(kind=PairKind.PERSON)
    make_user("rev-kepanjen", "reviewer", [KEPANJEN])
    return DuplicatePair.objects.get(person_a=siti)


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-test-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _check(page, problems: list[str], name: str) -> None:
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        problems.append(f"{name}: {scroll} px wide in {inner} px")
    body = page.content()
    problems += [f"{name}: {secret} in full" for secret in SECRETS if secret in body]


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_a_reviewer_merges_a_pair_and_undoes_it(browser, live_server, siti_pair, viewport):
    pair = siti_pair
    folder = ARTIFACTS / "duplicates"
    folder.mkdir(parents=True, exist_ok=True)
    width = viewport["width"]
    context = browser.new_context(locale="id-ID", viewport=viewport)
    page = context.new_page()
    problems: list[str] = []
    _log_in(page, live_server, "rev-kepanjen")

    if width < 760:
        page.click(".menu-button")
    page.click("header nav a[href='/duplicates/']")
    page.wait_for_selector("#pairs")
    _check(page, problems, "list")
    page.screenshot(path=str(folder / f"{width}-list.png"), full_page=True)

    page.click(f"#pair-{pair.pk} a")
    page.wait_for_selector("#comparison")
    assert "dua angka tertukar" in page.inner_text("#field-nik")
    assert page.locator("#field-name .weight.plus").count() == 1
    _check(page, problems, "pair")
    page.screenshot(path=str(folder / f"{width}-pair.png"), full_page=True)

    page.check("#merge input[value=right]")
    page.fill("#id_merge_reason", "KTP yang sama saat kunjungan")
    page.click("#merge-button")
    page.wait_for_selector("#undo")
    assert "Kedua data sudah digabung" in page.inner_text(".messages")
    _check(page, problems, "merged")
    page.screenshot(path=str(folder / f"{width}-merged.png"), full_page=True)
    assert Person.objects.get(pk=pair.person_a_id).merged_into_id == pair.person_b_id

    # The merged record's registry page leads to the kept one.
    page.click(f"#comparison tr.records a[href='/registry/people/{pair.person_a_id}/']")
    page.wait_for_url(f"{live_server.url}/registry/people/{pair.person_b_id}/")
    page.go_back()

    page.fill("#id_undo_reason", "ternyata kembar")
    page.click("#undo-button")
    page.wait_for_selector("#merge")
    assert "Penggabungan dibatalkan" in page.inner_text(".messages")
    _check(page, problems, "undone")
    page.screenshot(path=str(folder / f"{width}-undone.png"), full_page=True)
    context.close()

    pair.refresh_from_db()
    assert pair.state == DuplicatePair.State.OPEN
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    assert problems == []
