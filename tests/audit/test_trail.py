"""The audit trail: every state change leaves one record, written in its transaction,
and district auditors read and export the records of their areas only."""

import csv
import io

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import Role, RoleAssignment
from accounts.staff import assign_role, remove_role
from areas.models import Area
from audit.models import AuditRecord
from audit.trail import audit_source, record_change
from collector_api.phones import create_access_link, revoke_access_link
from forms.models import Questionnaire
from tests.factories import make_user, xlsform_bytes
from tests.forms.test_pages import _upload


def _actions(prefix: str = "forms.") -> list[str]:
    records = AuditRecord.objects.filter(action__startswith=prefix).order_by("id")
    return list(records.values_list("action", flat=True))


@pytest.fixture
def questionnaire(district_client):
    response = district_client.post(
        reverse("forms:create"),
        {"workbook": _upload("test.xlsx", xlsform_bytes(version="1")), "owner_area": "35.07"},
    )
    assert response.status_code == 302
    return Questionnaire.objects.get(form_id="test_form")


def test_a_questionnaires_life_is_recorded_with_who_what_where_and_from_which_request(
    district_client, district_user, questionnaire
):
    form_id = questionnaire.form_id
    district_client.post(reverse("forms:publish", args=[form_id, "1"]))
    district_client.post(reverse("forms:deploy", args=[form_id]), {"areas": ["35.07.13"]})
    district_client.post(
        reverse("forms:upload_version", args=[form_id]),
        {"workbook": _upload("v2.xlsx", xlsform_bytes(version="2"))},
    )
    district_client.post(reverse("forms:discard", args=[form_id, "2"]))
    district_client.post(reverse("forms:archive", args=[form_id]))
    district_client.post(reverse("forms:archive", args=[form_id]), {"restore": "1"})

    assert _actions() == [
        "forms.questionnaire_created",
        "forms.version_published",
        "forms.deployment_set",
        "forms.draft_uploaded",
        "forms.draft_discarded",
        "forms.questionnaire_archived",
        "forms.questionnaire_restored",
    ]
    published = AuditRecord.objects.get(action="forms.version_published")
    assert published.actor_id == district_user.pk
    assert published.actor_username == "district"
    assert published.area_code == "35.07"
    assert published.before == {"status": "draft"}
    assert published.after["status"] == "published"
    assert published.source == f"web POST /questionnaires/{form_id}/versions/1/publish/"
    assert published.client_ip == "127.0.0.1"
    deployed = AuditRecord.objects.get(action="forms.deployment_set")
    assert (deployed.before, deployed.after) == ({"areas": []}, {"areas": ["35.07.13"]})
    discarded = AuditRecord.objects.get(action="forms.draft_discarded")
    assert discarded.before["draft_version"] == "2"  # the draft row itself is gone


def test_archiving_twice_records_one_change(district_user, questionnaire):
    from forms.versions import archive_questionnaire

    archive_questionnaire(questionnaire=questionnaire, user=district_user)
    archive_questionnaire(questionnaire=questionnaire, user=district_user)
    assert _actions().count("forms.questionnaire_archived") == 1


def test_roles_and_access_links_are_recorded(malang, district_user):
    agent = make_user("agent_a", Role.FIELD_AGENT, ["35.07.13.2011"])
    assignment = RoleAssignment.objects.get(user=agent)
    remove_role(assignment=assignment, removed_by=district_user)
    assign_role(
        user=agent,
        role=Role.FIELD_AGENT,
        area=Area.objects.get(code="35.07.13.2011"),
        assigned_by=district_user,
    )
    link = create_access_link(user=agent, label="Phone 1", created_by=district_user)
    revoke_access_link(device_token=link.device_token, revoked_by=district_user)
    revoke_access_link(device_token=link.device_token, revoked_by=district_user)  # no change

    records = list(AuditRecord.objects.filter(area_code="35.07.13.2011").order_by("id"))
    assert [r.action for r in records] == [
        "accounts.role_assigned",
        "accounts.role_removed",
        "accounts.role_assigned",
        "phones.access_link_created",
        "phones.access_link_revoked",
    ]
    assert records[1].before == {"user": "agent_a", "role": "field_agent", "area": "35.07.13.2011"}
    assert records[3].after == {"user": "agent_a", "label": "Phone 1"}
    assert link.token not in str([r.after for r in records])
    assert records[4].actor_username == "district"


@pytest.mark.django_db(transaction=True)
def test_a_change_that_rolls_back_leaves_no_record(district_user):
    with pytest.raises(RuntimeError, match="boom"), transaction.atomic():
        record_change(actor=district_user, action="test.change", object_type="x", object_id="1")
        raise RuntimeError("boom")
    assert not AuditRecord.objects.filter(action="test.change").exists()


def test_a_record_outside_a_transaction_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        record_change(actor=None, action="test.change", object_type="x", object_id="1")


def test_access_link_tokens_never_reach_the_source_of_a_record(db):
    from portal.audit_source import _without_secrets

    assert _without_secrets("/key/SECRET-TOKEN/submission") == "/key/…/submission"
    assert "SECRET" not in _without_secrets("/draft/SECRET/formList")


def _record(area_code: str, action: str = "forms.version_published", label: str = "x") -> None:
    with transaction.atomic(), audit_source("test"):
        record_change(
            actor=None,
            action=action,
            object_type="srs_forms.formversion",
            object_id="1",
            object_label=label,
            area_code=area_code,
        )


@pytest.fixture
def auditor_client(malang):
    client = Client()
    client.force_login(make_user("auditor", Role.AUDITOR, ["35.07"]))
    return client


def test_a_district_auditor_reads_the_records_of_her_district_only(auditor_client):
    _record("35.07.13", label="in Kepanjen")
    _record("35.07", label="of the district")
    _record("35.73", label="of Kota Malang")  # another regency
    _record("", label="national")

    page = auditor_client.get(reverse("audit:list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "in Kepanjen" in text and "of the district" in text
    assert "of Kota Malang" not in text and "national" not in text

    narrowed = auditor_client.get(reverse("audit:list"), {"area": "35.07.13"})
    assert "in Kepanjen" in narrowed.content.decode()
    assert "of the district" not in narrowed.content.decode()
    # Asking for another regency's area shows nothing of it.
    other = auditor_client.get(reverse("audit:list"), {"area": "35.73"})
    assert "of Kota Malang" not in other.content.decode()


@pytest.mark.parametrize("role,area", [("reviewer", "35.07.13"), ("district_staff", "35.07")])
def test_people_without_the_auditor_role_cannot_read_the_trail(malang, role, area):
    client = Client()
    client.force_login(make_user("someone", role, [area]))
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("audit:export")).status_code == 403


def test_the_export_is_csv_with_formulas_neutralised_and_is_itself_recorded(auditor_client):
    _record("35.07.13", label='=HYPERLINK("http://evil")')
    _record("35.07.33", label="Pagelaran")
    response = auditor_client.get(reverse("audit:export"), {"area": "35.07.13"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["at", "actor_username", "action"]
    assert len(rows) == 2
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'
    export = AuditRecord.objects.get(action="audit.exported")
    assert export.actor_username == "auditor"
    assert export.after == {"filters": {"area": "35.07.13"}, "count": 1}


def test_administrators_see_national_records(admin_client):
    _record("", label="national")
    assert "national" in admin_client.get(reverse("audit:list")).content.decode()
