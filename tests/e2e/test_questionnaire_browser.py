"""District staff edit a questionnaire in a real browser (headless Chromium)."""

import pytest

from forms.models import FormVersion
from forms.versions import create_questionnaire, publish_form_version
from registry.area_import import load_areas
from registry.models import Area
from tests.factories import make_user, xlsform_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN_SURVEY = [
    {"type": "text", "name": "hh_head_name", "label::Indonesian (id)": "Nama kepala", "label::English (en)": "Head's name"},
    {"type": "integer", "name": "members", "label::Indonesian (id)": "Jumlah anggota", "label::English (en)": "Members",
     "relevant": "${hh_head_name} != '' and (${members} > "},
]


@pytest.fixture
def district_with_form():
    load_areas(scope="35.07")
    user = make_user("district", "district_staff", ["35.07"])
    version = create_questionnaire(
        workbook=xlsform_bytes(form_id="ppls_test", version="1", title="Survei PPLS uji"),
        filename="ppls_test.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=user,
    )
    publish_form_version(version=version, user=user)
    return user


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-test-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_district_staff_see_a_broken_form_with_its_row_then_publish_a_good_one(
    page, live_server, district_with_form, screenshot, tmp_path
):
    _log_in(page, live_server, "district")
    assert page.locator("#card-forms").is_visible()
    screenshot("home-district")

    page.click("header nav a[href=\"/questionnaires/\"]")
    page.click("text=Survei PPLS uji")
    broken = tmp_path / "ppls_test-broken.xlsx"
    broken.write_bytes(xlsform_bytes(form_id="ppls_test", version="2", survey=BROKEN_SURVEY))
    page.set_input_files("#upload-version input[type=file]", str(broken))
    page.click("#upload-version button[type=submit]")
    error = page.locator("#upload-error")
    error.wait_for()
    rows = error.locator("tbody tr")
    assert rows.first.locator("td").nth(0).inner_text() == "survey"
    assert rows.first.locator("td").nth(1).inner_text() == "3"
    assert "members" in rows.first.locator("td").nth(2).inner_text()
    screenshot("upload-broken-form")
    assert FormVersion.objects.count() == 1

    good = tmp_path / "ppls_test-2.xlsx"
    good.write_bytes(xlsform_bytes(form_id="ppls_test", version="2", title="Survei PPLS uji v2"))
    page.set_input_files("#upload-version input[type=file]", str(good))
    page.click("#upload-version button[type=submit]")
    page.locator("#draft").wait_for()
    page.click("#publish")
    page.locator("#versions").wait_for()
    screenshot("published-version")
    versions = dict(FormVersion.objects.values_list("version", "status"))
    assert versions == {"1": "published", "2": "published"}
    assert "Survei PPLS uji v2" in page.locator("h1").inner_text()


def test_switching_the_language_to_english(page, live_server, district_with_form, screenshot):
    _log_in(page, live_server, "district")
    assert page.locator("text=Kuesioner yang Anda kelola").is_visible()  # Indonesian by default
    with page.expect_navigation():
        page.select_option("#language-form select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("text=Questionnaires you manage").is_visible()
    screenshot("home-district-en")
