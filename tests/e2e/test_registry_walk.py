"""Issue #11's Bar, end to end: from a phone into the registry, in Debian's Chromium.

ODK's own form engine (../shared/odk-client) sends a PPLS household of four (an
infant without an NIK among them) with its house photo; the Kepanjen reviewer
sees on the submission's page what approving would change, approves it in the
browser, and the household and its four people are in the registry with the
submission as their provenance. A second visit, whose head's birth date the
reviewer corrects, becomes a conflict, not an overwrite; resolving it is
audited; approving again changes nothing. A daughter surveyed in another
village with her own household is a move, not a copy. The Pagelaran reviewer
finds none of it, by page or API. Screenshots go to /tmp/registry-shots/.
"""

import json
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.api_tokens import issue_api_token
from accounts.models import User
from audit.models import AuditRecord
from registry.models import Conflict, Household, Person, RegistryChange, Residence, Source
from review.decisions import merge_into_registry
from review.models import ReviewItem
from tests.odk import Collector
from tests.review.review_households import install_review_demo

pytestmark = [pytest.mark.browser, pytest.mark.odk, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[1] / "data" / "odk"
SHOTS = Path("/tmp/registry-shots")
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
INFANT = {
    "name": "Bayu Saputra",
    "sex": "male",
    "birth_date": "2025-06-01",
    "relation": "child",
    "kk": "3507130101090001",
    "marital_status": "single",
    "disability": ["none"],
    "chronic_illness": "none",
}


def _answers(**changes):
    answers = json.loads((DATA / "ppls_household.json").read_text())
    answers["house_photo"] = f"@{DATA / 'house.jpg'}"
    answers.update(changes)
    return answers


def _send(phone: Collector, tmp_path: Path, name: str, answers: dict) -> ReviewItem:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(answers))
    sent = phone.send("ppls_household", path)
    assert sent.returncode == 0, sent.stderr
    return ReviewItem.objects.order_by("-pk").first()


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


def _approve_in_browser(page, live_server, item: ReviewItem, shot: str) -> None:
    page.goto(f"{live_server.url}/submissions/{item.pk}/")
    assert page.locator("#registry-preview").is_visible()
    _shot(page, shot)
    page.click("#approve-button")
    page.wait_for_selector("#registry-merged")


def test_a_household_from_a_phone_goes_into_the_registry_once_with_conflicts_and_moves(
    browser, live_server, tmp_path
):
    install_review_demo()
    phone = Collector(server=live_server.url, username="agent", password="demo")
    answers = _answers()
    answers["members"] = [*answers["members"], INFANT]
    first = _send(phone, tmp_path, "first", answers)
    assert first.submission.attachments.filter(filename__endswith=".jpg").exists()

    context, page = _log_in(browser, live_server, "reviewer")
    page.goto(f"{live_server.url}/submissions/{first.pk}/")
    assert page.locator("#registry-changes tr[data-kind=create]").count() >= 5  # 1 + 4
    _approve_in_browser(page, live_server, first, "1366-before-approving")
    _shot(page, "1366-merged")

    source = Source.objects.get(submission=first.submission)
    household = Household.objects.get()
    people = Person.objects.filter(household=household)
    assert people.count() == 4
    assert set(people.values_list("nik", flat=True)) == {
        "3507131708800001",
        "3507135005830002",
        "3507134403120003",
        None,  # the infant, found again by household, name and birth date
    }
    assert household.head.nik == "3507131708800001" and household.photo is not None
    budi = people.get(nik="3507131708800001")
    assert RegistryChange.objects.filter(person=budi, field="birth_date", source=source).exists()
    assert source.approved_by.username == "reviewer"

    # The household's page in the registry: masked NIKs, the photo.
    page.goto(f"{live_server.url}/registry/households/{household.pk}/")
    html = page.content()
    assert "3507131708800001" not in html and "Budi Santoso" in html
    _shot(page, "1366-household")
    phone_context = browser.new_context(locale="id-ID", viewport=PHONE)
    phone_page = phone_context.new_page()
    phone_page.context.add_cookies(context.cookies())
    phone_page.goto(f"{live_server.url}/registry/households/{household.pk}/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _shot(phone_page, "390-household")
    phone_context.close()

    # A second visit; the reviewer corrects the head's birth date (the phone's form ties it
    # to his NIK, so only a correction can say otherwise), then approves: a conflict.
    again = _send(phone, tmp_path, "again", _answers())
    page.goto(f"{live_server.url}/submissions/{again.pk}/?field=members/birth_date&member=1")
    page.fill("#id_value", "1980-08-18")
    page.fill("#id_correct_reason", "KTP shows the 18th")
    page.click("#correct-button")
    page.wait_for_selector(".messages, #decision-error", timeout=10000)
    page.goto(f"{live_server.url}/submissions/{again.pk}/")
    assert page.locator("#registry-changes tr[data-kind=conflict]").count() == 1
    _approve_in_browser(page, live_server, again, "1366-conflict-before-approving")
    budi.refresh_from_db()
    assert str(budi.birth_date) == "1980-08-17"  # not overwritten
    conflict = Conflict.objects.get(state=Conflict.State.OPEN)
    assert conflict.field == "birth_date" and conflict.person_id == budi.pk
    assert Person.objects.count() == 4 and Household.objects.count() == 1

    # Approving again (a replayed task) changes nothing.
    changes = RegistryChange.objects.count()
    merge_into_registry(ReviewItem.objects.get(pk=again.pk), approved_by=source.approved_by)
    assert RegistryChange.objects.count() == changes and Source.objects.count() == 2

    # The reviewer resolves the conflict in the registry, with a reason: audited.
    page.goto(f"{live_server.url}/registry/conflicts/")
    box = page.locator(f"#conflict-{conflict.pk}")
    box.locator("details.resolve summary").click()
    box.locator("input[name=choice][value=offered]").check()
    box.locator("input[name=reason]").fill("Checked the KTP at the village office")
    _shot(page, "1366-conflict-resolving")
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    budi.refresh_from_db()
    assert str(budi.birth_date) == "1980-08-18"
    assert AuditRecord.objects.filter(action="registry.conflict_resolved").exists()
    conflict.refresh_from_db()
    assert conflict.state == Conflict.State.RESOLVED and conflict.resolved_by.username == "reviewer"

    # Ani, the daughter, now heads her own household in Kepanjen town: a move.
    ani = dict(answers["members"][2], relation="head")
    moved = _send(
        phone,
        tmp_path,
        "ani",
        _answers(
            village="35.07.13.1010",
            hh_head_name="Ani Rahayu",
            hh_head_nik=ani["nik"],
            kk_number="3507131010230004",
            members=[dict(ani, kk="3507131010230004")],
        ),
    )
    _approve_in_browser(page, live_server, moved, "1366-move-before-approving")
    ani_person = Person.objects.get(nik=ani["nik"])
    stays = Residence.objects.filter(person=ani_person).order_by("since", "pk")
    assert [(s.household_id == household.pk, s.until is None) for s in stays] == [
        (True, False),
        (False, True),
    ]
    assert Person.objects.filter(nik=ani["nik"]).count() == 1
    context.close()

    # The Pagelaran reviewer finds none of it: pages and API.
    outsider = Client()
    outsider.force_login(User.objects.get(username="reviewer2"))
    assert outsider.get(f"/registry/households/{household.pk}/").status_code == 404
    found = outsider.get("/registry/households/?q=Budi").content.decode()
    assert "Budi Santoso" not in found and f"/registry/households/{household.pk}/" not in found
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {issue_api_token(User.objects.get(username='reviewer2'))[0]}"
    )
    assert api.get(f"/api/v1/households/{household.pk}/").status_code == 404
    assert api.get(f"/api/v1/people/{budi.pk}/").status_code == 404
    assert api.get("/api/v1/households/?q=Budi").json()["count"] == 0
