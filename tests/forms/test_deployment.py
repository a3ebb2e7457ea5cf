"""Deployment decides who gets a questionnaire and which areas its cascade offers."""

import csv
import io

import pytest

from areas.models import Area
from forms.area_media import build_areas_csv
from forms.queries import questionnaires_for_collector
from forms.versions import (
    archive_questionnaire,
    create_questionnaire,
    publish_form_version,
    set_deployment,
)
from tests.factories import make_user, xlsform_bytes


@pytest.fixture
def published(district_user):
    version = create_questionnaire(
        workbook=xlsform_bytes(),
        filename="t.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district_user,
    )
    return publish_form_version(version=version, user=district_user).questionnaire


def test_the_area_list_holds_the_deployed_kecamatan_their_villages_and_ancestors(
    published, district_user
):
    set_deployment(
        questionnaire=published,
        areas=Area.objects.filter(code__in=["35.07.13", "35.07.33"]),
        user=district_user,
    )
    media = build_areas_csv(published)
    rows = list(csv.DictReader(io.StringIO(media.content.decode())))
    assert list(rows[0]) == ["name", "label", "level", "parent"]
    by_level: dict[str, set[str]] = {}
    for row in rows:
        by_level.setdefault(row["level"], set()).add(row["name"])
    assert by_level["province"] == {"35"}
    assert by_level["regency"] == {"35.07"}
    assert by_level["subdistrict"] == {"35.07.13", "35.07.33"}
    assert len(by_level["village"]) == 18 + 10
    assert all(v.startswith(("35.07.13.", "35.07.33.")) for v in by_level["village"])
    assert {
        "name": "35.07.13.2011",
        "label": "Talangagung",
        "level": "village",
        "parent": "35.07.13",
    } in rows


def test_the_area_list_md5_changes_only_when_the_deployment_changes(published, district_user):
    set_deployment(
        questionnaire=published, areas=Area.objects.filter(code="35.07.13"), user=district_user
    )
    first = build_areas_csv(published).md5
    assert build_areas_csv(published).md5 == first
    set_deployment(
        questionnaire=published, areas=Area.objects.filter(code="35.07.33"), user=district_user
    )
    assert build_areas_csv(published).md5 != first


def test_a_field_agent_gets_only_questionnaires_deployed_to_her_villages(
    published, district_user, agent_user
):
    assert list(questionnaires_for_collector(agent_user)) == []
    set_deployment(
        questionnaire=published, areas=Area.objects.filter(code="35.07.33"), user=district_user
    )
    assert list(questionnaires_for_collector(agent_user)) == []  # Pagelaran: not hers
    set_deployment(
        questionnaire=published, areas=Area.objects.filter(code="35.07.13"), user=district_user
    )
    assert list(questionnaires_for_collector(agent_user)) == [published]  # Kepanjen kecamatan
    set_deployment(
        questionnaire=published, areas=Area.objects.filter(code="35.07.13.2011"), user=district_user
    )
    assert list(questionnaires_for_collector(agent_user)) == [published]  # one of her villages
    set_deployment(
        questionnaire=published, areas=Area.objects.filter(code="35.07"), user=district_user
    )
    assert list(questionnaires_for_collector(agent_user)) == [published]  # the whole regency


def test_archived_or_unpublished_questionnaires_reach_nobody(district_user, agent_user):
    draft = create_questionnaire(
        workbook=xlsform_bytes(form_id="draft_only"),
        filename="d.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district_user,
    )
    set_deployment(
        questionnaire=draft.questionnaire,
        areas=[Area.objects.get(code="35.07")],
        user=district_user,
    )
    assert list(questionnaires_for_collector(agent_user)) == []
    publish_form_version(version=draft, user=district_user)
    assert list(questionnaires_for_collector(agent_user)) == [draft.questionnaire]
    archive_questionnaire(questionnaire=draft.questionnaire, user=district_user)
    assert list(questionnaires_for_collector(agent_user)) == []


def test_a_reviewer_collects_nothing(published, district_user, reviewer_user):
    set_deployment(
        questionnaire=published, areas=Area.objects.filter(code="35.07"), user=district_user
    )
    assert list(questionnaires_for_collector(reviewer_user)) == []
    other = make_user("agent_pagelaran", "field_agent", ["35.07.33.2007"])
    set_deployment(
        questionnaire=published, areas=Area.objects.filter(code="35.07.13"), user=district_user
    )
    assert list(questionnaires_for_collector(other)) == []
