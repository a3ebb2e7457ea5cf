"""The four questionnaires: real XLSForms, and ODK's own engine fills them with their rules."""

import json
import shutil
from pathlib import Path

import pytest

from forms.questionnaire_source import build_xlsx, source_files
from forms.xlsform import compile_xlsform
from tests.odk import fill

DATA = Path(__file__).resolve().parents[1] / "data" / "odk"
FORM_IDS = ["complaint", "near_poor_assessment", "ppls_household", "programme_registration"]
AREAS_CSV = (
    "name,label,level,parent\n"
    "35.07,Kabupaten Malang,regency,35\n"
    "35.07.13,Kepanjen,subdistrict,35.07\n"
    "35.07.13.2011,Talangagung,village,35.07.13\n"
)
# The registry's lists the server makes for each agent (the follow-ups pick from them).
REGISTRY_LISTS = {
    "households.csv": "name,label,village,rt,rw\n",
    "people.csv": "name,label,village,rt,rw,household,sex,birth_year\n",
}
FOLLOW_UPS = ("near_poor_assessment", "programme_registration")


@pytest.fixture(scope="module")
def compiled():
    return {source.stem: compile_xlsform(build_xlsx(source)) for source in source_files()}


def _form_dir(tmp_path: Path, compiled_form) -> Path:
    folder = tmp_path / "forms"
    media = folder / f"{compiled_form.form_id}-media"
    media.mkdir(parents=True)
    (folder / f"{compiled_form.form_id}.xml").write_text(compiled_form.xform_xml)
    (media / "srs_areas.csv").write_text(AREAS_CSV)
    for name, content in REGISTRY_LISTS.items():
        (media / name).write_text(content)
    return folder


def _answers(form_id: str, tmp_path: Path, **changes) -> dict:
    answers = json.loads((DATA / f"{form_id}.json").read_text())
    for name in ("house.jpg", "ktp.jpg", "kk.jpg", "signature.png"):
        shutil.copy(DATA / name, tmp_path / name)
    for key, value in answers.items():
        if isinstance(value, str) and value.startswith("@"):
            answers[key] = f"@{tmp_path / value[1:]}"
    answers.update(changes)
    return answers


def test_there_are_the_four_questionnaires():
    assert [source.stem for source in source_files()] == FORM_IDS


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_each_compiles_without_error_or_warning_in_two_languages(compiled, form_id):
    form = compiled[form_id]
    assert form.form_id == form_id
    assert form.version == "2026112301"
    assert form.warnings == ()
    assert form.languages == ("Indonesian (id)", "English (en)")
    assert form.area_field == "place/village"
    lists = ("households.csv", "people.csv") if form_id in FOLLOW_UPS else ()
    assert form.required_media == (*lists, "srs_areas.csv")
    assert "<instanceID/>" in form.xform_xml
    # Every label, hint and constraint message exists in both languages.
    assert form.xform_xml.count('<translation lang="Indonesian (id)"') == 1
    assert "jr:constraintMsg" in form.xform_xml or form_id == "complaint"


@pytest.mark.odk
@pytest.mark.parametrize("form_id", FORM_IDS)
def test_odk_fills_a_valid_instance(compiled, form_id, tmp_path):
    result = fill(
        _form_dir(tmp_path, compiled[form_id]), _answers(form_id, tmp_path), tmp_path / "instance"
    )
    assert result.returncode == 0, result.stderr
    xml = (tmp_path / "instance" / "submission.xml").read_text()
    assert "<village>35.07.13.2011</village>" in xml


@pytest.mark.odk
def test_a_ppls_household_of_three_members_with_photo_and_gps(compiled, tmp_path):
    result = fill(
        _form_dir(tmp_path, compiled["ppls_household"]),
        _answers("ppls_household", tmp_path),
        tmp_path / "i",
    )
    assert result.returncode == 0, result.stderr
    xml = (tmp_path / "i" / "submission.xml").read_text()
    assert xml.count("<members>") == 3
    assert "<gps>-8.1307 112.5712 420" in xml
    assert "<house_photo>house.jpg</house_photo>" in xml
    assert (tmp_path / "i" / "house.jpg").exists()
    assert "<member_count>3</member_count>" in xml


@pytest.mark.odk
@pytest.mark.parametrize(
    ("member", "nik", "message"),
    [
        (0, "350713170880001", "NIK harus 16 angka."),  # 15 digits
        (1, "3507131005830002", "harus sama dengan NIK"),  # a woman's NIK without +40
        (0, "3507131808800001", "harus sama dengan NIK"),  # the wrong day
    ],
)
def test_a_wrong_nik_is_refused_with_the_forms_own_message(
    compiled, tmp_path, member, nik, message
):
    answers = _answers("ppls_household", tmp_path)
    answers["members"][member]["nik"] = nik
    result = fill(_form_dir(tmp_path, compiled["ppls_household"]), answers, tmp_path / "i")
    assert result.returncode == 1
    # The engine reports the form's own message (in its default language, Indonesian).
    assert f"members[{member + 1}]" in result.stderr
    assert message in result.stderr
    assert not (tmp_path / "i" / "submission.xml").exists()


@pytest.mark.odk
def test_relevance_skips_pregnancy_for_men_and_schooling_for_adults(compiled, tmp_path):
    result = fill(
        _form_dir(tmp_path, compiled["ppls_household"]),
        _answers("ppls_household", tmp_path),
        tmp_path / "i",
    )
    assert result.returncode == 0, result.stderr
    xml = (tmp_path / "i" / "submission.xml").read_text()
    head, wife, child = (part.split("</members>")[0] for part in xml.split("<members>")[1:])
    assert "<pregnant>no</pregnant>" not in head and "<pregnant>no</pregnant>" in wife
    assert "<in_school>yes</in_school>" not in head + wife and "<in_school>yes</in_school>" in child
    assert "<school_level>smp</school_level>" in child


@pytest.mark.odk
@pytest.mark.parametrize(
    ("form_id", "changes", "expected"),
    [
        ("ppls_household", {"rt": 0}, "RT"),
        ("ppls_household", {"hh_head_nik": "12345"}, "NIK"),
        ("programme_registration", {"consent": "no"}, "consent"),
        ("programme_registration", {"birth_date": "2031-01-01"}, "birth"),
        ("complaint", {"complainant_phone": "12345"}, "phone"),
    ],
)
def test_constraints_a_field_agent_sees_at_once(compiled, tmp_path, form_id, changes, expected):
    result = fill(
        _form_dir(tmp_path, compiled[form_id]),
        _answers(form_id, tmp_path, **changes),
        tmp_path / "i",
    )
    assert result.returncode == 1, result.stdout


@pytest.mark.odk
def test_a_violence_case_is_marked_urgent(compiled, tmp_path):
    answers = _answers("complaint", tmp_path, category="violence_trafficking")
    result = fill(_form_dir(tmp_path, compiled["complaint"]), answers, tmp_path / "i")
    assert result.returncode == 0, result.stderr
    assert "<urgent>yes</urgent>" in (tmp_path / "i" / "submission.xml").read_text()


@pytest.mark.odk
def test_an_anonymous_complaint_needs_no_name_or_signature(compiled, tmp_path):
    answers = _answers("complaint", tmp_path, anonymous="yes")
    for key in ("complainant_name", "complainant_nik", "complainant_phone", "signature"):
        answers.pop(key)
    result = fill(_form_dir(tmp_path, compiled["complaint"]), answers, tmp_path / "anonymous")
    assert result.returncode == 0, result.stderr
    named = _answers("complaint", tmp_path)
    named.pop("complainant_name")
    refused = fill(_form_dir(tmp_path / "b", compiled["complaint"]), named, tmp_path / "named")
    assert refused.returncode == 1
