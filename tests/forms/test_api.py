"""The questionnaire API with a token, as a district officer's script would use it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.api_tokens import issue_api_token
from forms.models import FormVersion, Questionnaire
from tests.factories import xlsform_bytes


@pytest.fixture
def api(district_user) -> APIClient:
    client = APIClient()
    key, _expires_at = issue_api_token(district_user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _file(content: bytes, name: str = "form.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_token_from_username_and_password(client, district_user):
    response = client.post(
        "/api/v1/auth/token/", {"username": "district", "password": "pw-test-123"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/questionnaires/").status_code == 200


def test_create_publish_deploy_and_list(api):
    response = api.post(
        "/api/v1/questionnaires/", {"file": _file(xlsform_bytes(version="5"))}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["versions"][0]["status"] == "draft"
    response = api.post("/api/v1/questionnaires/test_form/versions/5/publish/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    response = api.put(
        "/api/v1/questionnaires/test_form/deployment/", {"areas": ["35.07.13"]}, format="json"
    )
    assert response.json()["areas"] == ["35.07.13"]
    listing = api.get("/api/v1/questionnaires/").json()
    assert [(q["form_id"], q["deployed_areas"]) for q in listing] == [("test_form", ["35.07.13"])]


def test_errors_have_a_code_and_a_detail(api):
    response = api.post(
        "/api/v1/questionnaires/", {"file": _file(b"not a workbook")}, format="multipart"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "not_an_xlsform"
    assert Questionnaire.objects.count() == 0


def test_a_duplicate_version_is_a_conflict(api):
    api.post(
        "/api/v1/questionnaires/", {"file": _file(xlsform_bytes(version="5"))}, format="multipart"
    )
    api.post("/api/v1/questionnaires/test_form/versions/5/publish/")
    response = api.post(
        "/api/v1/questionnaires/test_form/versions/",
        {"file": _file(xlsform_bytes(version="5"))},
        format="multipart",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "version_exists"
    assert FormVersion.objects.count() == 1


def test_pyxform_problems_come_with_sheet_and_row(api):
    survey = [
        {
            "type": "integer",
            "name": "a",
            "label::Indonesian (id)": "A",
            "label::English (en)": "A",
            "relevant": "${zz} > 1",
        }
    ]
    response = api.post(
        "/api/v1/questionnaires/", {"file": _file(xlsform_bytes(survey=survey))}, format="multipart"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "xlsform_invalid"
    assert body["problems"][0]["sheet"] == "survey" and body["problems"][0]["row"] == 2


def test_deploying_outside_ones_regency_is_forbidden(api):
    from areas.area_import import load_areas

    load_areas(scope="81.71")
    api.post(
        "/api/v1/questionnaires/", {"file": _file(xlsform_bytes(version="5"))}, format="multipart"
    )
    response = api.put(
        "/api/v1/questionnaires/test_form/deployment/", {"areas": ["81.71.01"]}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "area_outside_scope"


def test_a_reviewer_token_cannot_manage_questionnaires(reviewer_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_api_token(reviewer_user)[0]}")
    assert client.get("/api/v1/questionnaires/").status_code == 403


def test_no_token_no_access(client, district_user):
    assert client.get("/api/v1/questionnaires/").status_code in (401, 403)


def test_areas_are_listed_by_parent(api):
    response = api.get("/api/v1/areas/?parent=35.07.13&limit=100")
    assert response.status_code == 200
    assert response.json()["count"] == 18
