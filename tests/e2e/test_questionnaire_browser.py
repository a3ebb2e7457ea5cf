"""District staff edit a questionnaire in a real browser (headless Chromium)."""

import pytest

from areas.area_import import load_areas
from areas.models import Area
from forms.models import FormVersion
from forms.versions import create_questionnaire, publish_form_version
from tests.factories import make_user, xlsform_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKEN_SURVEY = [
    {
        "type": "text",
        "name": "hh_head_name",
        "label::Indonesian (id)": "Nama kepala",
        "label::English (en)": "Head's name",
    },
    {
        "type": "integer",
        "name": "members",
        "label::Indonesian (id)": "Jumlah anggota",
        "label::English (en)": "Members",
        "relevant": "${hh_head_name} != '' and (${members} > ",
    },
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

    page.click('header nav a[href="/questionnaires/"]')
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


def _ppls_workbook(tmp_path, version, change):
    """The real PPLS source, changed as a district officer would in Excel."""
    from pathlib import Path

    import yaml

    from forms.questionnaire_source import QUESTIONNAIRES_DIR, build_xlsx

    data = yaml.safe_load((QUESTIONNAIRES_DIR / "ppls_household.yaml").read_text())
    data["settings"]["version"] = version
    change(data)
    source = Path(tmp_path) / f"ppls_household-{version}.yaml"
    source.write_text(yaml.safe_dump(data, allow_unicode=True))
    workbook = Path(tmp_path) / f"ppls_household-{version}.xlsx"
    workbook.write_bytes(build_xlsx(source))
    return workbook


def _rows(data):
    return {row.get("name"): row for row in data["survey"]}


def test_the_demo_district_officer_changes_the_ppls_form(page, live_server, screenshot, tmp_path):
    from forms.demo import seed_demo

    seed_demo()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "district")
    page.fill("#id_password", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.click('header nav a[href="/questionnaires/"]')
    page.click("text=Survei Rumah Tangga PPLS (diperluas)")

    def break_relevance(data):
        _rows(data)["pregnant"]["relevant"] = "${sex} = 'female' and (${age} >= 10"

    page.set_input_files(
        "#upload-version input[type=file]",
        str(_ppls_workbook(tmp_path, "2026112401", break_relevance)),
    )
    page.click("#upload-version button[type=submit]")
    error = page.locator("#upload-error")
    error.wait_for()
    first = error.locator("tbody tr").first
    row_number = int(first.locator("td").nth(1).inner_text())
    assert first.locator("td").nth(0).inner_text() == "survey"
    assert "pregnant" in first.locator("td").nth(2).inner_text()
    # The row is the pregnancy question's row in the workbook the officer uploaded.
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO((tmp_path / "ppls_household-2026112401.xlsx").read_bytes()))[
        "survey"
    ]
    name_column = [cell.value for cell in sheet[1]].index("name") + 1
    assert sheet.cell(row=row_number, column=name_column).value == "pregnant"
    screenshot("ppls-broken-relevance")

    def relabel(data):
        _rows(data)["hh_head_name"]["label"] = [
            "Nama lengkap kepala rumah tangga",
            "Full name of the head of household",
        ]

    page.set_input_files(
        "#upload-version input[type=file]", str(_ppls_workbook(tmp_path, "2026112402", relabel))
    )
    page.click("#upload-version button[type=submit]")
    page.locator("#draft").wait_for()
    page.click("#publish")
    page.locator("#versions").wait_for()
    screenshot("ppls-published")
    from forms.models import FormVersion

    published = FormVersion.objects.filter(
        questionnaire__form_id="ppls_household", status="published"
    )
    assert sorted(published.values_list("version", flat=True)) == ["2026112301", "2026112402"]
    assert "Nama lengkap kepala rumah tangga" in published.get(version="2026112402").xform_xml
