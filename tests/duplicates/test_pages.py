"""The reviewer's pages of duplicate pairs: the list, a pair side by side (masked, each
field's part of the score in words), merge, dismiss and undo by POST with a reason; for
the reviewers of both records' areas only, everyone else a 403 or the same 404 as no pair.
"""

import pytest
from django.test import Client

from audit.models import AuditRecord
from duplicates.finding import find_duplicates
from duplicates.models import DedupRun, DuplicatePair, PairKind
from registry.conflicts import resolve_conflict
from registry.models import Conflict, Person
from tests.duplicates.people import (
    KEPANJEN,
    PAGELARAN_VILLAGE,
    TALANGAGUNG,
    background,
    household,
    nik_of,
    person,
    registry_source,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SITI_NIK = nik_of(KEPANJEN, "1988-04-17", "female", 3)  # 3507135704880003
SWAPPED_NIK = SITI_NIK[:8] + SITI_NIK[9] + SITI_NIK[8] + SITI_NIK[10:]  # month 04 → 40
PHONE = "+6281299998888"
SECRETS = (SITI_NIK, SWAPPED_NIK, PHONE, "+6281311112222")


@pytest.fixture
def pairs():
    """Siti's pair in Talangagung (Kepanjen: her NIK with two digits swapped), a pair across
    Kepanjen and Pagelaran, and a household entered twice in Talangagung."""
    source = registry_source(make_user("loader", "administrator", [None]))
    background(source)
    siti = person(source, "Siti Nurhaliza", "1988-04-17", nik=SITI_NIK, phone=PHONE)
    person(source, "Siti Nur Haliza", "1988-04-17", nik=SWAPPED_NIK)
    person(source, "Kartosoewito", "1940-02-02", sex="male", phone="+6281311112222")
    person(
        source,
        "Kartosuwito",
        "1940-02-02",
        sex="male",
        village=PAGELARAN_VILLAGE,
        phone="+6281311112222",
    )
    homes = household(source), household(source)
    for home, head in zip(homes, ("Budi Santoso", "Budi Santosa"), strict=True):
        person(source, head, "1980-08-17", sex="male", home=home)
        person(source, "Ani Rahmawati", "2009-03-01", home=home)
    find_duplicates(kind=PairKind.PERSON)
    find_duplicates(kind=PairKind.HOUSEHOLD)
    within = DuplicatePair.objects.get(person_a=siti)
    across = DuplicatePair.objects.get(person_b__village_id=PAGELARAN_VILLAGE)
    homes_pair = DuplicatePair.objects.get(kind=PairKind.HOUSEHOLD)
    return within, across, homes_pair


def _client(user, language: str = "en", **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def reviewer():
    return make_user("rev-kepanjen", "reviewer", [KEPANJEN])


@pytest.fixture
def kepanjen(reviewer) -> Client:
    return _client(reviewer)


def _body(response) -> str:
    return response.content.decode()


def _assert_masked(response) -> None:
    body = _body(response)
    for secret in SECRETS:
        assert secret not in body, f"{secret} shown in full"


# --- the list ---------------------------------------------------------------------------


def test_the_list_shows_a_reviewers_open_pairs_most_likely_first_without_other_areas(
    pairs, kepanjen, django_assert_max_num_queries
):
    within, across, homes = pairs

    with django_assert_max_num_queries(12):
        response = kepanjen.get("/duplicates/")

    assert response.status_code == 200
    body = _body(response)
    assert f'id="pair-{within.pk}"' in body and f'id="pair-{homes.pk}"' in body
    assert f'id="pair-{across.pk}"' not in body and "Kartosuwito" not in body
    assert "Siti Nurhaliza" in body and "Siti Nur Haliza" in body
    assert body.index(f'id="pair-{within.pk}"') < body.index(f'id="pair-{homes.pk}"')
    assert 'id="pairs-total"' in body and "4 pairs" in body  # Siti, Budi, Ani, their homes
    _assert_masked(response)


def test_the_list_filters_by_kind_state_and_village(pairs, kepanjen):
    within, _across, homes = pairs

    people = _body(kepanjen.get("/duplicates/?kind=person"))
    households = _body(kepanjen.get("/duplicates/?kind=household"))
    dismissed = _body(kepanjen.get("/duplicates/?state=dismissed"))
    elsewhere = _body(kepanjen.get("/duplicates/?village=35.07.13.1010"))
    here = _body(kepanjen.get(f"/duplicates/?village={TALANGAGUNG}&kind=person"))

    assert f'id="pair-{within.pk}"' in people and f'id="pair-{homes.pk}"' not in people
    assert f'id="pair-{homes.pk}"' in households and f'id="pair-{within.pk}"' not in households
    assert "No pair to review here." in dismissed and "No pair to review here." in elsewhere
    assert f'id="pair-{within.pk}"' in here
    assert f'<option value="{TALANGAGUNG}" selected>' in here


def test_an_unknown_kind_or_state_is_refused_in_words(pairs, kepanjen):
    response = kepanjen.get("/duplicates/?kind=cats")

    assert response.status_code == 422
    assert "is no kind of duplicate" in _body(response)
    assert kepanjen.get("/duplicates/?state=lost").status_code == 422


def test_the_list_pages_through_many_pairs(pairs, kepanjen):
    within, _across, _homes = pairs
    source = registry_source(make_user("loader-2", "administrator", [None]))
    run = DedupRun.objects.get(pk=within.last_run_id)
    for index in range(50):
        born = f"19{40 + index}-01-01"
        first, second = (person(source, f"Warga {index}", born) for _ in range(2))
        DuplicatePair.objects.create(
            kind=PairKind.PERSON,
            person_a=first,
            person_b=second,
            match_probability=0.9 - index / 1000,
            match_weight=3.0,
            contributions={"prior": -24.0, "levels": {}},
            blocking_rule="village_birth_date",
            model_version="test",
            last_run=run,
        )

    first = _body(kepanjen.get("/duplicates/?kind=person"))
    second = _body(kepanjen.get("/duplicates/?kind=person&page=2"))

    assert (
        "53 pairs" in first
        and 'rel="next"' in first
        and "kind=person&amp;state=open&amp;page=2" in first
    )
    assert f'id="pair-{within.pk}"' in first  # the most likely first
    assert "Warga 49" in second and 'rel="prev"' in second


# --- a pair -----------------------------------------------------------------------------


def test_a_pair_shows_both_records_masked_with_each_fields_part_in_words(pairs, kepanjen):
    within, _across, _homes = pairs
    left, right = within.person_a, within.person_b

    response = kepanjen.get(f"/duplicates/{within.pk}/")

    assert response.status_code == 200
    body = _body(response)
    name = body.split('id="field-name"')[1].split("</tr>")[0]
    assert "Siti Nurhaliza" in name and "Siti Nur Haliza" in name
    assert "alike: the same letters" in name and 'class="weight plus">+' in name
    nik = body.split('id="field-nik"')[1].split("</tr>")[0]
    assert "two digits swapped" in nik and SITI_NIK[:6] + "••••••" in nik
    born = body.split('id="field-birth_date"')[1].split("</tr>")[0]
    assert "the same" in born and 'class="weight plus">+' in born
    prior = body.split('id="field-prior"')[1].split("</tr>")[0]
    assert 'class="weight minus">−' in prior
    assert f'href="/registry/people/{left.pk}/"' in body
    assert f'href="/registry/people/{right.pk}/"' in body
    assert "+62812••••8888" in body
    assert 'id="merge"' in body and 'id="dismiss"' in body and "csrfmiddlewaretoken" in body
    preview = body.split('id="preview-conflicts"')[1].split("</li>")[0]
    assert "NIK" in preview and "Name" in preview  # what the merge opens (below)
    _assert_masked(response)


def test_opening_a_pair_records_the_read_of_both_records(pairs, kepanjen):
    within, _across, _homes = pairs

    kepanjen.get(f"/duplicates/{within.pk}/")

    read = set(
        AuditRecord.objects.filter(action="registry.read").values_list("object_id", flat=True)
    )
    assert {str(within.person_a_id), str(within.person_b_id)} <= read


def test_a_household_pair_shows_the_members_found_alike(pairs, kepanjen):
    _within, _across, homes = pairs

    response = kepanjen.get(f"/duplicates/{homes.pk}/")

    assert response.status_code == 200
    body = _body(response)
    assert 'id="members-matched"' in body and "Ani Rahmawati" in body
    assert f'href="/registry/households/{homes.household_a_id}/"' in body
    assert "Head of household" in body


def test_the_pair_page_speaks_indonesian_by_default(pairs, reviewer):
    within, _across, _homes = pairs
    client = Client()
    client.force_login(reviewer)

    body = _body(client.get(f"/duplicates/{within.pk}/"))

    assert "Orang yang sama?" in body and "dua angka tertukar" in body


# --- who may see what ------------------------------------------------------------------


def test_a_pair_of_another_area_is_the_same_404_as_no_pair_on_every_path(pairs, kepanjen):
    _within, across, _homes = pairs
    unknown = kepanjen.get("/duplicates/999999/")

    for path in ("", "merge/", "dismiss/", "undo/"):
        if path:
            response = kepanjen.post(
                f"/duplicates/{across.pk}/{path}", {"keep": "left", "reason": "x"}
            )
        else:
            response = kepanjen.get(f"/duplicates/{across.pk}/")
        assert response.status_code == unknown.status_code == 404, path
        assert "Kartos" not in _body(response)
    across.refresh_from_db()
    assert across.state == DuplicatePair.State.OPEN
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_a_district_reviewer_sees_the_pair_across_kecamatans(pairs):
    _within, across, _homes = pairs
    district = _client(make_user("admin-malang", "administrator", ["35.07"]))

    assert district.get(f"/duplicates/{across.pk}/").status_code == 200
    assert f'id="pair-{across.pk}"' in _body(district.get("/duplicates/"))


@pytest.mark.parametrize(
    ("role", "area"),
    [("field_agent", TALANGAGUNG), ("monitor", "35"), ("auditor", "35.07")],
)
def test_field_agents_monitors_and_auditors_may_not_open_the_pairs(pairs, role, area):
    within, _across, _homes = pairs
    client = _client(make_user(f"u-{role}", role, [area]))

    assert client.get("/duplicates/").status_code == 403
    assert client.get(f"/duplicates/{within.pk}/").status_code == 403
    for path in ("merge/", "dismiss/", "undo/"):
        response = client.post(f"/duplicates/{within.pk}/{path}", {"keep": "left", "reason": "x"})
        assert response.status_code == 403
    within.refresh_from_db()
    assert within.state == DuplicatePair.State.OPEN
    assert "/duplicates/" not in _body(client.get("/"))


def test_the_navigation_offers_the_pairs_to_reviewers(pairs, kepanjen):
    assert 'href="/duplicates/"' in _body(kepanjen.get("/"))


def test_a_stranger_is_sent_to_sign_in(pairs):
    within, _across, _homes = pairs

    response = Client().get(f"/duplicates/{within.pk}/")

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_decision_needs_a_post_with_the_csrf_token(pairs, reviewer):
    within, _across, _homes = pairs
    client = _client(reviewer, enforce_csrf_checks=True)

    assert client.get(f"/duplicates/{within.pk}/merge/").status_code == 405
    response = client.post(f"/duplicates/{within.pk}/merge/", {"keep": "left", "reason": "x"})

    assert response.status_code == 403
    within.refresh_from_db()
    assert within.state == DuplicatePair.State.OPEN


# --- decisions --------------------------------------------------------------------------


def test_a_reviewer_merges_a_pair_keeping_the_record_she_chose(pairs, kepanjen):
    within, _across, _homes = pairs

    response = kepanjen.post(
        f"/duplicates/{within.pk}/merge/", {"keep": "right", "reason": "one KTP at the visit"}
    )

    assert response.status_code == 302 and response["Location"] == f"/duplicates/{within.pk}/"
    within.refresh_from_db()
    assert within.state == DuplicatePair.State.MERGED and within.reason == "one KTP at the visit"
    assert Person.objects.get(pk=within.person_a_id).merged_into_id == within.person_b_id
    opened = Conflict.objects.filter(person_id=within.person_b_id, state=Conflict.State.OPEN)
    assert set(opened.values_list("field", flat=True)) == {"nik", "name"}  # as the page said
    assert AuditRecord.objects.filter(action="duplicates.merged", object_id=str(within.pk))
    page = kepanjen.get(response["Location"])
    body = _body(page)
    assert "The two records are merged." in body
    assert 'id="undo"' in body and 'id="merge"' not in body and "kept" in body
    _assert_masked(page)


def test_a_merge_without_a_reason_or_a_choice_is_refused_on_the_pair_page(pairs, kepanjen):
    within, _across, _homes = pairs

    no_reason = kepanjen.post(f"/duplicates/{within.pk}/merge/", {"keep": "left"})
    no_choice = kepanjen.post(f"/duplicates/{within.pk}/merge/", {"reason": "same person"})

    assert no_reason.status_code == no_choice.status_code == 422
    assert "Say why these two records are the same" in _body(no_reason)
    assert "Choose which record to keep" in _body(no_choice)
    assert 'value="same person"' in _body(no_choice)  # what she typed stays
    within.refresh_from_db()
    assert within.state == DuplicatePair.State.OPEN


def test_merging_twice_is_a_409_in_words_and_merges_once(pairs, kepanjen):
    within, _across, _homes = pairs
    data = {"keep": "left", "reason": "same person"}

    first = kepanjen.post(f"/duplicates/{within.pk}/merge/", data)
    second = kepanjen.post(f"/duplicates/{within.pk}/merge/", data)

    assert first.status_code == 302 and second.status_code == 409
    assert "already decided" in _body(second) and 'id="pair-error"' in _body(second)
    assert AuditRecord.objects.filter(action="duplicates.merged").count() == 1
    _assert_masked(second)


def test_a_reviewer_dismisses_a_pair_for_good(pairs, kepanjen):
    within, _across, _homes = pairs

    response = kepanjen.post(f"/duplicates/{within.pk}/dismiss/", {"reason": "twins"})
    shown = _body(kepanjen.get(response["Location"]))
    again = kepanjen.post(f"/duplicates/{within.pk}/dismiss/", {"reason": "twins"})
    empty = kepanjen.post(f"/duplicates/{within.pk}/dismiss/", {"reason": " "})

    assert response.status_code == 302
    within.refresh_from_db()
    assert within.state == DuplicatePair.State.DISMISSED and within.reason == "twins"
    assert again.status_code == 409 and "cannot be dismissed now" in _body(again)
    assert empty.status_code == 422
    assert AuditRecord.objects.filter(action="duplicates.dismissed").count() == 1
    assert "The pair is dismissed" in shown and "“twins”" in shown and 'id="merge"' not in shown
    assert f'id="pair-{within.pk}"' in _body(kepanjen.get("/duplicates/?state=dismissed"))


def test_a_reviewer_undoes_a_merge_and_the_pair_is_open_again(pairs, kepanjen):
    within, _across, _homes = pairs
    kepanjen.post(f"/duplicates/{within.pk}/merge/", {"keep": "left", "reason": "same"})

    no_reason = kepanjen.post(f"/duplicates/{within.pk}/undo/", {"reason": ""})
    response = kepanjen.post(f"/duplicates/{within.pk}/undo/", {"reason": "they are twins"})
    shown = _body(kepanjen.get(response["Location"]))
    again = kepanjen.post(f"/duplicates/{within.pk}/undo/", {"reason": "they are twins"})

    assert no_reason.status_code == 422 and "Say why this merge is undone" in _body(no_reason)
    assert response.status_code == 302
    within.refresh_from_db()
    assert within.state == DuplicatePair.State.OPEN
    assert not Person.objects.filter(merged_into__isnull=False).exists()
    assert again.status_code == 409 and "no merge to undo" in _body(again)
    assert "The merge is undone" in shown and 'id="merge"' in shown


def test_an_undo_blocked_by_a_newer_change_is_a_409_that_names_nothing_of_it(
    pairs, kepanjen, reviewer
):
    within, _across, _homes = pairs
    kepanjen.post(f"/duplicates/{within.pk}/merge/", {"keep": "left", "reason": "same"})
    conflict = Conflict.objects.get(person_id=within.person_a_id, field="nik")
    resolve_conflict(user=reviewer, conflict_id=conflict.pk, value=conflict.held, reason="KTP seen")

    response = kepanjen.post(f"/duplicates/{within.pk}/undo/", {"reason": "twins"})

    assert response.status_code == 409
    body = _body(response)
    assert "cannot be undone" in body and "KTP seen" not in body
    within.refresh_from_db()
    assert within.state == DuplicatePair.State.MERGED
    _assert_masked(response)
