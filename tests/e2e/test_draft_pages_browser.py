"""The draft's pages in a real browser (headless Chromium): the form in two languages, what
changed, the draft test QR code; each fits a 360 and 390 px phone and a 1366 px laptop
without sideways scrolling. Screenshots go to test-artifacts/drafts/ (look at them)."""

import pytest
import yaml

from accounts.models import User
from forms.models import Questionnaire
from forms.questionnaire_source import QUESTIONNAIRES_DIR, build_xlsx
from forms.versions import upload_form_version

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [
    {"width": 360, "height": 740},
    {"width": 390, "height": 844},
    {"width": 1366, "height": 768},
]


@pytest.fixture
def household_draft(tmp_path):
    """The demo, and a draft of the household survey: one question removed, one added,
    a label changed, a choice added."""
    from forms.demo import seed_demo

    seed_demo()
    data = yaml.safe_load((QUESTIONNAIRES_DIR / "ppls_household.yaml").read_text())
    data["settings"]["version"] = "2026120101"
    survey = [row for row in data["survey"] if row.get("name") != "phone"]
    for row in survey:
        if row.get("name") == "hh_head_name":
            row["label"] = ["Nama lengkap kepala rumah tangga", "Full name of the head"]
    head_end = next(
        i for i, row in enumerate(survey) if row == {"type": "end_group", "name": "head"}
    )
    survey.insert(
        head_end,
        {
            "type": "text",
            "name": "email",
            "label": ["Alamat surel (jika ada)", "E-mail address (if any)"],
        },
    )
    data["survey"] = survey
    data["choices"]["tenure"].append(
        {"name": "family", "label": ["Milik keluarga", "Family-owned"]}
    )
    source = tmp_path / "ppls_household.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True))
    return upload_form_version(
        questionnaire=Questionnaire.objects.get(form_id="ppls_household"),
        workbook=build_xlsx(source),
        filename="ppls_household.xlsx",
        user=User.objects.get(username="district"),
    )


def _log_in(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "district")
    page.fill("#id_password", "demo")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def _too_wide(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_the_draft_pages_read_well_on_a_phone_and_a_laptop(browser, live_server, household_draft):
    from tests.e2e.conftest import ARTIFACTS

    folder = ARTIFACTS / "drafts"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="id-ID", viewport=VIEWPORTS[1])
    page = context.new_page()
    _log_in(page, live_server)

    page.goto(f"{live_server.url}/questionnaires/ppls_household/")
    page.click("#check-draft")
    page.wait_for_url(f"{live_server.url}/questionnaires/ppls_household/versions/2026120101/")
    changes = page.locator("#changes").inner_text()
    assert "Dibandingkan dengan versi terbit 2026112301." in changes
    assert "email" in page.locator("#diff-added").inner_text()
    assert "phone" in page.locator("#diff-removed").inner_text()
    assert "Nama lengkap kepala rumah tangga" in page.locator("#diff-changed").inner_text()
    assert "family" in page.locator("#diff-changed").inner_text()
    outline = page.locator("#outline").inner_text()
    assert "Nama kepala rumah tangga" not in outline
    assert "Full name of the head" in outline and "Milik keluarga" in outline

    page.click("#draft-test-link")
    page.click("#create-draft-link")
    page.wait_for_url(f"{live_server.url}/phone/drafts/ppls_household/2026120101/")
    assert page.locator("#new-draft-link svg").is_visible()
    draft_page = f"{live_server.url}/questionnaires/ppls_household/versions/2026120101/"

    problems = []
    # The QR code is shown once: measure that page at each width before leaving it.
    for name, url in (("draft-qr", None), ("draft", draft_page)):
        for viewport in VIEWPORTS:
            page.set_viewport_size(viewport)
            if url is not None:
                page.goto(url)
            overflow = _too_wide(page)
            if overflow > 0:
                problems.append(f"{name} at {viewport['width']} px: {overflow} px too wide")
            page.screenshot(path=str(folder / f"{viewport['width']}-{name}.png"), full_page=True)
    context.close()
    assert problems == []
