"""The phones' form URLs accept exactly the form_id and version an upload allows.

collector_api's OpenRosa and draft test routes use the converters of forms
(``<fid:>``, ``<ver:>``): every questionnaire that can be uploaded can be
fetched by a phone, and nothing an upload refuses (a version with a space, a
"/", "..") can be asked for.
"""

import io

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from PIL import Image

from areas.models import Area
from forms.versions import (
    attach_form_media,
    create_questionnaire,
    publish_form_version,
    set_deployment,
)
from intake.models import Submission
from tests.collector_api.test_auth_digest import DigestPhone
from tests.factories import xlsform_bytes
from tests.odk import Collector

FORM_URLS = ["form_xml", "manifest", "draft_form_xml", "draft_manifest"]
MEDIA_URLS = ["media_file", "draft_media_file"]
VERSION = "1.0-rc_2"  # every kind of character a version may hold


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _args(name: str, form_id: str, version: str) -> list[str]:
    args = [form_id, version, *(["x.png"] if "media" in name else [])]
    return (["t0ken"] if name.startswith("draft_") else []) + args


@pytest.mark.parametrize("name", FORM_URLS + MEDIA_URLS)
@pytest.mark.parametrize("version", ["1 2", "..", "1/2", "v1?x", ".1"])
def test_no_phone_url_reverses_for_a_version_an_upload_refuses(name, version):
    with pytest.raises(NoReverseMatch):
        reverse(f"collector_api:{name}", args=_args(name, "household", version))


@pytest.mark.parametrize("name", FORM_URLS + MEDIA_URLS)
@pytest.mark.parametrize("form_id", ["bad.id", "bad id", "1abc"])
def test_no_phone_url_reverses_for_a_form_id_an_upload_refuses(name, form_id):
    with pytest.raises(NoReverseMatch):
        reverse(f"collector_api:{name}", args=_args(name, form_id, "1"))


@pytest.mark.parametrize("name", FORM_URLS + MEDIA_URLS)
@pytest.mark.parametrize("version", ["1", "2024032701", VERSION, "9" * 100])
def test_every_version_an_upload_allows_reverses_for_phones(name, version):
    assert reverse(f"collector_api:{name}", args=_args(name, "f-1_x", version))


@pytest.mark.parametrize(
    "path",
    [
        "/forms/household/1%202/form.xml",
        "/forms/household/1%202/manifest",
        "/forms/household/1%202/media/x.png",
        "/key/t0ken/forms/household/1%202/form.xml",
        "/draft/t0ken/forms/household/1%202/manifest",
    ],
)
def test_a_version_with_a_space_is_no_phone_url_even_signed_in(openrosa_setup, path):
    phone = DigestPhone(Client(), username="agent", password="rahasia-agen")
    phone.sign_in()
    response = phone.client.get(path, headers={"authorization": phone.authorization("GET", path)})
    assert response.status_code == 404


def test_an_encoded_character_in_a_form_url_passes_digest(openrosa_setup):
    # "%2E" is ".": the path decides after decoding, Digest compares the uri as sent.
    district = openrosa_setup["district"]
    version = create_questionnaire(
        workbook=xlsform_bytes(form_id="dotted", version=VERSION),
        filename="dotted.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code="35.07.13"),
        user=district,
    )
    phone = DigestPhone(Client(), username="agent", password="rahasia-agen")
    phone.sign_in()
    uri = "/forms/dotted/1%2E0-rc_2/form.xml"
    response = phone.client.get(uri, headers={"authorization": phone.authorization("GET", uri)})
    assert response.status_code == 200
    assert f'version="{VERSION}"' in response.content.decode()


LABEL_SURVEY = [
    {
        "type": "note",
        "name": "welcome",
        "label::Indonesian (id)": "Selamat datang",
        "label::English (en)": "Welcome",
        "media::image::English (en)": "logo_desa.png",
        "media::image::Indonesian (id)": "logo_desa.png",
    },
    {
        "type": "text",
        "name": "hh_head_name",
        "label::Indonesian (id)": "Nama kepala",
        "label::English (en)": "Head",
    },
]


@pytest.mark.odk
def test_a_phone_lists_fetches_and_sends_a_version_with_every_allowed_character(
    live_server, openrosa_setup, tmp_path
):
    district = openrosa_setup["district"]
    version = create_questionnaire(
        workbook=xlsform_bytes(form_id="all-chars_1", version=VERSION, survey=LABEL_SURVEY),
        filename="chars.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    attach_form_media(version=version, filename="logo_desa.png", content=_png(), user=district)
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code="35.07.13"),
        user=district,
    )
    phone = Collector(server=live_server.url, username="agent", password="rahasia-agen")

    listed = phone.forms()
    assert listed.returncode == 0, listed.stderr
    form = next(f for f in listed.json["forms"] if f["formID"] == "all-chars_1")
    assert form["version"] == VERSION
    assert form["downloadUrl"].endswith(f"/forms/all-chars_1/{VERSION}/form.xml")

    fetched = phone.fetch("all-chars_1", tmp_path / "fetched")
    assert fetched.returncode == 0, fetched.stderr
    assert [p.read_bytes() for p in (tmp_path / "fetched").rglob("logo_desa.png")] == [_png()]

    answers = tmp_path / "answers.json"
    answers.write_text('{"hh_head_name": "Siti"}')
    sent = phone.send("all-chars_1", answers)
    assert sent.returncode == 0, sent.stderr
    assert Submission.objects.get(questionnaire__form_id="all-chars_1").form_version_id == (
        version.pk
    )
