"""The Bar's walk through the review queue in headless Chromium (Debian's, via Playwright).

A Kepanjen reviewer logs in, filters the queue, opens with the keyboard a household whose
head's NIK and house photo (re-encoded, smaller) are those of another, sees the findings
beside the answers, corrects a birth date with a reason, approves, and an auditor sees the
audit records; she sends another back and the field agent sees it with the comment on her
home page; a Pagelaran reviewer gets 404 for the same URL. Screenshots at 1366×768 and
390×844 go to /tmp/review-shots/ (look at them).
"""

from pathlib import Path

import pytest

from accounts.models import User
from review.models import AnswerVersion, ReviewItem
from tests.review.review_households import (
    install_review_demo,
    send_household,
    the_bar_households,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/review-shots")
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def households(settings):
    settings.SRS_ODK_VALIDATE = False
    install_review_demo()
    agent = User.objects.get(username="agent")
    # Outside a transaction: each submission's processing and checks run after its commit.
    submissions = {h.instance: send_household(agent, h) for h in the_bar_households()}
    return {name: ReviewItem.objects.get(submission=s) for name, s in submissions.items()}


def _log_in(browser, live_server, username, viewport=LAPTOP):
    context = browser.new_context(locale="id-ID", viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_reviewer_walks_the_queue_decides_and_the_audit_trail_and_agent_see_it(
    browser, live_server, households
):
    duplicate, first, other = households["slamet-again"], households["slamet"], households["dewi"]
    context, page = _log_in(browser, live_server, "reviewer")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _shot(page, "1366-home-reviewer")
    assert page.locator("#queue-summary").is_visible()

    # Filter the queue: Talangagung only.
    page.goto(f"{live_server.url}/submissions/")
    page.click("#queue-filters summary")
    page.select_option("#id_village", "35.07.13.2011")
    page.click("#apply-filters")
    page.wait_for_url("**/submissions/?*village=35.07.13.2011*")
    assert page.locator("#queue tbody tr[data-href]").count() == 2
    assert page.locator(f"#item-{other.pk}").count() == 0
    _shot(page, "1366-queue-filtered")

    # With the keyboard: down twice, Enter opens the second (the duplicate).
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/submissions/{duplicate.pk}/?*")
    assert "village=35.07.13.2011" in page.url and "pos=1" in page.url

    # The findings: a summary at the top and each beside its answer.
    summary = page.locator("#findings-summary")
    assert summary.locator('[data-check="household.duplicate"]').count() >= 1
    assert summary.locator('[data-check="nik.duplicate_in_queue"]').count() >= 1
    assert summary.locator('[data-check="photo.duplicate"]').count() >= 1
    head_nik = page.locator('tr[data-field="head/hh_head_nik"]')
    assert head_nik.locator('[data-check="household.duplicate"]').is_visible()
    assert (
        page.locator('td[data-field="members/nik"] [data-check="nik.duplicate_in_queue"]').count()
        >= 1
    )
    assert page.locator('tr[data-field="house_photo"] [data-check="photo.duplicate"]').is_visible()
    # The head's NIK disagrees with the birth date she gave (member 1).
    assert page.locator('table.members [data-check="nik.birth_date"]').count() >= 1
    assert page.locator("#map .leaflet-interactive").count() >= 2  # this one and its neighbour
    photo = page.locator('tr[data-field="house_photo"] img')
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=photo.element_handle()
    )
    _shot(page, "1366-detail-findings")

    # Correct the head's birth date (member 1) with a reason.
    page.locator('td[data-field="members/birth_date"] a.edit-link').first.click()
    page.wait_for_url("**field=members/birth_date*")
    assert page.locator("#id_value").input_value() == "1965-03-12"
    page.fill("#id_value", "1965-03-02")
    page.fill("#id_correct_reason", "Sesuai KTP yang ditunjukkan")
    page.click("#correct-button")
    page.wait_for_selector(".messages li")
    assert page.locator("#correction-1").is_visible()
    assert AnswerVersion.objects.get(item=duplicate).changes[0]["after"] == "1965-03-02"
    assert "pos=1" in page.url  # still in the filtered queue

    # Approve with the key a.
    page.keyboard.press("a")
    page.wait_for_selector("#item-state.state-approved")
    assert ReviewItem.objects.get(pk=duplicate.pk).state == ReviewItem.State.APPROVED
    _shot(page, "1366-detail-approved")
    # A decided item's forms are folded away: the key a does not decide it again.
    version = ReviewItem.objects.get(pk=duplicate.pk).version
    page.keyboard.press("a")
    page.wait_for_timeout(300)
    assert ReviewItem.objects.get(pk=duplicate.pk).version == version

    # Previous (p) leads to the first Slamet; send it back with a comment (s).
    page.keyboard.press("p")
    page.wait_for_url(f"**/submissions/{first.pk}/?*")
    page.keyboard.press("s")
    page.keyboard.type("Rumah ini sama dengan yang lain? Periksa NIK kepala.")
    page.click("#send-back-button")
    page.wait_for_selector("#item-state.state-has_issues")
    assert errors == []
    context.close()

    # The auditor reads the audit records of the correction and the approval.
    context, page = _log_in(browser, live_server, "auditor")
    page.goto(f"{live_server.url}/audit/?object_type=review.reviewitem")
    records = page.locator("#audit-records").inner_text()
    assert "review.approved" in records and "review.answer_corrected" in records
    _shot(page, "1366-audit")
    context.close()

    # The field agent sees it on her home page with the comment, on her phone.
    context, page = _log_in(browser, live_server, "agent", PHONE)
    sent_back = page.locator(f"#sent-back-{first.pk}")
    assert "Periksa NIK kepala" in sent_back.inner_text()
    assert _fits(page)
    _shot(page, "390-home-agent")
    context.close()

    # A Pagelaran reviewer gets 404 for the same URL.
    context, page = _log_in(browser, live_server, "reviewer2")
    response = page.goto(f"{live_server.url}/submissions/{duplicate.pk}/")
    assert response.status == 404
    _shot(page, "1366-404-pagelaran")
    context.close()


def test_the_review_pages_fit_a_phone_without_sideways_scrolling(browser, live_server, households):
    duplicate = households["slamet-again"]
    context, page = _log_in(browser, live_server, "reviewer", PHONE)
    problems = []
    for name, path in [
        ("home-reviewer", "/"),
        ("queue", "/submissions/"),
        ("queue-filtered", "/submissions/?village=35.07.13.2011&review_state=received"),
        ("detail", f"/submissions/{duplicate.pk}/?pos=1"),
        ("approve-all", "/submissions/approve-all/"),
    ]:
        for viewport in ({"width": 360, "height": 740}, PHONE):
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}{path}")
            if not _fits(page):
                problems.append(f"{name} at {viewport['width']} px")
        _shot(page, f"390-{name}")
    # The members' table may scroll inside its own box, never the page.
    page.goto(f"{live_server.url}/submissions/{duplicate.pk}/")
    assert page.locator(".table-scroll table.members").count() == 1
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/submissions/")
    _shot(page, "1366-queue")
    assert problems == []
    context.close()
