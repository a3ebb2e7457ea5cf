"""pyxform's and ODK Validate's messages in the user's language, with the original beside them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from areas.models import Area
from forms.errors import XLSFormInvalid
from forms.versions import create_questionnaire
from forms.xlsform_messages import warnings_from_pyxform
from tests.factories import xlsform_bytes
from tests.forms.workbooks import with_settings


def _q(type_: str, name: str, **extra: str) -> dict[str, str]:
    return {
        "type": type_,
        "name": name,
        "label::Indonesian (id)": name,
        "label::English (en)": name,
        **extra,
    }


def _problems(user, **kwargs):
    with pytest.raises(XLSFormInvalid) as caught:
        create_questionnaire(
            workbook=xlsform_bytes(**kwargs),
            filename="f.xlsx",
            owner_area=Area.objects.get(code="35.07"),
            user=user,
        )
    return caught.value.problems


@pytest.mark.parametrize(
    ("survey", "row", "words"),
    [
        ([_q("text", "a", relevant="${zz} > 1")], 2, ["${zz}", "zz"]),
        ([_q("text", "a"), _q("text", "a")], 3, ["“a”"]),
        ([_q("select_one colours", "a")], None, ["choices"]),
        ([_q("txet", "a")], None, ["“txet”"]),
        ([_q("text", "a"), _q("integer", "b", relevant="${a} != '' and (${b} > ")], 3, ["${b}"]),
    ],
    ids=["unknown-reference", "duplicate-name", "no-choices", "unknown-type", "bad-expression"],
)
def test_common_messages_are_said_in_indonesian_with_the_original_kept(
    district_user, survey, row, words
):
    with translation.override("id"):
        problems = _problems(district_user, survey=survey)
    problem = problems[-1]
    assert problem.original and problem.original != problem.message
    assert problem.row == row
    for word in words:
        assert word in problem.message


def test_a_missing_required_column_is_named_in_indonesian(district_user):
    with translation.override("id"):
        problems = _problems(district_user, survey=[{"name": "a", "label::English (en)": "A"}])
    assert "type" in problems[-1].message and problems[-1].original


def test_the_page_shows_the_translation_and_the_original(district_client):
    content = with_settings(
        {"form_id": "f", "version": "1"}, survey=[["type", "name", "label"], ["txet", "a", "A"]]
    )
    response = district_client.post(
        reverse("forms:create"),
        {"workbook": SimpleUploadedFile("f.xlsx", content), "owner_area": "35.07"},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Unknown question type &#x27;txet&#x27;" in page  # the original, beside
    assert "Jenis pertanyaan" in page  # the translation


def test_warnings_that_do_not_apply_here_are_dropped():
    kept = warnings_from_pyxform(
        [
            "The following language declarations do not contain valid machine-readable codes: "
            "english. Learn more: http://xlsform.org#multiple-language-support",
            "[row : 4] On the 'choices' sheet, the 'label' value is invalid. Choices should have a "
            "label. Learn more: https://xlsform.org/en/#setting-up-your-worksheets",
        ]
    )
    assert [(p.sheet, p.row, p.code) for p in kept] == [("choices", 4, "pyxform_warning")]
    assert kept[0].original
