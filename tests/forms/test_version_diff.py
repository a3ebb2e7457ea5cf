"""What a draft changes against the published version: questions added, removed and
changed, with what changed (type, labels per language, choices, logic), as district
staff read it on the draft's page."""

import io

import pytest
from django.urls import reverse
from pyxform.xls2xform import convert

from areas.models import Area
from forms.version_diff import diff_outlines
from forms.versions import create_questionnaire, publish_form_version, upload_form_version
from forms.xform_outline import read_outline
from tests.factories import xlsform_bytes

ID, EN = "Indonesian (id)", "English (en)"


def _question(name: str, label_id: str, label_en: str, **extra: str) -> dict[str, str]:
    return {
        "type": "text",
        "name": name,
        "label::Indonesian (id)": label_id,
        "label::English (en)": label_en,
        **extra,
    }


def _choice(list_name: str, name: str, label_id: str, label_en: str) -> dict[str, str]:
    return {
        "list_name": list_name,
        "name": name,
        "label::Indonesian (id)": label_id,
        "label::English (en)": label_en,
    }


V1_SURVEY = [
    _question("hh_head_name", "Nama kepala", "Head's name", required="yes"),
    _question("phone", "Nomor HP", "Phone number"),
    {**_question("tenure", "Status rumah", "Tenure"), "type": "select_one tenure"},
    {
        **_question("rooms", "Jumlah kamar", "Rooms", constraint=". > 0"),
        "type": "integer",
    },
]
V1_CHOICES = [
    _choice("tenure", "owned", "Milik sendiri", "Owned"),
    _choice("tenure", "rented", "Sewa", "Rented"),
    _choice("tenure", "official", "Dinas", "Official"),
]
V2_SURVEY = [
    # Label changed in English only.
    _question("hh_head_name", "Nama kepala", "Name of the head", required="yes"),
    # "phone" removed; "email" added.
    _question("email", "Surel", "E-mail"),
    {**_question("tenure", "Status rumah", "Tenure"), "type": "select_one tenure"},
    # integer → decimal, a tighter constraint and a new relevance.
    {
        **_question(
            "rooms",
            "Jumlah kamar",
            "Rooms",
            constraint=". > 0 and . < 50",
            relevant="${tenure} != 'official'",
        ),
        "type": "decimal",
    },
]
V2_CHOICES = [
    _choice("tenure", "owned", "Milik sendiri", "Owned"),
    _choice("tenure", "rented", "Kontrak/sewa", "Rented"),  # relabelled in Indonesian
    _choice("tenure", "rent_free", "Bebas sewa", "Rent free"),  # added; "official" removed
]


def _outline(survey, choices, version):
    workbook = xlsform_bytes(version=version, survey=survey, choices=choices)
    return read_outline(
        convert(xlsform=io.BytesIO(workbook), file_type=".xlsx", validate=False).xform
    )


def test_a_diff_names_the_added_the_removed_and_what_changed_in_each_question():
    diff = diff_outlines(_outline(V1_SURVEY, V1_CHOICES, "1"), _outline(V2_SURVEY, V2_CHOICES, "2"))

    assert diff.base_version == "1"
    assert [node.path for node in diff.added] == ["email"]
    assert [node.path for node in diff.removed] == ["phone"]
    changed = {change.path: change for change in diff.changed}
    assert sorted(changed) == ["hh_head_name", "rooms", "tenure"]

    head = changed["hh_head_name"]
    assert [(c.aspect, c.language, c.before, c.after) for c in head.changes] == [
        ("label", EN, "Head's name", "Name of the head")
    ]

    rooms = {(c.aspect, c.language): (c.before, c.after) for c in changed["rooms"].changes}
    assert rooms == {
        ("type", ""): ("integer", "decimal"),
        ("relevant", ""): ("", "${tenure} != 'official'"),
        ("constraint", ""): (". > 0", ". > 0 and . < 50"),
    }

    tenure = changed["tenure"]
    assert tenure.changes == ()
    assert [c.value for c in tenure.choices.added] == ["rent_free"]
    assert [c.value for c in tenure.choices.removed] == ["official"]
    assert [(r.value, r.language, r.before, r.after) for r in tenure.choices.relabelled] == [
        ("rented", ID, "Sewa", "Kontrak/sewa")
    ]


def test_the_same_form_again_has_no_change():
    diff = diff_outlines(_outline(V1_SURVEY, V1_CHOICES, "1"), _outline(V1_SURVEY, V1_CHOICES, "2"))
    assert diff.is_empty


def test_a_question_moved_into_a_group_is_a_change_of_place_not_a_removal():
    moved = [
        V1_SURVEY[0],
        {
            "type": "begin_group",
            "name": "contact",
            "label::Indonesian (id)": "Kontak",
            "label::English (en)": "Contact",
        },
        V1_SURVEY[1],
        {"type": "end_group", "name": "contact"},
        *V1_SURVEY[2:],
    ]
    diff = diff_outlines(_outline(V1_SURVEY, V1_CHOICES, "1"), _outline(moved, V1_CHOICES, "2"))
    assert [node.path for node in diff.added] == ["contact"]
    assert diff.removed == ()
    (change,) = diff.changed
    assert [(c.aspect, c.before, c.after) for c in change.changes] == [
        ("place", "phone", "contact/phone")
    ]


def test_required_and_a_new_language_show_in_the_diff():
    survey = [dict(V1_SURVEY[1], required="yes"), *V1_SURVEY[:1], *V1_SURVEY[2:]]
    survey = [{**row, "label::Javanese (jv)": "Jeneng"} for row in survey]
    diff = diff_outlines(_outline(V1_SURVEY, V1_CHOICES, "1"), _outline(survey, V1_CHOICES, "2"))
    assert diff.languages_added == ("Javanese (jv)",)
    phone = next(change for change in diff.changed if change.path == "phone")
    assert ("required", "no", "yes") in [(c.aspect, c.before, c.after) for c in phone.changes]


@pytest.fixture
def published_and_draft(district_user):
    first = create_questionnaire(
        workbook=xlsform_bytes(version="1", survey=V1_SURVEY, choices=V1_CHOICES),
        filename="v1.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district_user,
    )
    publish_form_version(version=first, user=district_user)
    return upload_form_version(
        questionnaire=first.questionnaire,
        workbook=xlsform_bytes(version="2", survey=V2_SURVEY, choices=V2_CHOICES),
        filename="v2.xlsx",
        user=district_user,
    )


def test_the_draft_page_shows_what_changed_since_the_published_version(
    district_client, published_and_draft
):
    district_client.post(reverse("set_language"), {"language": "en"})
    page = district_client.get(reverse("forms:version", args=["test_form", "2"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Compared with published version 1." in html
    added = html[html.index('id="diff-added"') : html.index('id="diff-removed"')]
    removed = html[html.index('id="diff-removed"') : html.index('id="diff-changed"')]
    changed = html[html.index('id="diff-changed"') : html.index('id="test-submissions"')]
    assert "email" in added and "Surel" in added
    assert "phone" in removed and "Nomor HP" in removed
    assert "Name of the head" in changed and "Head&#x27;s name" in changed
    assert "integer" in changed and "decimal" in changed
    assert "rent_free" in changed and "official" in changed and "Kontrak/sewa" in changed

    district_client.post(reverse("set_language"), {"language": "id"})
    indonesian = district_client.get(reverse("forms:version", args=["test_form", "2"])).content
    assert b"Dibandingkan dengan versi terbit 1." in indonesian
