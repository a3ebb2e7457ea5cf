"""A draft read back as a form: each question, its texts in Indonesian and English, its
choices and logic, checked against the YAML sources people wrote, and shown on the
version's page to the district staff who manage the questionnaire."""

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from pyxform.xls2xform import convert

from areas.models import Area
from forms.questionnaire_source import build_xlsx, source_files
from forms.versions import create_questionnaire
from forms.xform_outline import OutlineUnreadable, read_outline, text_in
from tests.factories import make_user

ID, EN = "Indonesian (id)", "English (en)"
CONTAINERS = {"begin_group": "group", "begin_repeat": "repeat"}
ENDS = {"end_group", "end_repeat"}
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "xlsform-corpus"


def _xform(source: Path) -> str:
    return convert(xlsform=io.BytesIO(build_xlsx(source)), file_type=".xlsx", validate=False).xform


def _rows(source: Path) -> tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    return data["survey"], data.get("choices") or {}


@pytest.mark.parametrize("source", source_files(), ids=lambda p: p.stem)
def test_the_outline_holds_every_question_of_the_source_in_order_in_both_languages(source):
    outline = read_outline(_xform(source))
    survey, choice_lists = _rows(source)
    assert outline.languages == (ID, EN)

    expected = [row for row in survey if row["type"] not in ENDS]
    assert [node.name for node in outline.nodes] == [row["name"] for row in expected]
    for row, node in zip(expected, outline.nodes, strict=True):
        kind = CONTAINERS.get(row["type"], "question")
        assert node.kind == kind, row["name"]
        for column, texts in (
            ("label", node.labels),
            ("hint", node.hints),
            ("constraint_message", node.constraint_messages),
            ("required_message", node.required_messages),
        ):
            if column in row:
                indonesian, english = row[column]
                assert (text_in(texts, ID), text_in(texts, EN)) == (indonesian, english), (
                    row["name"],
                    column,
                )
        if row.get("required") is True:
            assert node.is_required, row["name"]
        for column in ("relevant", "constraint", "calculation"):
            if column in row:
                written = {"calculation": node.calculate}.get(column) or getattr(node, column)
                # The expression reads as typed: ${name}, not pyxform's /data/... paths.
                assert "/data/" not in written, (row["name"], written)
                assert written.replace(" ", "") == str(row[column]).replace(" ", ""), row["name"]
        kind_of_select, _, list_name = row["type"].partition(" ")
        if kind_of_select.endswith("_from_file"):
            assert node.type == kind_of_select
            assert node.choices is not None and node.choices.file == list_name
        elif kind_of_select in ("select_one", "select_multiple"):
            assert node.type == kind_of_select
            assert node.choices is not None
            wanted = [
                (str(choice["name"]), tuple(choice["label"])) for choice in choice_lists[list_name]
            ]
            got = [
                (choice.value, (text_in(choice.labels, ID), text_in(choice.labels, EN)))
                for choice in node.choices.choices
            ]
            assert got == wanted, row["name"]


def test_the_household_outline_knows_types_repeats_filters_and_hidden_fields():
    source = next(p for p in source_files() if p.stem == "ppls_household")
    outline = read_outline(_xform(source))
    assert outline.form_id == "ppls_household"
    assert outline.version == "2026112301"
    members = outline.find("members")
    assert members is not None and members.kind == "repeat" and members.type == "begin_repeat"
    assert outline.find("members/name").depth == 1
    village = outline.find("place/village")
    assert village.choices.choice_filter == "level='village' and parent=${subdistrict}"
    assert outline.find("start").type == "start"
    assert outline.find("deviceid").type == "deviceid"
    assert outline.find("member_count").type == "calculate"
    assert outline.find("member_count").calculate == "count(${members})"
    assert outline.find("members/age_note").type == "note"
    assert outline.find("house_photo").type == "image"
    assert outline.find("meta") is None
    assert outline.find("members/pregnant").relevant == (
        "${sex} = 'female' and ${age} >= 10 and ${age} <= 55"
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared XLSForm corpus is not here")
def test_every_form_of_the_public_corpus_that_pyxform_compiles_can_be_outlined():
    outlined = 0
    for path in sorted(CORPUS.glob("*.xls*")):
        try:
            xform = convert(xlsform=str(path), validate=False).xform
        except Exception:  # noqa: BLE001 (pyxform refuses the form: not ours to outline)
            continue
        outline = read_outline(xform)
        assert outline.languages, path.name
        outlined += 1
    assert outlined >= 25


def test_xml_with_a_doctype_is_not_read():
    hostile = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><h:html xmlns:h="http://www.w3.org/1999/xhtml">&e;</h:html>'
    with pytest.raises(OutlineUnreadable):
        read_outline(hostile)


# --- the version's page ---------------------------------------------------------------


@pytest.fixture
def household_draft(district_user):
    source = next(p for p in source_files() if p.stem == "ppls_household")
    return create_questionnaire(
        workbook=build_xlsx(source),
        filename="ppls_household.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district_user,
    )


def test_the_draft_page_shows_the_form_in_indonesian_and_english(district_client, household_draft):
    detail = district_client.get(reverse("forms:detail", args=["ppls_household"]))
    page_url = reverse("forms:version", args=["ppls_household", household_draft.version])
    assert page_url in detail.content.decode()

    page = district_client.get(page_url)
    assert page.status_code == 200
    html = page.content.decode()
    # Labels, hints and messages in both languages, side by side.
    assert "Nama kepala rumah tangga" in html and "Name of the head of household" in html
    assert "16 angka, seperti di KTP." in html and "16 digits, as on the identity card." in html
    assert "NIK harus 16 angka." in html and "The NIK must be exactly 16 digits." in html
    # Choices with both labels, logic as it was typed, the area list's file.
    assert "Milik sendiri" in html and "Owned" in html
    assert "${lighting} = &#x27;pln_meter&#x27;" in html
    assert "srs_areas.csv" in html
    # The first version has nothing to compare with; no test yet.
    assert 'id="diff-added"' not in html
    assert 'id="draft-test-link"' in html


def test_the_draft_page_follows_the_language_of_the_page(district_client, household_draft):
    district_client.post(reverse("set_language"), {"language": "en"})
    english = district_client.get(
        reverse("forms:version", args=["ppls_household", household_draft.version])
    )
    assert "The form" in english.content.decode()
    district_client.post(reverse("set_language"), {"language": "id"})
    indonesian = district_client.get(
        reverse("forms:version", args=["ppls_household", household_draft.version])
    )
    assert "Formulir" in indonesian.content.decode()


def test_only_managers_of_the_questionnaires_area_see_its_draft(household_draft, malang):
    url = reverse("forms:version", args=["ppls_household", household_draft.version])
    reviewer = Client()
    reviewer.force_login(make_user("rev", "reviewer", ["35.07.13"]))
    assert reviewer.get(url).status_code == 403
    other_district = Client()
    # District staff of another regency manage forms, but not this one.
    Area.objects.create(code="35.08", name="Lumajang", level="regency", parent_id="35")
    other_district.force_login(make_user("lumajang", "district_staff", ["35.08"]))
    assert other_district.get(url).status_code == 404
