"""Which question places a submission in an area: decided at upload, never by a name alone."""

import pytest

from areas.models import Area
from forms.errors import XLSFormInvalid
from forms.versions import create_questionnaire
from tests.factories import xlsform_bytes
from tests.openrosa_fixtures import HOUSEHOLD_SURVEY


def _create(user, **kwargs):
    return create_questionnaire(
        workbook=xlsform_bytes(**kwargs),
        filename="form.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=user,
    )


def _q(type_: str, name: str) -> dict[str, str]:
    return {
        "type": type_,
        "name": name,
        "label::Indonesian (id)": name,
        "label::English (en)": name,
    }


def _problem_codes(user, **kwargs) -> list[str]:
    with pytest.raises(XLSFormInvalid) as caught:
        _create(user, **kwargs)
    return [p.code for p in caught.value.problems]


def test_a_plain_question_named_village_is_not_the_area_question(district_user):
    version = _create(district_user, survey=[_q("text", "village")])
    assert version.area_field == ""


def test_the_village_of_the_ppls_cascade_is_the_area_question(district_user):
    version = _create(district_user, survey=HOUSEHOLD_SURVEY)
    assert version.area_field == "village"


def test_the_district_officer_can_name_the_area_question(district_user):
    version = _create(
        district_user,
        survey=[_q("begin_group", "place"), _q("text", "desa"), {"type": "end_group"}],
        settings_extra={"srs_area_question": "desa"},
    )
    assert version.area_field == "place/desa"


def test_an_area_question_named_inside_a_repeat_is_a_listed_problem(district_user):
    survey = [_q("begin_repeat", "members"), _q("text", "desa"), {"type": "end_repeat"}]
    codes = _problem_codes(
        district_user, survey=survey, settings_extra={"srs_area_question": "desa"}
    )
    assert codes == ["area_question_in_repeat"]


def test_an_area_question_that_is_not_in_the_form_is_a_listed_problem(district_user):
    codes = _problem_codes(
        district_user, survey=[_q("text", "x")], settings_extra={"srs_area_question": "desa"}
    )
    assert codes == ["area_question_unknown"]


def test_an_area_question_that_cannot_hold_an_area_code_is_a_listed_problem(district_user):
    codes = _problem_codes(
        district_user, survey=[_q("integer", "desa")], settings_extra={"srs_area_question": "desa"}
    )
    assert codes == ["area_question_unusable"]
