"""The registry's API: households, people, conflicts, reveals, resolutions; by role and area."""

import json

import pytest
from rest_framework.test import APIClient

from accounts.api_tokens import issue_api_token
from audit.models import AuditRecord
from registry.models import Conflict
from tests.registry.page_data import BUDI_NIK, BUDI_PHONE, KK_BUDI, SITI_NIK
from tests.registry.page_fixtures import *  # noqa: F403 (data, readers, the clients)
from tests.registry.page_fixtures import api_client, assert_masked


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_the_household_list_is_scoped_searched_and_masked(data, readers):
    client = api_client(readers.kepanjen_reviewer)

    everything = client.get("/api/v1/households/")
    by_nik = client.get("/api/v1/households/", {"nik": SITI_NIK})
    by_kk = client.get("/api/v1/households/", {"kk": KK_BUDI})
    by_name = client.get("/api/v1/households/", {"q": "Boedi"})
    elsewhere = client.get("/api/v1/households/", {"village": "35.07.33.2001"})

    assert everything.status_code == 200
    assert everything.json()["count"] == 1 and everything.json()["count_is_exact"] is True
    assert _ids(everything) == _ids(by_nik) == _ids(by_kk) == _ids(by_name)
    assert _ids(everything) == [data.budi_household.pk]
    row = everything.json()["results"][0]
    assert row["head_nik"] == "350713••••••0001" and row["members_count"] == 3
    assert _ids(elsewhere) == []
    for response in (everything, by_nik, by_kk, by_name):
        assert_masked(response)


def test_a_household_detail_has_members_provenance_conflicts_and_history_masked(data, readers):
    response = api_client(readers.kepanjen_reviewer).get(
        f"/api/v1/households/{data.budi_household.pk}/"
    )

    assert response.status_code == 200
    body = response.json()
    assert [m["nik"] for m in body["members"]] == ["350713••••••0001", "350713••••••0002", ""]
    assert body["families"][0]["kk_number"] == "350713••••••0001"
    assert body["sources"][0]["source_label"] == "ppls_household:uuid:budi"
    assert [c["id"] for c in body["conflicts"]] == [data.budi_conflict.pk]
    assert body["history"][0]["field"] == "address"
    assert body["participations"][0]["programme"] == "pkh"
    assert body["photo_url"] is None
    assert_masked(response)


def test_another_areas_records_are_the_same_404_as_unknown_ones(data, readers):
    client = api_client(readers.kepanjen_reviewer)
    far = data.sari_household

    answers = [
        client.get(f"/api/v1/households/{far.pk}/"),
        client.get(f"/api/v1/households/{far.pk}/photo/"),
        client.get(f"/api/v1/people/{data.sari.pk}/"),
        client.post(f"/api/v1/households/{far.pk}/reveal/", {"reason": "a good reason"}),
        client.post(f"/api/v1/people/{data.sari.pk}/reveal/", {"reason": "a good reason"}),
        client.post(
            f"/api/v1/conflicts/{data.sari_conflict.pk}/resolve/",
            {"choice": "offered", "reason": "checked"},
        ),
    ]
    unknown = client.get("/api/v1/households/999999/")

    assert [a.status_code for a in answers] == [404] * 6
    assert answers[0].json() == unknown.json()
    for answer in answers:
        assert "Sari" not in answer.content.decode()
    assert _ids(client.get("/api/v1/people/", {"q": "Sari"})) == []
    assert _ids(client.get("/api/v1/conflicts/")) == [data.budi_conflict.pk]
    assert not AuditRecord.objects.filter(action="registry.revealed").exists()
    assert Conflict.objects.get(pk=data.sari_conflict.pk).state == Conflict.State.OPEN


def test_a_person_detail_carries_her_history(data, readers):
    response = api_client(readers.district).get(f"/api/v1/people/{data.budi.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["nik"] == "350713••••••0001" and body["phone"] == "+62812••••5678"
    fields = {entry["field"]: entry for entry in body["history"]}
    assert fields["nik"]["after"] == "350713••••••0001"
    assert fields["phone"]["after"] == "+62812••••5678"
    assert body["residences"][0]["household_id"] == data.budi_household.pk
    assert_masked(response)


def test_the_people_list_searches_by_nik_name_and_village(data, readers):
    client = api_client(readers.district)

    assert _ids(client.get("/api/v1/people/", {"nik": BUDI_NIK})) == [data.budi.pk]
    assert _ids(client.get("/api/v1/people/", {"q": "Wulandari"})) == [data.sari.pk]
    assert set(_ids(client.get("/api/v1/people/", {"village": "35.07.13.2011"}))) == {
        data.budi.pk,
        data.siti.pk,
        data.baby.pk,
    }
    assert_masked(client.get("/api/v1/people/"))


def test_a_reveal_needs_a_reason_and_returns_the_full_numbers_audited(data, readers):
    client = api_client(readers.kepanjen_reviewer)
    url = f"/api/v1/households/{data.budi_household.pk}/reveal/"

    refused = client.post(url, {"reason": ""})
    too_short = client.post(url, {"reason": "ok"})
    revealed = client.post(url, {"reason": "checking the family card"}, format="json")

    assert refused.status_code == 400 and too_short.status_code == 422
    assert revealed.status_code == 200 and revealed["Cache-Control"] == "no-store"
    body = revealed.json()
    assert body["kk_numbers"] == [KK_BUDI]
    assert {m["nik"] for m in body["members"]} == {BUDI_NIK, SITI_NIK, ""}
    assert BUDI_PHONE in {m["phone"] for m in body["members"]}
    record = AuditRecord.objects.get(action="registry.revealed")
    assert record.after["reason"] == "checking the family card"
    assert BUDI_NIK not in json.dumps(record.after)


def test_a_person_reveal(data, readers):
    response = api_client(readers.coordinator).post(
        f"/api/v1/people/{data.budi.pk}/reveal/", {"reason": "calling about PKH"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "person_id": data.budi.pk,
        "nik": BUDI_NIK,
        "kk_number": KK_BUDI,
        "phone": BUDI_PHONE,
    }


@pytest.mark.parametrize("who", ["agent", "monitor", "auditor"])
def test_field_agents_monitors_and_auditors_cannot_reveal(data, readers, who):
    user = getattr(readers, who)

    response = api_client(user).post(
        f"/api/v1/people/{data.budi.pk}/reveal/", {"reason": "I would like to see"}
    )

    assert response.status_code in (403, 404)
    assert response.status_code == (403 if who == "agent" else 404)
    assert_masked(response)
    assert not AuditRecord.objects.filter(action="registry.revealed").exists()


def test_a_reveal_is_never_a_query_parameter(data, readers):
    client = api_client(readers.kepanjen_reviewer)

    assert client.get(f"/api/v1/people/{data.budi.pk}/reveal/").status_code == 405
    assert_masked(client.get(f"/api/v1/people/{data.budi.pk}/", {"reveal": "1", "reason": "x"}))


def test_api_reads_from_outside_the_village_team_are_audited(data, readers):
    api_client(readers.kepanjen_reviewer).get(f"/api/v1/households/{data.budi_household.pk}/")
    api_client(readers.agent).get(f"/api/v1/households/{data.budi_household.pk}/")
    api_client(readers.district).get(f"/api/v1/people/{data.siti.pk}/")
    api_client(readers.district).get("/api/v1/people/")

    reads = AuditRecord.objects.filter(action="registry.read").order_by("pk")
    assert [(r.actor_username, r.object_id, r.after) for r in reads] == [
        ("rev-kepanjen", str(data.budi_household.pk), {"via": "api"}),
        ("district-malang", str(data.siti.pk), {"via": "api"}),
    ]


def test_a_reviewer_resolves_a_conflict_by_value_or_by_choice(data, readers):
    client = api_client(readers.kepanjen_reviewer)
    url = f"/api/v1/conflicts/{data.budi_conflict.pk}/resolve/"

    missing = client.post(url, {"reason": "checked"}, format="json")
    resolved = client.post(url, {"value": "1980-08-18", "reason": "KTP seen"}, format="json")
    again = client.post(url, {"choice": "held", "reason": "again"}, format="json")

    assert missing.status_code == 400
    assert resolved.status_code == 200
    assert resolved.json()["state"] == "resolved" and resolved.json()["chosen"] == "1980-08-18"
    assert again.status_code == 409
    assert _ids(client.get("/api/v1/conflicts/", {"state": "open"})) == []
    assert _ids(client.get("/api/v1/conflicts/", {"state": "resolved"})) == [data.budi_conflict.pk]


def test_a_coordinator_reads_conflicts_but_does_not_resolve_them(data, readers):
    client = api_client(readers.coordinator)

    listed = client.get("/api/v1/conflicts/", {"village": "35.07.13.2011"})
    refused = client.post(
        f"/api/v1/conflicts/{data.budi_conflict.pk}/resolve/",
        {"choice": "held", "reason": "I know him"},
    )

    assert _ids(listed) == [data.budi_conflict.pk]
    assert refused.status_code == 403


def test_the_api_takes_a_token(data, readers):
    token, _expires = issue_api_token(user=readers.kepanjen_reviewer)
    client = APIClient()

    anonymous = client.get("/api/v1/households/")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    signed = client.get("/api/v1/households/")

    assert anonymous.status_code == 401
    assert signed.status_code == 200 and _ids(signed) == [data.budi_household.pk]


def test_the_api_reads_a_fixed_number_of_queries(data, readers, django_assert_max_num_queries):
    client = api_client(readers.district)

    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/households/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/api/v1/households/{data.budi_household.pk}/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/api/v1/people/{data.budi.pk}/").status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/conflicts/").status_code == 200


def test_the_schema_describes_the_registry(reviewer_client):
    paths = reviewer_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    for path in (
        "/api/v1/households/",
        "/api/v1/households/{id}/",
        "/api/v1/households/{id}/reveal/",
        "/api/v1/people/",
        "/api/v1/people/{id}/",
        "/api/v1/people/{id}/reveal/",
        "/api/v1/conflicts/",
        "/api/v1/conflicts/{id}/resolve/",
    ):
        assert path in paths, path
    listing = {p["name"] for p in paths["/api/v1/households/"]["get"]["parameters"]}
    assert listing >= {"nik", "kk", "q", "village", "limit", "offset"}
    assert "409" in paths["/api/v1/conflicts/{id}/resolve/"]["post"]["responses"]


def test_a_person_detail_lists_her_family_within_the_readers_areas(data, readers):
    from tests.registry.page_data import FAMILY_SECRETS, add_family_elsewhere

    elsewhere = add_family_elsewhere(data)

    kepanjen = api_client(readers.kepanjen_reviewer).get(f"/api/v1/people/{data.budi.pk}/")
    district = api_client(readers.district).get(f"/api/v1/people/{data.budi.pk}/")

    body = kepanjen.json()
    assert body["kk_number"] == "350713••••••0001"
    members = {m["id"]: m for m in body["family_members"]}
    assert set(members) == {data.siti.pk, elsewhere.dewi.pk}
    assert members[data.siti.pk]["nik"] == "350713••••••0002"
    assert members[data.siti.pk]["relation"] == "spouse" and members[data.siti.pk]["same_household"]
    assert members[elsewhere.dewi.pk]["household_id"] == elsewhere.dewi.household_id
    assert body["family_members_outside"] == 1
    assert "Andi" not in kepanjen.content.decode()
    assert {m["id"] for m in district.json()["family_members"]} == {
        data.siti.pk,
        elsewhere.dewi.pk,
        elsewhere.andi.pk,
    }
    assert district.json()["family_members_outside"] == 0
    assert body["residences"][0]["rt"] == "3"
    for response in (kepanjen, district):
        assert_masked(response)
        assert_masked(response, FAMILY_SECRETS)


def test_too_many_reveals_in_an_hour_are_answered_429_with_retry_after(data, readers):
    from registry.reveal import REVEALS_PER_HOUR

    client = api_client(readers.district)
    url = f"/api/v1/households/{data.budi_household.pk}/reveal/"
    for _ in range(REVEALS_PER_HOUR):
        assert client.post(url, {"reason": "calling the households"}).status_code == 200

    refused = client.post(url, {"reason": "calling the households"})
    person = client.post(f"/api/v1/people/{data.budi.pk}/reveal/", {"reason": "one more call"})

    assert refused.status_code == person.status_code == 429
    assert refused.json()["code"] == "reveal_rate_limited"
    assert int(refused["Retry-After"]) > 3000
    assert_masked(refused)
    assert AuditRecord.objects.filter(action="registry.revealed").count() == REVEALS_PER_HOUR
