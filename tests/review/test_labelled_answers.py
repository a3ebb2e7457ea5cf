"""Answers labelled as the questionnaire shows them, in the reader's language."""

from pathlib import Path

import pytest

from forms.questionnaire_source import build_xlsx
from forms.xlsform import compile_xlsform
from review.labelled_answers import label_answers

PPLS = Path(__file__).resolve().parents[2] / "forms" / "questionnaires" / "ppls_household.yaml"


@pytest.fixture(scope="module")
def ppls_xform() -> str:
    return compile_xlsform(build_xlsx(PPLS)).xform_xml


ANSWERS = {
    "start": "2026-11-30T08:00:00.000+07:00",
    "deviceid": "collect:abc",
    "place": {
        "regency": "35.07",
        "subdistrict": "35.07.13",
        "village": "35.07.13.2011",
        "rt": "3",
        "gps": "-8.1307 112.5712 420 5",
    },
    "head": {"hh_head_name": "Budi Santoso", "hh_head_nik": "3507131708800001", "phone": ""},
    "housing": {"tenure": "owned", "power_va": ""},
    "members": [
        {"name": "Budi Santoso", "sex": "male", "age": "46", "disability": "none"},
        {"name": "Siti Aminah", "sex": "female", "pregnant": ""},
    ],
    "assets_group": {"assets": "", "programmes": ""},
    "house_photo": "1764466800000.jpg",
    "meta": {"instanceID": "uuid:11111111-1111-4111-8111-111111111111"},
}


def _by_path(nodes, suffix=""):
    """Every node by its path; a repeat's by path#row."""
    found = {}
    for node in nodes:
        found[node.path + suffix] = node
        found.update(_by_path(node.children, suffix))
        for index, row in enumerate(node.rows):
            found.update(_by_path(row, f"#{index}"))
    return found


def test_questions_and_choices_carry_the_forms_english_labels(db, ppls_xform):
    nodes = _by_path(label_answers(xform_xml=ppls_xform, answers=ANSWERS, language="en"))

    assert nodes["head"].label == "Head of household"
    assert nodes["head/hh_head_nik"].label == "NIK of the head of household"
    assert nodes["head/hh_head_nik"].display == "3507131708800001"
    assert nodes["housing/tenure"].value == "owned"
    assert nodes["housing/tenure"].display != "owned"
    assert nodes["members/sex#1"].display == "Female"


def test_indonesian_labels_and_area_names_for_the_area_list(db, ppls_xform):
    nodes = _by_path(label_answers(xform_xml=ppls_xform, answers=ANSWERS, language="id"))

    assert nodes["head"].label == "Kepala rumah tangga"
    assert nodes["place/village"].value == "35.07.13.2011"
    assert nodes["place/village"].display == "Talangagung"
    assert nodes["place/subdistrict"].display == "Kepanjen"


def test_skipped_questions_metadata_and_empty_groups_are_left_out(db, ppls_xform):
    nodes = _by_path(label_answers(xform_xml=ppls_xform, answers=ANSWERS, language="en"))

    assert "head/phone" not in nodes  # unanswered
    assert "housing/power_va" not in nodes  # not relevant, sent empty
    assert "assets_group" not in nodes  # nothing answered in it
    assert "start" not in nodes and "deviceid" not in nodes
    assert "members/age#0" not in nodes  # a calculation


def test_a_repeat_is_one_row_per_member_in_order(db, ppls_xform):
    top = label_answers(xform_xml=ppls_xform, answers=ANSWERS, language="en")
    members = next(node for node in top if node.path == "members")

    assert members.kind == "repeat"
    assert [row[0].display for row in members.rows] == ["Budi Santoso", "Siti Aminah"]
    assert members.rows[1][1].path == "members/sex"


def test_a_photo_is_an_attachment_named_by_its_file(db, ppls_xform):
    top = label_answers(xform_xml=ppls_xform, answers=ANSWERS, language="en")
    photo = next(node for node in top if node.path == "house_photo")

    assert photo.is_attachment and photo.value == "1764466800000.jpg"
    assert photo.as_dict()["is_attachment"] is True


def test_answers_not_yet_derived_give_nothing(db, ppls_xform):
    assert label_answers(xform_xml=ppls_xform, answers=None, language="en") == []
