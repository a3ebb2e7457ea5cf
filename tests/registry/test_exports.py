"""Exports of the registry: CSV and XLSX, streamed, masked, audited, for the roles allowed."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.api_tokens import issue_api_token
from accounts.models import Role
from audit.models import AuditRecord
from registry.exports import neutralise
from registry.models import Family, Household
from tests.factories import make_user
from tests.registry.export_data import (
    KEPANJEN,
    PAGELARAN,
    PAGELARAN_VILLAGE,
    HouseholdData,
    Member,
    kepanjen_and_pagelaran,
    make_household,
    make_source,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "/registry/export/households.csv",
    "/registry/export/households.xlsx",
    "/registry/export/people.csv",
    "/registry/export/people.xlsx",
]
APIS = ["/api/v1" + url for url in PAGES]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token_client(user) -> APIClient:
    key, _expires = issue_api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def _csv_rows(response) -> list[dict[str, str]]:
    text = _body(response).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _xlsx_rows(response) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(_body(response)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(cell) for cell in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


@pytest.fixture
def registry(reviewer_user):
    return kepanjen_and_pagelaran(reviewer_user)


@pytest.fixture
def pagelaran_reviewer(malang):
    return make_user("reviewer_pagelaran", Role.REVIEWER, [PAGELARAN])


def test_a_kepanjen_reviewer_exports_her_households_as_csv_masked_and_streamed(
    reviewer_client, registry
):
    response = reviewer_client.get("/registry/export/households.csv")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="households-')
    rows = _csv_rows(response)
    assert [row["head_name"] for row in rows] == ["Budi Santoso"]
    budi = rows[0]
    assert budi["household_id"] == str(registry["budi"].pk)
    assert budi["village_code"] == "35.07.13.2011"
    assert budi["head_nik"] == "350713••••••0001"
    assert budi["kk_numbers"] == "350713••••••0001"
    assert budi["head_phone"] == "'+62812••••7890"  # E.164's plus would start a formula
    assert budi["members"] == "3"
    assert budi["programmes"] == "pkh"
    assert budi["latitude"] == "-8.1307"  # a number, not neutralised


def test_no_export_holds_an_unmasked_number(reviewer_client, registry):
    for url in PAGES:
        body = _body(reviewer_client.get(url))
        for number in ("3507131708800001", "3507135205830002", "3507130101090001", "6281234567890"):
            assert number.encode() not in body, (url, number)


def test_a_kepanjen_user_never_gets_pagelaran_rows_in_any_export(
    reviewer_client, pagelaran_reviewer, registry
):
    for url in PAGES:
        response = reviewer_client.get(url, {"village": PAGELARAN_VILLAGE})
        assert response.status_code == 200
        body = _body(response)
        assert b"Wati" not in body, url

    pagelaran = _client(pagelaran_reviewer)
    rows = _csv_rows(pagelaran.get("/registry/export/people.csv"))
    assert [row["name"] for row in rows] == ["Wati Pagelaran"]
    api = _token_client(pagelaran_reviewer)
    for url in APIS:
        assert b"Budi" not in _body(api.get(url)), url


def test_the_people_export_in_xlsx_holds_each_member_with_her_household(reviewer_client, registry):
    response = reviewer_client.get("/registry/export/people.xlsx")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    rows = _xlsx_rows(response)
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"Budi Santoso", "Siti Aminah", "Putri Lestari"}
    siti = by_name["Siti Aminah"]
    assert siti["nik"] == "350713••••••0002"
    assert siti["kk_number"] == "350713••••••0001"
    assert siti["household_id"] == registry["budi"].pk  # a number cell
    assert siti["birth_date"] == "1983-05-12"
    assert siti["programmes"] == "pkh"  # the household's programme
    assert by_name["Putri Lestari"]["nik"] in (None, "")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_start_a_formula_is_neutralised_in_both_formats(
    reviewer_client, reviewer_user, start
):
    name = f'{start}HYPERLINK("http://x","y")'
    make_household(
        make_source(reviewer_user),
        HouseholdData(
            head=Member(name, "3507131708800009", "male", None, "head"), address="@SUM(A1)"
        ),
    )

    rows = _csv_rows(reviewer_client.get("/registry/export/households.csv"))
    assert rows[0]["head_name"] == "'" + name
    assert rows[0]["address"] == "'@SUM(A1)"
    sheet = _xlsx_rows(reviewer_client.get("/registry/export/households.xlsx"))
    # (XML reads a carriage return as a line feed; the quote is what matters.)
    assert str(sheet[0]["head_name"]).startswith("'" + start.replace("\r", "\n"))
    assert sheet[0]["address"] == "'@SUM(A1)"
    assert sheet[0]["latitude"] == -8.1307  # numbers stay numbers


def test_neutralise_leaves_numbers_and_plain_text_alone():
    assert neutralise(-8.13) == -8.13
    assert neutralise(12) == 12
    assert neutralise("Budi") == "Budi"
    assert neutralise("-8.13") == "'-8.13"
    assert neutralise(None) == ""


def test_each_export_writes_one_audit_record_with_its_filters_and_count(reviewer_client, registry):
    response = reviewer_client.get(
        "/registry/export/people.csv", {"village": "35.07.13.2011", "rt": "1", "ignored": "x"}
    )
    rows = _csv_rows(response)

    record = AuditRecord.objects.get(action="registry.exported")
    assert record.actor_username == "reviewer"
    assert record.object_type == "registry.person"
    assert record.area_code == "35.07.13.2011"
    assert record.after == {
        "kind": "people",
        "format": "csv",
        "filters": {"village": "35.07.13.2011", "rt": "1"},
        "count": 3,
    }
    assert len(rows) == 3
    assert response["X-Export-Rows"] == "3"


def test_an_export_without_a_village_is_recorded_in_the_readers_area(reviewer_client, registry):
    _body(reviewer_client.get("/registry/export/households.xlsx"))

    record = AuditRecord.objects.get(action="registry.exported")
    assert record.area_code == KEPANJEN
    assert record.after["format"] == "xlsx"
    assert record.after["count"] == 1


def test_rows_added_after_the_export_was_asked_for_are_not_in_it(
    reviewer_client, reviewer_user, registry
):
    response = reviewer_client.get("/registry/export/households.csv")
    make_household(
        make_source(reviewer_user, "later"),
        HouseholdData(head=Member("Later Comer", "3507131708800077", "male"), kk=""),
    )

    rows = _csv_rows(response)

    assert [row["head_name"] for row in rows] == ["Budi Santoso"]
    assert AuditRecord.objects.get(action="registry.exported").after["count"] == 1


def test_the_filters_of_the_list_select_the_rows(reviewer_client, reviewer_user, registry):
    make_household(
        make_source(reviewer_user),
        HouseholdData(
            head=Member("Joko Widodo", "3507131708800011", "male"),
            kk="3507130101090011",
            rt="005",
            rw="002",
        ),
    )

    def heads(**query: str) -> list[str]:
        rows = _csv_rows(reviewer_client.get("/registry/export/households.csv", query))
        return sorted(row["head_name"] for row in rows)

    assert heads() == ["Budi Santoso", "Joko Widodo"]
    assert heads(rt="5") == ["Joko Widodo"]
    assert heads(rw="002", rt="001") == ["Budi Santoso"]
    assert heads(programme="pkh") == ["Budi Santoso"]
    assert heads(q="Djoko") == ["Joko Widodo"]  # spelling-tolerant
    assert heads(q="3507135205830002") == ["Budi Santoso"]  # a member's NIK
    assert heads(village="35.07.13.1010") == []


@pytest.mark.parametrize(
    ("role", "areas"),
    [
        (Role.FIELD_AGENT, ["35.07.13.2011"]),
        (Role.MONITOR, [None]),
        (Role.AUDITOR, ["35.07"]),
    ],
)
def test_field_agents_monitors_and_auditors_may_not_export(malang, registry, role, areas):
    user = make_user("someone", role, areas)
    pages, api = _client(user), _token_client(user)

    for url in PAGES:
        assert pages.get(url).status_code == 403, url
    for url in APIS:
        response = api.get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "not_allowed"
    assert not AuditRecord.objects.filter(action="registry.exported").exists()


@pytest.mark.parametrize(
    ("role", "areas"),
    [
        (Role.COORDINATOR, ["35.07.13"]),
        (Role.DISTRICT_STAFF, ["35.07"]),
        (Role.ADMINISTRATOR, ["35.07"]),
    ],
)
def test_coordinators_district_staff_and_administrators_export_their_area(
    malang, registry, role, areas
):
    user = make_user("someone", role, areas)

    rows = _csv_rows(_client(user).get("/registry/export/households.csv"))

    assert {row["head_name"] for row in rows} <= {"Budi Santoso", "Wati Pagelaran"}
    assert "Budi Santoso" in {row["head_name"] for row in rows}


def test_an_agent_who_also_reviews_elsewhere_exports_only_where_she_reviews(malang, registry):
    user = make_user("both", Role.FIELD_AGENT, ["35.07.13.2011"])
    make_user("both", Role.REVIEWER, [PAGELARAN])

    rows = _csv_rows(_client(user).get("/registry/export/households.csv"))

    assert [row["head_name"] for row in rows] == ["Wati Pagelaran"]


def test_signed_out_visitors_are_sent_to_sign_in_and_the_api_asks_for_a_token(client, registry):
    response = client.get("/registry/export/households.csv")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

    response = APIClient().get("/api/v1/registry/export/households.csv")
    assert response.status_code in (401, 403)
    assert Household.objects.count() == 2


def test_the_api_streams_the_same_export_with_a_token(reviewer_user, registry):
    api = _token_client(reviewer_user)

    response = api.get("/api/v1/registry/export/households.xlsx", HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert [row["head_name"] for row in _xlsx_rows(response)] == ["Budi Santoso"]
    csv_response = api.get("/api/v1/registry/export/people.csv", {"q": "Siti"})
    assert [row["name"] for row in _csv_rows(csv_response)] == ["Siti Aminah"]
    assert AuditRecord.objects.filter(action="registry.exported").count() == 2


def test_a_household_with_two_family_cards_lists_both_masked(
    reviewer_client, reviewer_user, registry
):
    Family.objects.create(kk_number="3507130101250009", household=registry["budi"])

    rows = _csv_rows(reviewer_client.get("/registry/export/households.csv"))

    assert rows[0]["kk_numbers"] == "350713••••••0001 350713••••••0009"


def test_the_registry_lists_link_their_selection_to_its_exports_for_who_may_export(
    reviewer_client, registry, malang
):
    households = reviewer_client.get("/registry/households/?village=35.07.13.2011").content
    assert b'href="/registry/export/households.csv?village=35.07.13.2011"' in households
    assert b'href="/registry/export/households.xlsx?village=35.07.13.2011"' in households
    assert b'href="/registry/export/people.csv"' in reviewer_client.get("/registry/people/").content

    agent = _client(make_user("agent_talangagung", Role.FIELD_AGENT, ["35.07.13.2011"]))
    assert b'id="export-links"' not in agent.get("/registry/households/").content
