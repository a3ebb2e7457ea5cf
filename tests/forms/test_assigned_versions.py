"""A settings sheet without a version: the server gives the upload one, as Kobo does.

The version is the minute of the upload (``YYYYMMDDHHMM``, Jakarta time) or the
first one above the latest published version; pyxform writes it into the XForm
where it writes a version typed in the workbook, and the upload says so.
"""

import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from forms.models import FormVersion
from forms.versions import assigned_version, publish_form_version
from forms.xform_facts import describe_xform
from forms.xlsform import compile_xlsform
from tests.forms.workbooks import with_settings

# 03:30 UTC is 10:30 in Jakarta.
UPLOADED_AT = datetime.datetime(2026, 12, 2, 3, 30, 41, tzinfo=datetime.UTC)
MINUTE = "202612021030"


@pytest.fixture
def api(district_user) -> APIClient:
    client = APIClient()
    client.force_login(district_user)
    return client


@pytest.fixture
def clock():
    with mock.patch("django.utils.timezone.now", return_value=UPLOADED_AT):
        yield


def _post(api: APIClient, content: bytes, url: str = "/api/v1/questionnaires/"):
    return api.post(url, {"file": SimpleUploadedFile("f.xlsx", content)}, format="multipart")


def test_a_settings_sheet_without_a_version_gets_the_minute_of_the_upload(api, clock):
    response = _post(api, with_settings({"form_id": "no_version"}))

    assert response.status_code == 201, response.content
    stored = FormVersion.objects.get()
    assert stored.version == MINUTE == response.json()["versions"][0]["version"]
    assert describe_xform(stored.xform_xml).version == MINUTE
    assert stored.warnings[0]["code"] == "version_assigned"
    assert MINUTE in stored.warnings[0]["message"]


def test_the_assigned_version_is_written_exactly_as_pyxform_writes_a_typed_one(api, clock):
    _post(api, with_settings({"form_id": "no_version"}))
    stored = FormVersion.objects.get()

    typed = compile_xlsform(with_settings({"form_id": "no_version", "version": MINUTE}))

    assert stored.xform_xml == typed.xform_xml
    assert stored.xform_md5 == typed.xform_md5
    assert f'<data id="no_version" version="{MINUTE}">' in stored.xform_xml


def test_an_empty_version_cell_is_no_version(api, clock):
    response = _post(api, with_settings({"form_id": "no_version", "Version": ""}))
    assert response.status_code == 201, response.content
    assert FormVersion.objects.get().version == MINUTE


def test_a_version_typed_in_the_workbook_is_kept_without_a_warning(api, clock):
    response = _post(api, with_settings({"form_id": "typed", "version": "7"}))
    assert response.status_code == 201, response.content
    stored = FormVersion.objects.get()
    assert stored.version == "7"
    assert all(w["code"] != "version_assigned" for w in stored.warnings)


def test_the_next_upload_in_the_same_minute_gets_the_minute_after(api, district_user, clock):
    _post(api, with_settings({"form_id": "no_version"}))
    publish_form_version(version=FormVersion.objects.get(), user=district_user)

    response = _post(
        api,
        with_settings({"form_id": "no_version"}),
        url="/api/v1/questionnaires/no_version/versions/",
    )

    assert response.status_code == 201, response.content
    assert response.json()["version"] == "202612021031"
    draft = FormVersion.objects.get(status=FormVersion.Status.DRAFT)
    assert describe_xform(draft.xform_xml).version == draft.version == "202612021031"


@pytest.mark.parametrize(
    ("latest", "expected"),
    [
        (None, MINUTE),
        ("2026120201", MINUTE),  # a 10-digit version of the same day is below the minute
        ("202612021030", "202612021031"),
        ("202612022359", "202612030000"),
        ("20261202103000", "20261202103001"),
        ("v3", f"v3-{MINUTE}"),
    ],
)
def test_the_assigned_version_is_always_above_the_latest_published(clock, latest, expected):
    from forms.versions import version_key

    assigned = assigned_version(latest)
    assert assigned == expected
    assert latest is None or version_key(assigned) > version_key(latest)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", f"this upload was given version {MINUTE}"),
        ("id", f"unggahan ini diberi versi {MINUTE}"),
    ],
)
def test_the_page_says_which_version_was_given_in_the_users_language(
    district_client, clock, language, words
):
    district_client.cookies["django_language"] = language
    response = district_client.post(
        reverse("forms:create"),
        {
            "workbook": SimpleUploadedFile("f.xlsx", with_settings({"form_id": "no_version"})),
            "owner_area": "35.07",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert words in response.content.decode()
