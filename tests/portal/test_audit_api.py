"""The audit trail in the API: read and exported by auditors and administrators only."""

import csv
import io

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.api_tokens import issue_api_token
from accounts.models import Role
from audit.models import AuditRecord
from audit.trail import audit_source, record_change
from tests.factories import make_user


def _record(area_code: str, *, action: str = "forms.version_published", label: str = "x") -> None:
    with transaction.atomic(), audit_source("test"):
        record_change(
            actor=None,
            action=action,
            object_type="srs_forms.formversion",
            object_id="1",
            object_label=label,
            area_code=area_code,
        )


def _token_client(user) -> APIClient:
    key, _expires = issue_api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def auditor(malang):
    return make_user("auditor", Role.AUDITOR, ["35.07"])


@pytest.fixture
def auditor_api(auditor) -> APIClient:
    return _token_client(auditor)


def test_a_district_auditor_lists_the_records_of_her_district_only(auditor_api):
    _record("35.07.13", label="in Kepanjen")
    _record("35.07", label="of the district")
    _record("35.73", label="of Kota Malang")
    _record("", label="national")

    response = auditor_api.get("/api/v1/audit/", {"action": "forms.version_published"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    labels = {row["object_label"] for row in body["results"]}
    assert labels == {"in Kepanjen", "of the district"}
    assert set(body["results"][0]) >= {"at", "actor_username", "action", "area_code", "source"}


def test_the_list_is_filtered_like_the_audit_page(auditor_api):
    _record("35.07.13", label="in Kepanjen", action="review.approved")
    _record("35.07.13", label="published in Kepanjen")
    _record("35.07.33", label="in Pagelaran", action="review.approved")

    by_area = auditor_api.get("/api/v1/audit/", {"area": "35.07.13"}).json()
    by_action = auditor_api.get("/api/v1/audit/", {"action": "review.approved"}).json()
    both = auditor_api.get(
        "/api/v1/audit/", {"area": "35.07.33", "action": "review.approved"}
    ).json()
    future = auditor_api.get("/api/v1/audit/", {"since": "2999-01-01"}).json()

    assert {r["object_label"] for r in by_area["results"]} == {
        "in Kepanjen",
        "published in Kepanjen",
    }
    assert {r["object_label"] for r in by_action["results"]} == {"in Kepanjen", "in Pagelaran"}
    assert [r["object_label"] for r in both["results"]] == ["in Pagelaran"]
    assert future["count"] == 0


def test_the_list_is_paginated(auditor_api):
    for number in range(5):
        _record("35.07.13", label=f"record {number}")

    wanted = {"action": "forms.version_published", "limit": 2}
    first = auditor_api.get("/api/v1/audit/", wanted).json()
    last = auditor_api.get("/api/v1/audit/", {**wanted, "offset": 4}).json()

    assert first["count"] == 5
    assert [r["object_label"] for r in first["results"]] == ["record 4", "record 3"]
    assert first["next"] and first["previous"] is None
    assert [r["object_label"] for r in last["results"]] == ["record 0"]
    assert last["next"] is None


def test_the_csv_export_is_filtered_neutralised_and_recorded(auditor_api):
    _record("35.07.13", label='=HYPERLINK("http://evil")')
    _record("35.07.33", label="Pagelaran")

    response = auditor_api.get("/api/v1/audit.csv", {"area": "35.07.13"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["at", "actor_username", "action"]
    assert len(rows) == 2
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'
    export = AuditRecord.objects.get(action="audit.exported")
    assert export.actor_username == "auditor"
    assert export.source == "api GET /api/v1/audit.csv"
    assert export.after == {"filters": {"area": "35.07.13"}, "count": 1}


def test_the_csv_export_answers_a_client_that_asks_for_csv(auditor_api):
    response = auditor_api.get("/api/v1/audit.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_administrators_read_national_records(admin_user):
    _record("", label="national")
    body = _token_client(admin_user).get("/api/v1/audit/").json()
    assert [r["object_label"] for r in body["results"]] == ["national"]


@pytest.mark.parametrize(
    "role,area",
    [
        (Role.REVIEWER, "35.07.13"),
        (Role.DISTRICT_STAFF, "35.07"),
        (Role.MONITOR, "35"),
        (Role.FIELD_AGENT, "35.07.13.2011"),
    ],
)
def test_people_without_the_auditor_role_are_refused_with_code_and_detail(malang, role, area):
    client = _token_client(make_user("someone", role, [area]))
    _record("35.07.13", label="in Kepanjen")

    listing = client.get("/api/v1/audit/", HTTP_ACCEPT_LANGUAGE="en")
    export = client.get("/api/v1/audit.csv", HTTP_ACCEPT="text/csv", HTTP_ACCEPT_LANGUAGE="id")

    assert listing.status_code == 403
    assert listing.json()["code"] == "not_allowed"
    assert listing.json()["detail"] == "You are not allowed to do this here."
    assert export.status_code == 403
    assert export["Content-Type"].startswith("application/json")
    assert export.json() == {
        "code": "not_allowed",
        "detail": "Anda tidak diizinkan melakukan ini di sini.",
    }
    assert not AuditRecord.objects.filter(action="audit.exported").exists()


def test_without_a_token_the_audit_api_answers_401(db):
    response = APIClient().get("/api/v1/audit.csv")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail"}
