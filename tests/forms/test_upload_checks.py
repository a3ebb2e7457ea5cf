"""What the settings of an uploaded workbook may hold: each problem listed, all at once, nothing created."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from forms.models import FormVersion, Questionnaire
from forms.xform_facts import describe_xform
from tests.forms.workbooks import SURVEY, raw_xlsx, with_settings


@pytest.fixture
def api(district_user) -> APIClient:
    # Signed in as in the browser: the API takes the session as it takes a token.
    client = APIClient()
    client.force_login(district_user)
    return client


def _post(api: APIClient, content: bytes, name: str = "form.xlsx"):
    return api.post(
        "/api/v1/questionnaires/",
        {"file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def _codes(response) -> list[str]:
    return [p["code"] for p in response.json()["problems"]]


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


@pytest.mark.parametrize("form_id", ["bad.id", "bad id", "1abc", "-x", "ké"])
def test_a_form_id_that_is_no_url_safe_xml_name_is_a_listed_problem(district_client, form_id):
    response = district_client.post(
        reverse("forms:create"),
        {
            "workbook": SimpleUploadedFile(
                "f.xlsx", with_settings({"form_id": form_id, "version": "1"})
            ),
            "owner_area": "35.07",
        },
    )
    assert response.status_code == 422
    assert form_id.encode() in response.content
    assert Questionnaire.objects.count() == 0
    assert district_client.get(reverse("forms:list")).status_code == 200


@pytest.mark.parametrize("version", ["1/2", "..", "1 2", ".1", "v1?x"])
def test_a_version_that_cannot_be_in_a_url_is_a_listed_problem(api, version):
    response = _post(api, with_settings({"form_id": "f", "version": version}))
    assert response.status_code == 422
    assert _codes(response) == ["version_invalid"]
    assert FormVersion.objects.count() == 0


def test_lengths_beyond_the_model_fields_are_listed_problems_all_at_once(api):
    settings = {
        "form_id": "f" * (_max(Questionnaire, "form_id") + 1),
        "version": "1" * (_max(FormVersion, "version") + 1),
        "form_title": "T" * (_max(FormVersion, "title") + 1),
    }
    response = _post(api, with_settings(settings))
    assert response.status_code == 422
    assert _codes(response) == ["form_id_too_long", "version_too_long", "title_too_long"]
    assert Questionnaire.objects.count() == 0


def test_the_longest_allowed_identifiers_are_kept_and_their_pages_open(api, district_client):
    form_id = "f" * _max(Questionnaire, "form_id")
    version = "1" * _max(FormVersion, "version")
    response = _post(
        api, with_settings({"form_id": form_id, "version": version, "form_title": "T" * 200})
    )
    assert response.status_code == 201, response.content
    assert district_client.get(reverse("forms:list")).status_code == 200
    assert district_client.get(reverse("forms:detail", args=[form_id])).status_code == 200
    xform = district_client.get(reverse("forms:xform", args=[form_id, version]))
    assert xform.status_code == 200


def test_every_problem_of_the_settings_is_listed_at_once(api):
    settings = {
        "form_id": "Spec test",
        "submission_url": "https://example.org/submission",
        "public_key": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
    }
    response = _post(api, with_settings(settings))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "xlsform_invalid"
    assert _codes(response) == [
        "form_id_invalid",
        "submission_url_refused",
        "encrypted_form_refused",
    ]
    assert all(p["message"] and p["sheet"] == "settings" for p in body["problems"])


def test_our_problems_and_pyxforms_come_in_one_answer(api):
    survey = [["type", "name", "label"], ["txet", "a", "A"]]
    response = _post(api, with_settings({"form_id": "f"}, survey=survey))
    assert response.status_code == 422
    assert _codes(response) == ["pyxform"]


@pytest.mark.parametrize("typed", [2024032701, 2024032701.0])
def test_a_version_typed_as_a_number_is_kept_as_the_xform_says(api, typed):
    response = _post(api, with_settings({"form_id": "f", "version": typed}))
    assert response.status_code == 201, response.content
    version = FormVersion.objects.get()
    assert version.version == "2024032701"
    facts = describe_xform(version.xform_xml)
    assert (facts.form_id, facts.version) == (version.questionnaire.form_id, version.version)


def test_the_title_kept_is_the_xforms(api):
    response = _post(api, with_settings({"form_id": "f", "version": "1", "form_title": 2026}))
    assert response.status_code == 201, response.content
    version = FormVersion.objects.get()
    assert version.title == describe_xform(version.xform_xml).title == "2026"


def test_id_string_is_read_as_pyxform_reads_it(api):
    response = _post(api, with_settings({"id_string": "from_id_string", "version": "3"}))
    assert response.status_code == 201, response.content
    assert Questionnaire.objects.get().form_id == "from_id_string"


def test_a_workbook_without_a_settings_sheet_is_told_to_add_one(api):
    response = _post(api, raw_xlsx({"survey": SURVEY}), name="household.xlsx")
    assert response.status_code == 422
    assert _codes(response) == ["settings_missing"]
    assert "form_id" in response.json()["problems"][0]["message"]
    assert Questionnaire.objects.count() == 0


def test_sheet_and_column_names_are_matched_as_pyxform_matches_them(api):
    content = raw_xlsx(
        {
            "SURVEY": [["TYPE", "NAME", "LABEL"], ["text", "a", "A"]],
            "Settings": [["FORM_ID", "Version"], ["upper_case", "7"]],
        }
    )
    response = _post(api, content)
    assert response.status_code == 201, response.content
    assert FormVersion.objects.get().version == "7"


def test_an_empty_file_gets_code_and_detail_like_every_bad_file(api, district_client):
    response = _post(api, b"")
    assert response.status_code == 422
    assert response.json()["code"] == "empty_workbook"
    assert response.json()["detail"]
    page = district_client.post(
        reverse("forms:create"),
        {"workbook": SimpleUploadedFile("f.xlsx", b""), "owner_area": "35.07"},
    )
    assert page.status_code == 422
    assert Questionnaire.objects.count() == 0


@pytest.mark.parametrize(
    "name",
    [
        "forms:detail",
        "forms:upload_version",
        "forms:archive",
        "forms:deploy",
    ],
)
@pytest.mark.parametrize("form_id", ["a", "_x", "A-b_9", "f" * 100])
def test_every_allowed_form_id_reverses_in_the_pages(name, form_id):
    assert reverse(name, args=[form_id])


@pytest.mark.parametrize(
    "name",
    [
        "forms:publish",
        "forms:discard",
        "forms:attach_media",
        "forms:xlsx",
        "forms:xform",
        "forms_api:publish",
        "forms_api:media",
        "forms_api:xlsx",
        "collector_api:form_xml",
        "collector_api:manifest",
    ],
)
@pytest.mark.parametrize("version", ["1", "2024032701", "1.0-rc_2", "A.b", "9" * 100])
def test_every_allowed_version_reverses_in_the_pages_and_for_phones(name, version):
    assert reverse(name, args=["f-1_x", version])


@pytest.mark.parametrize("form_id", ["bad.id", "bad id", "1abc"])
def test_the_pages_match_no_form_id_an_upload_refuses(form_id):
    with pytest.raises(NoReverseMatch):
        reverse("forms:detail", args=[form_id])


@pytest.mark.parametrize("version", ["1/2", "..", "1 2"])
def test_the_pages_match_no_version_an_upload_refuses(version):
    with pytest.raises(NoReverseMatch):
        reverse("forms:xform", args=["f", version])
