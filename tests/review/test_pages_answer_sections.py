"""The detail page's answers: sections as in the form, a table per repeat, notes beside."""

from pathlib import Path

import pytest

from forms.questionnaire_source import build_xlsx
from forms.xform_outline import read_outline
from forms.xlsform import compile_xlsform
from review.answer_sections import answer_sections
from review.labelled_answers import area_codes_in, area_names_for
from tests.review.test_labelled_answers import ANSWERS

PPLS = Path(__file__).resolve().parents[2] / "forms" / "questionnaires" / "ppls_household.yaml"


@pytest.fixture(scope="module")
def ppls():
    return read_outline(compile_xlsform(build_xlsx(PPLS)).xform_xml)


def _label(outline, language, **kwargs):
    names = area_names_for(area_codes_in(outline, ANSWERS))
    return answer_sections(outline, ANSWERS, language=language, area_names=names, **kwargs)


def _answers(labelled):
    return {(a.path, a.member_index): a for a in labelled.answers}


def _section(labelled, path):
    return next(s for s in labelled.sections if s.path == path)


def test_questions_and_choices_carry_the_forms_english_labels(malang, ppls):
    labelled = _label(ppls, "en")
    answers = _answers(labelled)

    assert _section(labelled, "head").label == "Head of household"
    assert answers["head/hh_head_nik", None].label == "NIK of the head of household"
    assert answers["head/hh_head_nik", None].text == "3507131708800001"
    assert answers["housing/tenure", None].value == "owned"
    assert answers["housing/tenure", None].text == "Owned"
    assert answers["members/sex", 1].text == "Female"
    assert answers["place/gps", None].point == (-8.1307, 112.5712)
    assert answers["place/gps", None].text == "-8.13070, 112.57120 (± 5 m)"


def test_indonesian_labels_and_area_names_for_the_area_list(malang, ppls):
    labelled = _label(ppls, "id")
    answers = _answers(labelled)

    assert _section(labelled, "head").label == "Kepala rumah tangga"
    assert answers["housing/tenure", None].text == "Milik sendiri"
    assert answers["place/village", None].value == "35.07.13.2011"
    assert answers["place/village", None].text == "Talangagung"
    assert answers["place/subdistrict", None].text == "Kepanjen"


def test_skipped_questions_metadata_calculations_and_empty_groups_are_left_out(malang, ppls):
    labelled = _label(ppls, "en")
    answers = _answers(labelled)

    assert ("head/phone", None) not in answers  # unanswered
    assert ("housing/power_va", None) not in answers  # not relevant, sent empty
    assert "assets_group" not in {s.path for s in labelled.sections}  # nothing answered
    assert ("start", None) not in answers and ("deviceid", None) not in answers
    members = _section(labelled, "members").table
    assert "members/age" not in [c.path for c in members.columns]  # a calculation
    assert "members/pregnant" not in [c.path for c in members.columns]  # empty in every row


def test_a_repeat_is_one_row_per_member_in_order(malang, ppls):
    members = _section(_label(ppls, "en"), "members").table

    assert [row.cells[0].text for row in members.rows] == ["Budi Santoso", "Siti Aminah"]
    assert [row.number for row in members.rows] == [1, 2]
    assert [c.path for c in members.columns][:2] == ["members/name", "members/sex"]
    assert members.rows[1].cells[1].path == "members/sex"


def test_a_note_puts_an_empty_answer_back_beside_it(malang, ppls):
    notes = {("head/phone", None): ["phone.invalid"], ("members/nik", 1): ["nik.format"]}
    labelled = _label(ppls, "en", notes=notes)
    answers = _answers(labelled)

    assert answers["head/phone", None].notes == ("phone.invalid",)
    assert answers["head/phone", None].is_empty
    members = _section(labelled, "members").table
    nik = [c.path for c in members.columns].index("members/nik")
    assert members.rows[1].cells[nik].notes == ("nik.format",)
    assert members.rows[0].cells[nik].notes == ()
    assert labelled.unplaced == ()


def test_notes_on_no_question_of_the_form_are_told_apart(malang, ppls):
    labelled = _label(ppls, "en", notes={("", None): ["household.duplicate"]})
    assert labelled.unplaced == (("", None),)


def test_a_photo_is_named_by_its_file(malang, ppls):
    photo = _answers(_label(ppls, "en"))["house_photo", None]

    assert photo.is_photo and photo.filename == "1764466800000.jpg"


def test_answers_not_yet_derived_give_nothing(ppls):
    assert answer_sections(ppls, None, language="en").sections == ()
