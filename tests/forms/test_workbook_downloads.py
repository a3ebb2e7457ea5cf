"""A version's workbook is downloaded as what it was uploaded as: .xls stays .xls."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from forms.models import FormVersion
from tests.factories import xlsform_bytes

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "xlsform-corpus"
XLS = "application/vnd.ms-excel"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def api(district_user) -> APIClient:
    client = APIClient()
    client.force_login(district_user)
    return client


def _upload(api: APIClient, name: str, content: bytes) -> FormVersion:
    response = api.post(
        "/api/v1/questionnaires/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return FormVersion.objects.get(questionnaire__form_id=response.json()["form_id"])


# The second is an .xls named .xlsx: what it is decides, not its name.
@pytest.mark.parametrize(
    "name",
    [
        "pyxform__cascading_select_test_equivalent.xls",
        "web-forms__ifrc-distribution-site-assessment-v1.xlsx",
    ],
)
@pytest.mark.parametrize("url_name", ["forms:xlsx", "forms_api:xlsx"])
def test_an_xls_workbook_is_downloaded_as_xls_with_its_media_type(
    api, district_client, name, url_name
):
    content = (CORPUS / name).read_bytes()
    version = _upload(api, name, content)
    form_id = version.questionnaire.form_id

    response = district_client.get(reverse(url_name, args=[form_id, version.version]))

    assert response.status_code == 200
    assert response["Content-Type"] == XLS
    assert response["Content-Disposition"] == (
        f'attachment; filename="{form_id}-{version.version}.xls"'
    )
    assert b"".join(response) == content


@pytest.mark.parametrize("url_name", ["forms:xlsx", "forms_api:xlsx"])
def test_an_xlsx_workbook_is_downloaded_as_xlsx(api, district_client, url_name):
    content = xlsform_bytes(version="3")
    _upload(api, "form.xlsx", content)

    response = district_client.get(reverse(url_name, args=["test_form", "3"]))

    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == 'attachment; filename="test_form-3.xlsx"'
    assert b"".join(response) == content


def test_the_questionnaire_page_links_the_workbook_by_its_own_extension(api, district_client):
    district_client.cookies["django_language"] = "en"
    version = _upload(
        api,
        "tutorial.xls",
        (CORPUS / "pyxform__cascading_select_test_equivalent.xls").read_bytes(),
    )
    page = district_client.get(reverse("forms:detail", args=[version.questionnaire.form_id]))
    assert "Download .xls<" in page.content.decode()
