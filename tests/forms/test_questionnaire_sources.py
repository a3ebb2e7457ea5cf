"""The four questionnaires' YAML sources: pyxform compiles them without a warning, in
two languages, and ODK's own form engine (../shared/odk-client) fills them and
enforces their rules.

No database and no Django: these run as plain functions, also with
``python -m pytest -p no:django --noconftest tests/forms/test_questionnaire_sources.py``.
"""

import io
import json
import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from PIL import Image, ImageDraw
from pyxform.xls2xform import convert

from forms.questionnaire_source import build_xlsx, source_files

ODK_CLIENT = Path(__file__).resolve().parents[3] / "shared" / "odk-client" / "bin" / "odk-client"
FORM_IDS = ["complaint", "near_poor_assessment", "ppls_household", "programme_registration"]
LANGUAGES = ("Indonesian (id)", "English (en)")
XF = "{http://www.w3.org/2002/xforms}"

# The area list the server generates from its registry (real Kemendagri codes):
# Kabupaten Malang with the pilot kecamatan Kepanjen and Pagelaran, and Kota Ambon.
AREAS_CSV = """\
name,label,level,parent
35,Jawa Timur,province,
35.07,Kabupaten Malang,regency,35
35.07.13,Kepanjen,subdistrict,35.07
35.07.13.1010,Kepanjen,village,35.07.13
35.07.13.2011,Talangagung,village,35.07.13
35.07.33,Pagelaran,subdistrict,35.07
35.07.33.2001,Clumprit,village,35.07.33
35.07.33.2007,Pagelaran,village,35.07.33
81,Maluku,province,
81.71,Kota Ambon,regency,81
81.71.01,Nusaniwe,subdistrict,81.71
"""
PAGELARAN = {"regency": "35.07", "subdistrict": "35.07.33", "village": "35.07.33.2007"}
KEPANJEN = {"regency": "35.07", "subdistrict": "35.07.13", "village": "35.07.13.2011"}


# --- compiling -------------------------------------------------------------------------


class Compiled:
    def __init__(self, source: Path) -> None:
        self.workbook = build_xlsx(source)
        self.warnings: list[str] = []
        result = convert(
            xlsform=io.BytesIO(self.workbook),
            file_type=".xlsx",
            warnings=self.warnings,
            validate=True,  # ODK Validate (Java) as well as pyxform
        )
        self.xml: str = result.xform
        self.root = ElementTree.fromstring(self.xml)

    def translations(self) -> dict[str, dict[str, str]]:
        """language → text id → text of every label, hint and message."""
        return {
            translation.get("lang", ""): {
                text.get("id", ""): "".join(text.itertext())
                for text in translation.iter(f"{XF}text")
            }
            for translation in self.root.iter(f"{XF}translation")
        }

    def message(self, name: str, kind: str = "constraintMsg") -> str:
        """The form's own message for question ``name``, in the default language."""
        texts = self.translations()[LANGUAGES[0]]
        matches = [t for i, t in texts.items() if i.endswith(f"/{name}:jr:{kind}")]
        assert len(matches) == 1, (name, kind)
        return matches[0]


@pytest.fixture(scope="module")
def compiled() -> dict[str, Compiled]:
    return {source.stem: Compiled(source) for source in source_files()}


def test_there_are_the_four_questionnaires():
    assert [source.stem for source in source_files()] == FORM_IDS


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_each_compiles_with_odk_validate_and_no_warning(compiled, form_id):
    form = compiled[form_id]
    assert form.warnings == []
    data = form.root.find(f".//{XF}instance/{XF}data")
    assert data is not None
    assert data.get("id") == form_id
    assert data.get("version") == "2026112301"
    for meta in ("start", "end", "deviceid", "username"):
        assert data.find(f"{XF}{meta}") is not None, meta
    assert data.find(f"{XF}meta/{XF}instanceID") is not None
    assert data.find(f"{XF}meta/{XF}instanceName") is not None


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_each_speaks_indonesian_first_and_english_for_every_text(compiled, form_id):
    form = compiled[form_id]
    translations = form.translations()
    assert tuple(translations) == LANGUAGES
    default = [t.get("lang") for t in form.root.iter(f"{XF}translation") if t.get("default")]
    assert default == [LANGUAGES[0]]
    indonesian, english = translations.values()
    assert indonesian.keys() == english.keys()
    assert all(text.strip() for text in [*indonesian.values(), *english.values()])
    # Hints and both kinds of messages are translated too, not only labels.
    assert any(i.endswith(":hint") for i in english)
    assert any(i.endswith(":jr:constraintMsg") for i in english)


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_each_workbook_has_its_translated_columns_in_pairs(compiled, form_id):
    workbook = load_workbook(io.BytesIO(compiled[form_id].workbook))
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    assert next(workbook["choices"].iter_rows(max_row=1, values_only=True))[0] == "list_name"
    settings = dict(zip(*workbook["settings"].iter_rows(values_only=True), strict=True))
    assert settings["form_id"] == form_id
    assert settings["default_language"] == LANGUAGES[0]
    assert settings["instance_name"]
    for sheet in ("survey", "choices"):
        header = next(workbook[sheet].iter_rows(max_row=1, values_only=True))
        translated = {column.split("::")[0] for column in header if "::" in column}
        for column in translated:
            assert {f"{column}::{language}" for language in LANGUAGES} <= set(header), column
        assert not {c for c in header if c in ("label", "hint", "constraint_message")}


def test_build_xlsx_writes_the_columns_in_the_order_first_seen(tmp_path):
    source = tmp_path / "tiny.yaml"
    source.write_text(
        "settings: {form_id: tiny, version: '1'}\n"
        "survey:\n"
        "  - {type: text, name: a, 'label::Indonesian (id)': A, 'label::English (en)': A}\n"
        "  - {type: integer, name: b, label: [B id, B en], required: true}\n",
        encoding="utf-8",
    )
    workbook = load_workbook(io.BytesIO(build_xlsx(source)))
    assert workbook.sheetnames == ["survey", "settings"]
    rows = list(workbook["survey"].iter_rows(values_only=True))
    assert rows[0] == (
        "type",
        "name",
        "label::Indonesian (id)",
        "label::English (en)",
        "required",
    )
    assert rows[2] == ("integer", "b", "B id", "B en", "yes")


# --- filling with ODK's engine ---------------------------------------------------------


def _form_dir(tmp_path: Path, form_id: str, compiled: dict[str, Compiled]) -> Path:
    """The layout ODK Collect keeps: FORMID.xml beside FORMID-media/."""
    folder = tmp_path / "form"
    (folder / f"{form_id}-media").mkdir(parents=True)
    (folder / f"{form_id}.xml").write_text(compiled[form_id].xml, encoding="utf-8")
    (folder / f"{form_id}-media" / "srs_areas.csv").write_text(AREAS_CSV, encoding="utf-8")
    # The registry's lists the server makes for each agent (the follow-ups pick from them).
    (folder / f"{form_id}-media" / "households.csv").write_text(
        "name,label,village,rt,rw\n", encoding="utf-8"
    )
    (folder / f"{form_id}-media" / "people.csv").write_text(
        "name,label,village,rt,rw,household,sex,birth_year\n", encoding="utf-8"
    )
    return folder


def _picture(path: Path, signature: bool = False) -> str:
    """A small real JPEG (or a PNG for a signature); the answer that attaches it."""
    image = Image.new("RGB", (160, 120), (255, 255, 255) if signature else (190, 220, 240))
    draw = ImageDraw.Draw(image)
    if signature:
        draw.line([(10, 90), (50, 30), (80, 80), (150, 40)], fill=(0, 0, 80), width=3)
    else:
        draw.rectangle((40, 55, 120, 110), fill=(200, 160, 110))
        draw.polygon([(30, 58), (80, 20), (130, 58)], fill=(160, 60, 40))
    image.save(path, "PNG" if signature else "JPEG", quality=85)
    return f"@{path}"


def _fill(form_dir: Path, answers: dict[str, Any], tmp_path: Path) -> tuple[int, dict, str]:
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(answers), encoding="utf-8")
    completed = subprocess.run(
        [str(ODK_CLIENT), "fill", "--form", str(form_dir), "--answers", str(answers_file)]
        + ["--out", str(tmp_path / "instance"), "--username", "bidan.kepanjen", "--json"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "LANG": "en_US.UTF-8"},
    )
    return completed.returncode, json.loads(completed.stdout), completed.stderr


def _submission(tmp_path: Path) -> str:
    return (tmp_path / "instance" / "submission.xml").read_text(encoding="utf-8")


def nik(born: date, sex: str, serial: int, region: str = "350733") -> str:
    """An NIK: region code, birth date DDMMYY (day + 40 for women), serial."""
    day = born.day + (40 if sex == "female" else 0)
    return f"{region}{day:02d}{born:%m%y}{serial:04d}"


def years_since(born: date) -> int:
    """Age as the forms compute it: whole years of 365.25 days."""
    return int((date.today() - born).days / 365.25)


# The son is twelve or thirteen whenever the tests run, so he is always at school age.
SON_BORN = date(date.today().year - 12, 3, 4)


def _member(**answers: Any) -> dict[str, Any]:
    return {"kk": "3507330101100001", "disability": ["none"], "chronic_illness": "none", **answers}


def ppls_answers(tmp_path: Path) -> dict[str, Any]:
    """A household in Pagelaran: the head, his wife (day + 40 in her NIK) and their son."""
    return {
        **PAGELARAN,
        "rt": 3,
        "rw": 2,
        "address": "Dusun Krajan, Jl. Raya Pagelaran 12",
        "gps": "-8.1912 112.6101 402 6",
        "hh_head_name": "Budi Santoso",
        "hh_head_nik": "3507331708800001",
        "kk_number": "3507330101100001",
        "phone": "081234567890",
        "tenure": "owned",
        "floor_area": 36.5,
        "floor_material": "cement_brick",
        "wall_material": "masonry",
        "wall_condition": "good",
        "roof_material": "ceramic_tile",
        "roof_condition": "poor",
        "water_source": "protected_well",
        "lighting": "pln_meter",
        "power_va": "450",
        "cooking_fuel": "lpg_3kg",
        "toilet": "own",
        "sewage": "septic_tank",
        "members": [
            _member(
                name="Budi Santoso",
                sex="male",
                nik="3507331708800001",
                birth_date="1980-08-17",
                relation="head",
                marital_status="married",
                working="yes",
                work_hours=45,
                sector="agriculture",
                employment_status="own_account",
            ),
            _member(
                name="Siti Aminah",
                sex="female",
                nik="3507335005830002",
                birth_date="1983-05-10",
                relation="spouse",
                marital_status="married",
                chronic_illness="hypertension",
                pregnant="no",
                working="yes",
                work_hours=0,
                sector="trade",
                employment_status="family_worker",
            ),
            _member(
                name="Rizky Pratama",
                sex="male",
                nik=nik(SON_BORN, "male", 3),
                birth_date=SON_BORN.isoformat(),
                relation="child",
                marital_status="single",
                in_school="yes",
                school_level="smp",
                working="no",
            ),
        ],
        "assets": ["motorbike", "television", "goats"],
        "programmes": ["pkh", "kps_kks"],
        "kks_number": "KKS-0012345",
        "house_photo": _picture(tmp_path / "house.jpg"),
    }


def near_poor_answers(tmp_path: Path) -> dict[str, Any]:
    return {
        **KEPANJEN,
        "address": "Dusun Krajan RT 4 RW 1",
        "gps": "-8.1311 112.5702 418 6",
        "name": "Sri Wahyuni",
        "nik": "3507135212700004",
        "kk": "3507130202100002",
        "sex": "female",
        "birth_date": "1970-12-12",
        "phone": "085712345678",
        "household_size": 2,
        "not_listed_reason": "became_poor",
        "needs": ["health", "capital"],
        "vulnerabilities": ["female_head", "chronic_illness"],
        "health_condition": "sometimes_ill",
        "has_disability": "no",
        "monthly_income": 600000,
        "monthly_spending": 750000,
        "skills": ["sewing", "cooking"],
        "job_wishes": ["kube"],
        "recommended": "yes",
        "recommended_by": "Pak Slamet, ketua RT 04",
        "recommendation_reason": "Suami meninggal tahun lalu, tidak ada penghasilan tetap.",
        "house_photo": _picture(tmp_path / "house.jpg"),
    }


def complaint_answers(tmp_path: Path) -> dict[str, Any]:
    return {
        "channel": "midwife",
        "anonymous": "no",
        "complainant_name": "Siti Aminah",
        "complainant_nik": "3507135005830002",
        "complainant_phone": "081234567891",
        **KEPANJEN,
        "category": "exclusion_error",
        "programme": "pkh",
        "description": "Keluarga dengan tiga anak sekolah tidak terdaftar PKH.",
        "evidence_photo": _picture(tmp_path / "evidence.jpg"),
        "gps": "-8.1307 112.5712 420 5",
        "signature": _picture(tmp_path / "signature.png", signature=True),
    }


def registration_answers(tmp_path: Path) -> dict[str, Any]:
    return {
        **KEPANJEN,
        "name": "Dewi Sartika",
        "nik": "3507135507790006",
        "kk": "3507130303100003",
        "sex": "female",
        "birth_date": "1979-07-15",
        "phone": "081334455667",
        "programme": "bpjs_self_paid",
        "bpjs_membership": "pbpu",
        "bpjs_class": "3",
        "ktp_photo": _picture(tmp_path / "ktp.jpg"),
        "kk_photo": _picture(tmp_path / "kk.jpg"),
        "consent": "yes",
    }


ANSWERS = {
    "ppls_household": ppls_answers,
    "near_poor_assessment": near_poor_answers,
    "complaint": complaint_answers,
    "programme_registration": registration_answers,
}


@pytest.mark.odk
def test_odk_fills_a_ppls_household_of_three_members(compiled, tmp_path):
    form_dir = _form_dir(tmp_path, "ppls_household", compiled)
    code, output, stderr = _fill(form_dir, ppls_answers(tmp_path), tmp_path)
    assert code == 0, stderr
    assert output["ok"] and output["instanceName"] == "Budi Santoso - 35.07.33.2007"
    assert output["warnings"] == []
    xml = _submission(tmp_path)
    assert xml.count("<members>") == 3
    assert "<village>35.07.33.2007</village>" in xml
    assert "<gps>-8.1912 112.6101 402" in xml  # the engine writes "402.0 6.0"
    assert "<house_photo>house.jpg</house_photo>" in xml
    assert (tmp_path / "instance" / "house.jpg").read_bytes()[:2] == b"\xff\xd8"
    assert "<username>bidan.kepanjen</username>" in xml
    head, wife, son = (part.split("</members>")[0] for part in xml.split("<members>")[1:])
    assert f"<age>{years_since(date(1980, 8, 17))}</age>" in head
    assert f"<age>{years_since(SON_BORN)}</age>" in son
    # Relevance: pregnancy only for women of 10-55, schooling only for ages 5-25.
    assert "<pregnant>no</pregnant>" in wife and "<pregnant>" not in head + son
    assert "<in_school>yes</in_school>" in son and "<in_school>" not in head + wife


@pytest.mark.odk
@pytest.mark.parametrize(
    ("member", "nik", "question"),
    [
        (0, "350733170880001", "nik"),  # 15 digits
        (1, "3507331005830002", "birth_date"),  # a woman's NIK without 40 added to the day
        (0, "3507335708800001", "birth_date"),  # a man's NIK with 40 added
        (2, nik(SON_BORN.replace(year=SON_BORN.year - 1), "male", 3), "birth_date"),  # year
    ],
)
def test_odk_refuses_a_wrong_nik_with_the_forms_own_message(
    compiled, tmp_path, member, nik, question
):
    answers = ppls_answers(tmp_path)
    answers["members"][member]["nik"] = nik
    if member == 0:
        answers["hh_head_nik"] = nik
    code, output, _ = _fill(_form_dir(tmp_path, "ppls_household", compiled), answers, tmp_path)
    assert code == 1
    message = compiled["ppls_household"].message(question)
    label = _label(compiled, question)
    assert f"/data/members[{member + 1}]/{question} ({label}): {message}" in output["details"]
    assert not (tmp_path / "instance" / "submission.xml").exists()


def _label(compiled: dict[str, Compiled], name: str) -> str:
    texts = compiled["ppls_household"].translations()[LANGUAGES[0]]
    return next(t for i, t in texts.items() if i == f"/data/members/{name}:label")


@pytest.mark.odk
@pytest.mark.parametrize(
    ("change", "question"),
    [
        ({"rt": 0}, "rt"),
        ({"birth_date": "2090-01-01"}, "birth_date"),  # in the future
        ({"birth_date": "1890-08-17", "nik": ""}, "birth_date"),  # 136 years old
        ({"work_hours": 113}, "work_hours"),
        ({"relation": "head", "nik": "3507335005830002"}, "relation"),  # a second head
        ({"disability": ["none", "visual"]}, "disability"),
    ],
)
def test_odk_refuses_implausible_answers(compiled, tmp_path, change, question):
    answers = ppls_answers(tmp_path)
    if question == "rt":
        answers.update(change)
    else:
        answers["members"][1].update(change)
    code, output, _ = _fill(_form_dir(tmp_path, "ppls_household", compiled), answers, tmp_path)
    assert code == 1
    message = compiled["ppls_household"].message(question)
    assert any(detail.endswith(f": {message}") for detail in output["details"]), output


@pytest.mark.odk
def test_odk_offers_only_the_villages_of_the_chosen_kecamatan(compiled, tmp_path):
    answers = {**ppls_answers(tmp_path), "village": "35.07.13.2011"}  # Talangagung, Kepanjen
    code, output, _ = _fill(_form_dir(tmp_path, "ppls_household", compiled), answers, tmp_path)
    assert code == 1
    assert "village" in output["error"]


@pytest.mark.odk
@pytest.mark.parametrize("form_id", ["near_poor_assessment", "complaint", "programme_registration"])
def test_odk_fills_the_other_questionnaires(compiled, tmp_path, form_id):
    code, output, stderr = _fill(
        _form_dir(tmp_path, form_id, compiled), ANSWERS[form_id](tmp_path), tmp_path
    )
    assert code == 0, stderr
    assert output["warnings"] == []
    xml = _submission(tmp_path)
    assert "<village>35.07.13.2011</village>" in xml
    attachments = {a["name"] for a in output["attachments"]}
    assert (
        attachments
        == {
            "near_poor_assessment": {"house.jpg"},
            "complaint": {"evidence.jpg", "signature.png"},
            "programme_registration": {"ktp.jpg", "kk.jpg"},
        }[form_id]
    )
    assert all((tmp_path / "instance" / name).exists() for name in attachments)


@pytest.mark.odk
def test_odk_marks_a_violence_complaint_urgent(compiled, tmp_path):
    answers = {**complaint_answers(tmp_path), "category": "violence_trafficking"}
    code, _, stderr = _fill(_form_dir(tmp_path, "complaint", compiled), answers, tmp_path)
    assert code == 0, stderr
    assert "<urgent>yes</urgent>" in _submission(tmp_path)
    hotline = compiled["complaint"].translations()[LANGUAGES[0]]["/data/hotline_note:label"]
    assert "hotline" in hotline


@pytest.mark.odk
def test_odk_takes_an_anonymous_complaint_without_name_or_signature(compiled, tmp_path):
    answers = complaint_answers(tmp_path)
    for key in ("complainant_name", "complainant_nik", "complainant_phone", "signature"):
        del answers[key]
    answers["anonymous"] = "yes"
    code, _, stderr = _fill(_form_dir(tmp_path, "complaint", compiled), answers, tmp_path)
    assert code == 0, stderr
    assert "<urgent>no</urgent>" in _submission(tmp_path)


@pytest.mark.odk
@pytest.mark.parametrize(
    ("change", "question"),
    [
        ({"consent": "no"}, "consent"),
        ({"kk": "35071303031000"}, "kk"),
        ({"programme": "bpjs_pbi", "bpjs_membership": "pbpu"}, "bpjs_membership"),
    ],
)
def test_odk_refuses_a_registration_without_consent_or_with_wrong_data(
    compiled, tmp_path, change, question
):
    answers = {**registration_answers(tmp_path), **change}
    form_dir = _form_dir(tmp_path, "programme_registration", compiled)
    code, output, _ = _fill(form_dir, answers, tmp_path)
    assert code == 1
    message = compiled["programme_registration"].message(question)
    assert any(detail.endswith(f": {message}") for detail in output["details"]), output
