"""The duplicates API: pairs listed, shown side by side masked, merged, dismissed and
undone, by the reviewers of both records' areas only."""

import pytest
from rest_framework.test import APIClient

from duplicates.finding import find_duplicates
from duplicates.models import DuplicatePair, PairKind
from registry.models import Person, RegistryChange, Source
from tests.duplicates.people import (
    KEPANJEN,
    PAGELARAN,
    PAGELARAN_VILLAGE,
    TALANGAGUNG,
    background,
    nik_of,
    person,
    registry_source,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SRI_NIK = nik_of(KEPANJEN, "1977-05-05", "female", 9)


@pytest.fixture
def pairs():
    """A pair within Kepanjen (one with an NIK and a phone), one across Kepanjen and
    Pagelaran."""
    source = registry_source(make_user("loader", "administrator", [None]))
    background(source)
    first = person(source, "Sri Wahyuni", "1977-05-05", nik=SRI_NIK, phone="+6281299998888")
    person(source, "Sri Wahyuni", "1977-05-05")
    person(source, "Kartosoewito", "1940-02-02", sex="male", phone="+6281311112222")
    person(
        source,
        "Kartosuwito",
        "1940-02-02",
        sex="male",
        village=PAGELARAN_VILLAGE,
        phone="+6281311112222",
    )
    find_duplicates(kind=PairKind.PERSON)
    within = DuplicatePair.objects.get(person_a=first)
    across = DuplicatePair.objects.exclude(pk=within.pk).get()
    return within, across


def _client(username: str, role: str, area: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(make_user(username, role, [area]))
    return client


@pytest.fixture
def kepanjen():
    return _client("rev-kepanjen", "reviewer", KEPANJEN)


def test_a_reviewer_lists_her_pairs_with_score_contributions_and_levels_masked(pairs, kepanjen):
    within, _across = pairs

    response = kepanjen.get("/api/v1/duplicates/", {"kind": "person", "village": TALANGAGUNG})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["count_is_exact"] is True
    row = body["results"][0]
    assert row["id"] == within.pk and row["state"] == "open"
    assert row["score"] == pytest.approx(within.match_weight)
    assert row["match_probability"] == pytest.approx(within.match_probability)
    assert row["contributions"]["birth_date"] > 0 and "prior" in row["contributions"]
    assert row["levels"]["birth_date"] == "exact"
    assert row["left_person"]["nik"] == SRI_NIK[:6] + "••••••" + SRI_NIK[-4:]
    assert row["left_person"]["phone"] == "+62812••••8888"
    text = response.content.decode()
    assert SRI_NIK not in text and "+6281299998888" not in text and "+6281311112222" not in text


def test_pairs_outside_both_areas_are_the_same_404_as_missing_ones_for_every_reader(pairs):
    within, across = pairs
    readers = {
        "kepanjen": _client("rev-kepanjen", "reviewer", KEPANJEN),
        "pagelaran": _client("rev-pagelaran", "reviewer", PAGELARAN),
        "district": _client("district", "district_staff", "35.07"),
        "agent": _client("agent", "field_agent", TALANGAGUNG),
    }
    missing = readers["kepanjen"].get("/api/v1/duplicates/999999/")
    assert missing.status_code == 404

    for name, client in readers.items():
        listed = client.get("/api/v1/duplicates/").json()["results"]
        visible = [within.pk] if name == "kepanjen" else []
        assert [row["id"] for row in listed] == visible, name
        refused = [
            client.get(f"/api/v1/duplicates/{across.pk}/"),
            client.post(f"/api/v1/duplicates/{across.pk}/merge/", {"keep": "left", "reason": "x"}),
            client.post(f"/api/v1/duplicates/{across.pk}/dismiss/", {"reason": "x"}),
            client.post(f"/api/v1/duplicates/{across.pk}/undo/", {"reason": "x"}),
        ]
        if name != "kepanjen":
            refused.append(client.get(f"/api/v1/duplicates/{within.pk}/"))
        for response in refused:
            assert response.status_code == 404, name
            assert response.json() == missing.json()
    assert DuplicatePair.objects.filter(state="open").count() == 2
    assert not Source.objects.filter(kind=Source.Kind.DUPLICATE_MERGE).exists()


def test_a_reviewer_merges_a_pair_undoes_it_and_a_decided_pair_is_a_409(pairs, kepanjen):
    within, _across = pairs
    url = f"/api/v1/duplicates/{within.pk}"

    merged = kepanjen.post(f"{url}/merge/", {"keep": "left", "reason": "Satu orang"})

    assert merged.status_code == 200
    assert merged.json()["state"] == "merged"
    assert merged.json()["right_person"]["merged_into"] == within.person_a_id
    assert Person.objects.get(pk=within.person_b_id).merged_into_id == within.person_a_id
    redirected = kepanjen.get(f"/api/v1/people/{within.person_b_id}/")
    assert redirected.status_code == 302
    assert kepanjen.get("/api/v1/duplicates/", {"state": "merged"}).json()["count"] == 1
    again = kepanjen.post(
        f"{url}/merge/", {"keep": "left", "reason": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 409 and again.json()["code"] == "pair_already_decided"
    assert "merged" in again.json()["detail"]

    undone = kepanjen.post(f"{url}/undo/", {"reason": "Keliru"})

    assert undone.status_code == 200 and undone.json()["state"] == "open"
    assert Person.objects.get(pk=within.person_b_id).merged_into_id is None
    dismissed = kepanjen.post(f"{url}/dismiss/", {"reason": "Berbeda"})
    assert dismissed.status_code == 200 and dismissed.json()["state"] == "dismissed"
    late = kepanjen.post(f"{url}/merge/", {"keep": "right", "reason": "x"})
    assert late.status_code == 409


def test_an_undo_blocked_by_a_newer_change_is_a_409_in_the_readers_language(pairs, kepanjen):
    within, _across = pairs
    kepanjen.post(f"/api/v1/duplicates/{within.pk}/merge/", {"keep": "left", "reason": "Satu"})
    later = registry_source(make_user("importer", "administrator", [None]))
    RegistryChange.objects.create(
        source=later,
        person_id=within.person_a_id,
        field="phone",
        before="",
        after="+6281200000000",
        at=later.approved_at,
    )

    english = kepanjen.post(
        f"/api/v1/duplicates/{within.pk}/undo/", {"reason": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    indonesian = kepanjen.post(
        f"/api/v1/duplicates/{within.pk}/undo/", {"reason": "x"}, HTTP_ACCEPT_LANGUAGE="id"
    )

    assert english.status_code == indonesian.status_code == 409
    assert english.json()["code"] == "unmerge_blocked"
    assert english.json()["detail"].startswith("This merge cannot be undone")
    assert indonesian.json()["detail"] != english.json()["detail"]
    assert DuplicatePair.objects.get(pk=within.pk).state == "merged"


def test_a_merge_without_a_reason_or_keep_is_refused_with_field_errors(pairs, kepanjen):
    within, _across = pairs

    response = kepanjen.post(f"/api/v1/duplicates/{within.pk}/merge/", {"keep": "both"})

    assert response.status_code == 400
    assert set(response.json()["field_errors"]) == {"keep", "reason"}
    assert DuplicatePair.objects.get(pk=within.pk).state == "open"
