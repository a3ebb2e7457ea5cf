"""The submission path's reach rule agrees with the form list's, for everyone and everywhere."""

import itertools

import pytest

from accounts.access import Action, find_active_user, scope_for
from accounts.models import User
from areas.models import Area
from forms.models import FormVersion
from forms.queries import questionnaires_for_collector
from forms.reach import find_published_version, read_reach
from forms.versions import (
    archive_questionnaire,
    create_questionnaire,
    publish_form_version,
    restore_questionnaire,
    set_deployment,
)
from tests.factories import make_user, xlsform_bytes
from tests.forms.test_deployment import published  # noqa: F401 (fixture)

# Deployments above, at, beside and below the people's areas.
DEPLOYMENTS = [
    [],
    ["35"],
    ["35.07"],
    ["35.07.13"],
    ["35.07.33"],
    ["35.07.13.2011"],
    ["35.07.13.1010"],
    ["35.07.33.2007"],
    ["35.07.13.2011", "35.07.33"],
]


@pytest.fixture
def people(malang, admin_user):
    from areas.area_import import load_areas

    load_areas(scope="35.78")  # Kota Surabaya: the same province, another regency
    return [
        make_user("agent", "field_agent", ["35.07.13.2011"]),
        make_user("agent_two_villages", "field_agent", ["35.07.13.1010", "35.07.33.2007"]),
        make_user("agent_surabaya", "field_agent", ["35.78.01.1001"]),
        make_user("reviewer", "reviewer", ["35.07.13"]),
        make_user("monitor", "monitor", [None]),
        admin_user,
        make_user("nobody", "field_agent", []),
    ]


def _reach_decision(user: User, questionnaire_id: int) -> bool:
    signed_in = find_active_user(username=user.username)
    assert signed_in is not None
    return read_reach(questionnaire_id).reaches(scope_for(signed_in, Action.COLLECT))


def test_the_submission_rule_agrees_with_the_form_list_for_every_deployment(
    people,
    district_user,
    published,  # noqa: F811
):
    compared = 0
    for codes, archived in itertools.product(DEPLOYMENTS, (False, True)):
        set_deployment(
            questionnaire=published,
            areas=list(Area.objects.filter(code__in=codes)),
            user=district_user,
        )
        if archived:
            archive_questionnaire(questionnaire=published, user=district_user)
        for person in people:
            listed = questionnaires_for_collector(person).filter(pk=published.pk).exists()
            assert _reach_decision(person, published.pk) == listed, (
                person.username,
                codes,
                archived,
            )
            compared += 1
        if archived:
            restore_questionnaire(questionnaire=published, user=district_user)
    assert compared == len(DEPLOYMENTS) * 2 * len(people)


def test_the_field_agent_is_reached_by_her_kecamatan_and_not_by_pagelaran(
    people,
    district_user,
    published,  # noqa: F811
):
    agent = people[0]
    set_deployment(
        questionnaire=published, areas=[Area.objects.get(code="35.07.33")], user=district_user
    )
    assert not _reach_decision(agent, published.pk)
    set_deployment(
        questionnaire=published, areas=[Area.objects.get(code="35.07.13")], user=district_user
    )
    assert _reach_decision(agent, published.pk)


def test_only_published_versions_are_found_and_a_draft_is_not_remembered_as_missing(
    district_user,
):
    draft = create_questionnaire(
        workbook=xlsform_bytes(form_id="later"),
        filename="l.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district_user,
    )
    assert find_published_version("later", draft.version) is None
    publish_form_version(version=draft, user=district_user)
    found = find_published_version("later", draft.version)
    assert found is not None and found.pk == draft.pk
    assert FormVersion.objects.get(pk=found.pk).status == FormVersion.Status.PUBLISHED


def test_an_inactive_user_is_not_found_and_roles_come_with_the_user(people):
    agent = find_active_user(username="agent_two_villages")
    assert agent is not None
    assert scope_for(agent, Action.COLLECT).roots == ("35.07.13.1010", "35.07.33.2007")
    assert find_active_user(user_id=agent.pk).username == "agent_two_villages"
    User.objects.filter(pk=agent.pk).update(is_active=False)
    assert find_active_user(username="agent_two_villages") is None
    assert find_active_user(username="nobody-at-all") is None
    assert scope_for(find_active_user(username="nobody"), Action.COLLECT).is_empty
