"""Questionnaire versioning rules and bad uploads: each refused clearly, changing nothing."""

import hashlib
import io
import re
import zipfile

import pytest
from django.test import override_settings

from areas.models import Area
from forms.errors import (
    CorruptWorkbook,
    FileTooLarge,
    FormIdMismatch,
    MediaInvalid,
    MediaMissing,
    NotADraft,
    NotAnXLSForm,
    QuestionnaireArchived,
    QuestionnaireExists,
    VersionExists,
    VersionNotIncreasing,
    XLSFormInvalid,
)
from forms.models import FormMedia, FormVersion, Questionnaire
from forms.versions import (
    archive_questionnaire,
    attach_form_media,
    create_questionnaire,
    publish_form_version,
    upload_form_version,
    version_key,
)
from tests.factories import xlsform_bytes

MEDIA_SURVEY = [
    {
        "type": "select_one_from_file villages.csv",
        "name": "village",
        "label::Indonesian (id)": "Desa",
        "label::English (en)": "Village",
    },
]


@pytest.fixture
def published(district_user):
    version = _create(district_user, xlsform_bytes(version="2026010101"))
    return publish_form_version(version=version, user=district_user)


def _create(user, workbook: bytes):
    return create_questionnaire(
        workbook=workbook,
        filename="form.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=user,
    )


def _snapshot():
    return (
        list(Questionnaire.objects.values_list("form_id", "status", "title")),
        list(FormVersion.objects.values_list("version", "status", "xform_md5")),
        FormMedia.objects.count(),
    )


def test_version_order_is_natural():
    assert version_key("2") < version_key("10")
    assert version_key("2026112301") < version_key("2026112302")
    assert version_key("1.9") < version_key("1.10")


def test_creating_and_publishing_a_questionnaire(published, district_user):
    questionnaire = published.questionnaire
    assert questionnaire.form_id == "test_form"
    assert published.status == FormVersion.Status.PUBLISHED
    assert published.published_by == district_user
    assert "<h:title>Test form</h:title>" in published.xform_xml
    assert published.languages == ["Indonesian (id)", "English (en)"]
    assert len(published.xform_md5) == 32


def test_a_published_version_is_never_replaced(published, district_user):
    before = _snapshot()
    with pytest.raises(VersionExists):
        upload_form_version(
            questionnaire=published.questionnaire,
            workbook=xlsform_bytes(version="2026010101", title="Changed"),
            filename="again.xlsx",
            user=district_user,
        )
    assert _snapshot() == before


def test_a_lower_version_is_refused(published, district_user):
    before = _snapshot()
    with pytest.raises(VersionNotIncreasing):
        upload_form_version(
            questionnaire=published.questionnaire,
            workbook=xlsform_bytes(version="2025"),
            filename="old.xlsx",
            user=district_user,
        )
    assert _snapshot() == before


def test_publishing_a_published_version_again_is_refused(published, district_user):
    with pytest.raises(NotADraft):
        publish_form_version(version=published, user=district_user)


def test_a_new_draft_replaces_the_earlier_draft(published, district_user):
    first = upload_form_version(
        questionnaire=published.questionnaire,
        workbook=xlsform_bytes(version="2026010102"),
        filename="a.xlsx",
        user=district_user,
    )
    second = upload_form_version(
        questionnaire=published.questionnaire,
        workbook=xlsform_bytes(version="2026010103", title="Better"),
        filename="b.xlsx",
        user=district_user,
    )
    assert not FormVersion.objects.filter(pk=first.pk).exists()
    drafts = FormVersion.objects.filter(status=FormVersion.Status.DRAFT)
    assert list(drafts.values_list("version", flat=True)) == ["2026010103"]
    publish_form_version(version=second, user=district_user)
    published.questionnaire.refresh_from_db()
    assert published.questionnaire.title == "Better"


def test_the_form_id_must_match_the_questionnaire(published, district_user):
    with pytest.raises(FormIdMismatch):
        upload_form_version(
            questionnaire=published.questionnaire,
            workbook=xlsform_bytes(form_id="other", version="9999999999"),
            filename="x.xlsx",
            user=district_user,
        )


def test_a_second_questionnaire_with_the_same_form_id_is_refused(published, district_user):
    before = _snapshot()
    with pytest.raises(QuestionnaireExists):
        _create(district_user, xlsform_bytes(version="2030"))
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"name,label\nfoo,Foo\n", NotAnXLSForm),  # a CSV renamed to .xlsx
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, CorruptWorkbook),  # a broken .xls
        (b"PK\x03\x04" + b"\x00garbage" * 100, CorruptWorkbook),  # a damaged zip
    ],
)
def test_files_that_are_not_workbooks_are_refused(district_user, content, error):
    with pytest.raises(error) as caught:
        _create(district_user, content)
    assert caught.value.detail
    assert _snapshot() == ([], [], 0)


def test_a_truncated_workbook_is_corrupt(district_user):
    good = xlsform_bytes()
    with pytest.raises(CorruptWorkbook):
        _create(district_user, good[: len(good) // 2])


def test_a_zip_that_is_not_a_workbook_is_refused(district_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises((NotAnXLSForm, CorruptWorkbook)):
        _create(district_user, buffer.getvalue())


def test_a_50_megabyte_file_is_refused_before_it_is_opened(district_user):
    with pytest.raises(FileTooLarge) as caught:
        _create(district_user, b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024))
    assert re.search(r"50[.,]0\sMB.*10[.,]0\sMB", caught.value.detail)
    assert _snapshot() == ([], [], 0)


def test_a_workbook_without_a_version_is_given_one(district_user):
    version = _create(district_user, xlsform_bytes(version=""))
    assert re.fullmatch(r"\d{12}", version.version)
    assert [w["code"] for w in version.warnings] == ["version_assigned"]


def test_a_bad_relevance_expression_is_reported_with_its_row(district_user):
    survey = [
        {
            "type": "text",
            "name": "name",
            "label::Indonesian (id)": "Nama",
            "label::English (en)": "Name",
        },
        {
            "type": "integer",
            "name": "age",
            "label::Indonesian (id)": "Umur",
            "label::English (en)": "Age",
            "relevant": "${name} != '' and (${age} > ",
        },
    ]
    with pytest.raises(XLSFormInvalid) as caught:
        _create(district_user, xlsform_bytes(survey=survey))
    problem = caught.value.problems[0]
    assert (problem.sheet, problem.row) == ("survey", 3)
    assert "age" in problem.message
    assert _snapshot() == ([], [], 0)


def test_a_reference_to_an_unknown_question_is_reported_with_its_row(district_user):
    survey = [
        {
            "type": "text",
            "name": "name",
            "label::Indonesian (id)": "Nama",
            "label::English (en)": "Name",
        },
        {
            "type": "integer",
            "name": "age",
            "label::Indonesian (id)": "Umur",
            "label::English (en)": "Age",
            "relevant": "${nama} != ''",
        },
    ]
    with pytest.raises(XLSFormInvalid) as caught:
        _create(district_user, xlsform_bytes(survey=survey))
    problem = caught.value.problems[0]
    assert (problem.sheet, problem.row) == ("survey", 3)
    assert "nama" in problem.message


def test_publishing_waits_for_the_media_the_form_needs(district_user):
    version = _create(district_user, xlsform_bytes(survey=MEDIA_SURVEY))
    assert version.required_media == ["villages.csv"]
    with pytest.raises(MediaMissing):
        publish_form_version(version=version, user=district_user)
    media = attach_form_media(
        version=version,
        filename="villages.csv",
        content=b"name,label\n1,Satu\n",
        user=district_user,
    )
    assert media.md5 == hashlib.md5(b"name,label\n1,Satu\n").hexdigest()
    publish_form_version(version=version, user=district_user)
    with pytest.raises(NotADraft):
        attach_form_media(
            version=version,
            filename="villages.csv",
            content=b"name,label\n2,Dua\n",
            user=district_user,
        )
    assert FormMedia.objects.get().file.read() == b"name,label\n1,Satu\n"


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("../../etc/passwd.csv", b"name,label\n"),
        ("run.exe", b"MZ"),
        ("photo.jpg", b"not an image"),
        ("villages.csv", b"\xff\xfe\x00bad"),
        ("srs_areas.csv", b"name,label\n"),
    ],
)
def test_bad_media_is_refused(district_user, filename, content):
    version = _create(district_user, xlsform_bytes(survey=MEDIA_SURVEY))
    with pytest.raises(MediaInvalid):
        attach_form_media(version=version, filename=filename, content=content, user=district_user)
    assert FormMedia.objects.count() == 0


def test_an_archived_questionnaire_takes_no_new_version(published, district_user):
    archive_questionnaire(questionnaire=published.questionnaire, user=district_user)
    with pytest.raises(QuestionnaireArchived):
        upload_form_version(
            questionnaire=published.questionnaire,
            workbook=xlsform_bytes(version="2030"),
            filename="x.xlsx",
            user=district_user,
        )


@override_settings(SRS_XLSFORM_MAX_BYTES=1000)
def test_the_size_limit_is_a_setting(district_user):
    with pytest.raises(FileTooLarge):
        _create(district_user, xlsform_bytes())
