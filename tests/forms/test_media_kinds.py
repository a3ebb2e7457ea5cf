"""Form media of every kind ODK uses, the itemsets.csv pyxform makes, and files no form uses."""

import io

import pytest
from openpyxl import load_workbook

from areas.models import Area
from forms.errors import MediaInvalid
from forms.models import FormMedia
from forms.versions import (
    attach_form_media,
    create_questionnaire,
    publish_form_version,
    set_deployment,
    upload_form_version,
)
from tests.factories import make_user, xlsform_bytes
from tests.images import jpeg
from tests.odk import Collector

LABEL_MEDIA_SURVEY = [
    {
        "type": "note",
        "name": "welcome",
        "label::Indonesian (id)": "Selamat datang",
        "label::English (en)": "Welcome",
        "image::Indonesian (id)": "logo.svg",
        "audio::Indonesian (id)": "greeting.mp3",
        "video::Indonesian (id)": "howto.mp4",
    },
    {
        "type": "select_one_from_file villages.geojson",
        "name": "spot",
        "label::Indonesian (id)": "Tempat",
        "label::English (en)": "Place",
    },
]
EXTERNAL_SURVEY = [
    {
        "type": "select_one crop",
        "name": "crop",
        "label::Indonesian (id)": "Tanaman",
        "label::English (en)": "Crop",
    },
    {
        "type": "select_one_external variety",
        "name": "variety",
        "label::Indonesian (id)": "Varietas",
        "label::English (en)": "Variety",
        "choice_filter": "crop=${crop}",
    },
]
CROPS = [
    {
        "list_name": "crop",
        "name": "rice",
        "label::Indonesian (id)": "Padi",
        "label::English (en)": "Rice",
    },
]
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
GEOJSON = b'{"type": "FeatureCollection", "features": []}'


def _create(user, **kwargs):
    return create_questionnaire(
        workbook=xlsform_bytes(**kwargs),
        filename="form.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=user,
    )


def _external_workbook(version: str = "1") -> bytes:
    workbook = load_workbook(
        io.BytesIO(
            xlsform_bytes(form_id="crops", version=version, survey=EXTERNAL_SURVEY, choices=CROPS)
        )
    )
    sheet = workbook.create_sheet("external_choices")
    sheet.append(["list_name", "name", "label", "crop"])
    sheet.append(["variety", "ir64", "IR64", "rice"])
    sheet.append(["variety", "ciherang", "Ciherang", "rice"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_label_images_audio_video_and_geojson_can_be_attached_and_published(district_user):
    version = _create(district_user, survey=LABEL_MEDIA_SURVEY)
    assert version.required_media == ["greeting.mp3", "howto.mp4", "logo.svg", "villages.geojson"]
    for name, content in [
        ("logo.svg", SVG),
        ("greeting.mp3", MP3),
        ("howto.mp4", MP4),
        ("villages.geojson", GEOJSON),
    ]:
        attach_form_media(version=version, filename=name, content=content, user=district_user)
    published = publish_form_version(version=version, user=district_user)
    assert published.is_published
    assert FormMedia.objects.get(filename="logo.svg").content_type == "image/svg+xml"


@pytest.mark.parametrize(
    ("filename", "content"),
    [("logo.svg", b"<html>no</html>"), ("greeting.mp3", b"MZ not audio"), ("howto.mp4", b"nope")],
)
def test_media_whose_content_is_not_what_its_name_says_is_refused(district_user, filename, content):
    version = _create(district_user, survey=LABEL_MEDIA_SURVEY)
    with pytest.raises(MediaInvalid):
        attach_form_media(version=version, filename=filename, content=content, user=district_user)


def test_a_file_the_form_does_not_use_is_refused_and_the_used_ones_named(district_user):
    version = _create(district_user, survey=LABEL_MEDIA_SURVEY)
    with pytest.raises(MediaInvalid) as caught:
        attach_form_media(
            version=version, filename="other.jpg", content=jpeg(8), user=district_user
        )
    assert "logo.svg" in caught.value.detail
    assert FormMedia.objects.count() == 0


def test_the_itemsets_of_select_one_external_are_kept_as_form_media(district_user):
    version = _create_external(district_user)
    media = FormMedia.objects.get(form_version=version)
    assert media.filename == "itemsets.csv"
    assert b"ciherang" in media.file.read()
    assert "itemsets.csv" in version.required_media
    with pytest.raises(MediaInvalid):
        attach_form_media(
            version=version,
            filename="itemsets.csv",
            content=b"list_name,name\n",
            user=district_user,
        )


def test_a_new_draft_makes_its_own_itemsets_and_carries_only_used_media(district_user):
    _create_external(district_user)
    draft = upload_form_version(
        questionnaire=FormMedia.objects.get().form_version.questionnaire,
        workbook=_external_workbook(version="2"),
        filename="crops.xlsx",
        user=district_user,
    )
    assert list(draft.media.values_list("filename", flat=True)) == ["itemsets.csv"]


def _create_external(user):
    return create_questionnaire(
        workbook=_external_workbook(),
        filename="crops.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=user,
    )


@pytest.mark.odk
def test_a_phone_gets_the_itemsets_csv_in_the_manifest(live_server, transactional_db, tmp_path):
    district = make_user("district", "district_staff", ["35.07"])
    agent = make_user("agent", "field_agent", ["35.07.13.1010"])
    agent.set_password("rahasia-agen")
    agent.save()
    version = _create_external(district)
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code="35.07.13"),
        user=district,
    )
    collector = Collector(server=live_server.url, username="agent", password="rahasia-agen")
    result = collector.fetch("crops", tmp_path / "forms")
    assert result.returncode == 0, result.stderr
    itemsets = (tmp_path / "forms" / "crops-media" / "itemsets.csv").read_text()
    assert "ciherang" in itemsets
