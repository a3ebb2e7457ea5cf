"""Every public XLSForm of ../shared/xlsform-corpus/, uploaded as a district officer would.

No upload may answer 500 or break a page. A refused workbook says why, problem by
problem; an accepted one keeps the id and version of the XForm that phones get.
"""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from forms.models import FormVersion, Questionnaire
from forms.xform_facts import describe_xform

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "xlsform-corpus"
WORKBOOKS = sorted(p for p in CORPUS.glob("*") if p.suffix in (".xlsx", ".xls"))


@pytest.fixture
def api(district_user) -> APIClient:
    # Signed in as in the browser: the API takes the session as it takes a token.
    client = APIClient()
    client.force_login(district_user)
    return client


def test_the_corpus_is_there():
    assert len(WORKBOOKS) >= 35


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_a_public_xlsform_uploaded_through_the_api_is_kept_or_refused_with_reasons(api, path):
    response = api.post(
        "/api/v1/questionnaires/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
        format="multipart",
    )
    assert response.status_code in (201, 409, 413, 422), response.content
    body = response.json()
    if response.status_code == 201:
        version = FormVersion.objects.get(questionnaire__form_id=body["form_id"])
        facts = describe_xform(version.xform_xml)
        assert (body["form_id"], body["versions"][0]["version"]) == (facts.form_id, facts.version)
        assert version.title == facts.title
    else:
        assert body["code"] and body["detail"]
        if body["code"] == "xlsform_invalid":
            assert body["problems"]
            assert all(p["message"] for p in body["problems"])
        assert Questionnaire.objects.count() == 0


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_a_public_xlsform_uploaded_in_the_page_never_breaks_the_pages(district_client, path):
    response = district_client.post(
        reverse("forms:create"),
        {"workbook": SimpleUploadedFile(path.name, path.read_bytes()), "owner_area": "35.07"},
    )
    assert response.status_code in (302, 422), response.content[:2000]
    assert district_client.get(reverse("forms:list")).status_code == 200
    for questionnaire in Questionnaire.objects.all():
        detail = district_client.get(reverse("forms:detail", args=[questionnaire.form_id]))
        assert detail.status_code == 200
        archived = district_client.post(reverse("forms:archive", args=[questionnaire.form_id]))
        assert archived.status_code == 302
