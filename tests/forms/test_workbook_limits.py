"""Workbooks too big to read are refused before they are read, within a second or two."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from django.test import override_settings
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from areas.models import Area
from forms.errors import WorkbookTooBig, WorkbookTooManyCells, WorkbookTooManyRows
from forms.models import FormVersion, Questionnaire
from forms.versions import create_questionnaire
from tests.factories import xlsform_bytes

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "xlsform-corpus"


def _create(user, workbook: bytes) -> FormVersion:
    return create_questionnaire(
        workbook=workbook,
        filename="form.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=user,
    )


def _with_part(workbook: bytes, name: str, size: int) -> bytes:
    """The workbook with one more part of ``size`` spaces (packed about 1000:1)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, source.read(info))
        with target.open(name, "w") as part:
            chunk = b" " * (1024 * 1024)
            for _ in range(size // len(chunk)):
                part.write(chunk)
    return buffer.getvalue()


def _long_survey(rows: int, *, styled_empty_rows: int = 0) -> bytes:
    workbook = Workbook(write_only=True)
    survey = workbook.create_sheet("survey")
    survey.append(["type", "name", "label"])
    for number in range(rows):
        survey.append(["integer", f"q{number}", f"Question {number}"])
    for _ in range(styled_empty_rows):
        cell = WriteOnlyCell(survey, value=None)
        cell.font = Font(bold=True)
        survey.append([cell])
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["long_form", "1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_small_file_that_unpacks_to_hundreds_of_megabytes_is_refused_at_once(district_user):
    bomb = _with_part(xlsform_bytes(), "xl/media/padding.bin", 200 * 1024 * 1024)
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(WorkbookTooBig) as caught:
        _create(district_user, bomb)
    assert time.monotonic() - started < 2
    assert "MB" in caught.value.detail
    assert Questionnaire.objects.count() == 0


def test_a_part_packed_far_tighter_than_a_spreadsheet_packs_is_refused(district_user):
    with pytest.raises(WorkbookTooBig):
        _create(district_user, _with_part(xlsform_bytes(), "xl/padding.xml", 8 * 1024 * 1024))


@override_settings(SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES=10_000)
def test_the_unpacked_size_limit_is_a_setting(district_user):
    with pytest.raises(WorkbookTooBig):
        _create(district_user, xlsform_bytes())


def test_a_50000_row_form_is_refused_in_seconds_with_the_limit_in_the_message(district_user):
    workbook = _long_survey(50_000)
    started = time.monotonic()
    with pytest.raises(WorkbookTooManyRows) as caught:
        _create(district_user, workbook)
    assert time.monotonic() - started < 3
    assert "survey" in caught.value.detail and "2000" in caught.value.detail.replace(".", "")
    assert Questionnaire.objects.count() == 0


@override_settings(SRS_XLSFORM_MAX_ROWS=20)
def test_formatted_empty_rows_after_the_form_do_not_count(district_user):
    version = _create(district_user, _long_survey(10, styled_empty_rows=500))
    assert version.questionnaire.form_id == "long_form"


@override_settings(SRS_XLSFORM_MAX_CELLS=10)
def test_the_cell_limit_is_a_setting(district_user):
    with pytest.raises(WorkbookTooManyCells):
        _create(district_user, _long_survey(10))


def test_an_xls_workbook_is_read_as_pyxform_reads_it(district_user):
    # The old binary format, with id_string on its settings sheet but no version.
    content = (CORPUS / "pyxform__cascading_select_test_equivalent.xls").read_bytes()
    version = _create(district_user, content)
    assert version.questionnaire.form_id == "cascading_select_test"
    assert [w["code"] for w in version.warnings] == ["version_assigned"]
    assert version.xlsform.name.endswith(".xls")


def test_an_xls_named_xlsx_is_read_by_what_it_is(district_user):
    content = (CORPUS / "web-forms__ifrc-distribution-site-assessment-v1.xlsx").read_bytes()
    version = _create(district_user, content)
    assert version.questionnaire.form_id == "distributionsite_assessment_v1_0"
    assert version.xlsform.name.endswith(".xls")


@override_settings(SRS_XLSFORM_MAX_ROWS=5)
def test_an_xls_workbook_has_the_same_row_limit(district_user):
    with pytest.raises(WorkbookTooManyRows):
        _create(district_user, (CORPUS / "pyxform__tutorial.xls").read_bytes())
