"""The lists cost a fixed number of queries, however many rows they show."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from areas.models import Area
from collector_api.models import Device
from collector_api.phones import create_access_link, revoke_access_link
from forms.versions import create_questionnaire, publish_form_version, upload_form_version
from tests.factories import make_user, xlsform_bytes


@pytest.fixture(autouse=True)
def _no_java(settings):
    settings.SRS_ODK_VALIDATE = False  # compiling a dozen forms, not checking them


def _questionnaires(user, count: int, *, start: int = 0, with_draft: bool = True) -> None:
    """``count`` published questionnaires, each with a draft of its next version."""
    owner = Area.objects.get(code="35.07")
    for n in range(start, start + count):
        form_id = f"form_{n}"
        first = create_questionnaire(
            workbook=xlsform_bytes(form_id=form_id, version="1", title=f"Form {n}"),
            filename=f"{form_id}.xlsx",
            owner_area=owner,
            user=user,
        )
        publish_form_version(version=first, user=user)
        if not with_draft:
            continue
        upload_form_version(
            questionnaire=first.questionnaire,
            workbook=xlsform_bytes(form_id=form_id, version="2", title=f"Form {n}"),
            filename=f"{form_id}.xlsx",
            user=user,
        )


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_questionnaire_list_costs_the_same_for_one_or_twelve(
    district_client, district_user, django_assert_max_num_queries
):
    _questionnaires(district_user, 1)
    one = _queries(district_client, "/questionnaires/")
    _questionnaires(district_user, 11, start=1)
    assert _queries(district_client, "/questionnaires/") == one
    with django_assert_max_num_queries(12):
        page = district_client.get("/questionnaires/")
    assert len(set(re.findall(r'href="/questionnaires/(form_\d+)/"', page.content.decode()))) == 12


def test_a_failed_new_questionnaire_lists_the_others_at_the_same_cost(
    district_client, district_user
):
    _questionnaires(district_user, 10)
    listed = _queries(district_client, "/questionnaires/")
    with CaptureQueriesContext(connection) as queries:
        response = district_client.post(
            "/questionnaires/new/", {"owner_area": "35.07"}
        )  # no workbook: refused
    assert response.status_code == 422
    assert len(queries) <= listed + 3


def test_the_home_page_of_district_staff_costs_the_same_for_many_drafts(
    district_client, district_user
):
    _questionnaires(district_user, 1)
    one = _queries(district_client, "/")
    _questionnaires(district_user, 10, start=1)
    assert _queries(district_client, "/") == one


def _submit(agent, version, count: int, start: int = 0) -> None:
    from intake.demo_submissions import instance_xml
    from intake.ingest import ingest_submission

    for n in range(start, start + count):
        answers = {
            "subdistrict": "35.07.13",
            "village": "35.07.13.2011",
            "hh_head_name": f"Kepala {n}",
            "members": [{"name": f"Kepala {n}"}],
        }
        ingest_submission(
            user=agent,
            xml=instance_xml(version, answers, f"uuid:00000000-0000-4000-8000-{n:012d}"),
            files=[],
            device_id="collect:test",
            is_incomplete=False,
        )


def test_the_submissions_list_costs_the_same_for_one_or_many(
    reviewer_client, openrosa_setup, django_assert_max_num_queries
):
    version = openrosa_setup["questionnaire"].versions.get()
    _submit(openrosa_setup["agent"], version, 1)
    one = _queries(reviewer_client, "/submissions/")
    _submit(openrosa_setup["agent"], version, 11, start=1)
    with django_assert_max_num_queries(one):
        page = reviewer_client.get("/submissions/")
    assert len(set(re.findall(r'href="/submissions/(\d+)/[?"]', page.content.decode()))) == 12


def test_the_phones_list_costs_the_same_for_one_or_many_agents(malang):
    coordinator = make_user("coordinator", "coordinator", ["35.07.13"])
    client = Client()
    client.force_login(coordinator)

    def agent_with_phones(n: int) -> None:
        agent = make_user(f"agent{n}", "field_agent", ["35.07.13.1010", "35.07.13.2011"])
        create_access_link(user=agent, label=f"HP {n}", created_by=coordinator)
        old = create_access_link(user=agent, label=f"HP lama {n}", created_by=coordinator)
        revoke_access_link(device_token=old.device_token, revoked_by=coordinator)
        Device.objects.create(user=agent, device_id=f"collect:{n}", last_seen_at=timezone.now())

    agent_with_phones(0)
    one = _queries(client, "/phone/agents/")
    for n in range(1, 12):
        agent_with_phones(n)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/phone/agents/")
    assert len(queries) == one
    assert page.content.decode().count('class="villages"') == 12
