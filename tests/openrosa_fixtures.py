"""Fixtures of the OpenRosa tests: a deployed household form, a field agent, photos."""

import pytest

from areas.models import Area
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from tests.factories import make_user, xlsform_bytes
from tests.images import jpeg
from tests.odk import Collector

HOUSEHOLD_SURVEY = [
    {
        "type": "select_one_from_file srs_areas.csv",
        "name": "subdistrict",
        "label::Indonesian (id)": "Kecamatan",
        "label::English (en)": "Sub-district",
        "choice_filter": "level='subdistrict'",
        "required": "yes",
    },
    {
        "type": "select_one_from_file srs_areas.csv",
        "name": "village",
        "label::Indonesian (id)": "Desa",
        "label::English (en)": "Village",
        "choice_filter": "level='village' and parent=${subdistrict}",
        "required": "yes",
    },
    {
        "type": "text",
        "name": "hh_head_name",
        "label::Indonesian (id)": "Nama kepala",
        "label::English (en)": "Head",
        "required": "yes",
    },
    {
        "type": "geopoint",
        "name": "location",
        "label::Indonesian (id)": "Lokasi",
        "label::English (en)": "Location",
    },
    {
        "type": "begin_repeat",
        "name": "members",
        "label::Indonesian (id)": "Anggota",
        "label::English (en)": "Members",
    },
    {
        "type": "text",
        "name": "name",
        "label::Indonesian (id)": "Nama",
        "label::English (en)": "Name",
    },
    {"type": "end_repeat", "name": "members"},
    {
        "type": "image",
        "name": "house_photo",
        "label::Indonesian (id)": "Foto rumah",
        "label::English (en)": "House photo",
    },
    {
        "type": "image",
        "name": "ktp_photo",
        "label::Indonesian (id)": "Foto KTP",
        "label::English (en)": "ID card photo",
    },
]


@pytest.fixture
def openrosa_setup(transactional_db):
    district = make_user("district", "district_staff", ["35.07"])
    agent = make_user("agent", "field_agent", ["35.07.13.1010", "35.07.13.2011"])
    agent.set_password("rahasia-agen")
    agent.save()
    version = create_questionnaire(
        workbook=xlsform_bytes(
            form_id="household", version="1", title="Household", survey=HOUSEHOLD_SURVEY
        ),
        filename="household.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code="35.07.13"),
        user=district,
    )
    return {"district": district, "agent": agent, "questionnaire": version.questionnaire}


@pytest.fixture
def collector(live_server, openrosa_setup) -> Collector:
    return Collector(server=live_server.url, username="agent", password="rahasia-agen")


@pytest.fixture
def photos(tmp_path):
    house = tmp_path / "house.jpg"
    house.write_bytes(jpeg(96, seed=1))
    ktp = tmp_path / "ktp.jpg"
    ktp.write_bytes(jpeg(80, seed=2))
    return {"house": house, "ktp": ktp}


def household_answers(photos, village="35.07.13.2011", name="Siti Aminah"):
    return {
        "subdistrict": "35.07.13",
        "village": village,
        "hh_head_name": name,
        "location": "-8.1307 112.5712 420 5",
        "members": [{"name": name}, {"name": "Budi"}, {"name": "Ani"}],
        "house_photo": f"@{photos['house']}",
        "ktp_photo": f"@{photos['ktp']}",
    }
