"""Merging duplicates in the registry: two people (or households) recorded twice become one,
both histories kept, the old id redirected, and the merge undone exactly."""

import datetime
from dataclasses import replace

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from audit.models import AuditRecord
from registry.conflicts import resolve_conflict
from registry.errors import RecordAlreadyMerged, UnmergeBlocked
from registry.household_merge import merge_households
from registry.merge_moves import unmerge
from registry.models import (
    Application,
    Assessment,
    Conflict,
    Family,
    Participation,
    Person,
    RegistryChange,
    Residence,
    Source,
)
from registry.models import Household as RegistryHousehold
from registry.person_merge import merge_people
from tests.registry.page_data import (
    BUDI_NIK,
    KEPANJEN_TOWN,
    SECRETS,
    TALANGAGUNG,
    build_registry,
    make_household,
    make_person,
    make_readers,
    make_source,
)
from tests.registry.page_fixtures import api_client, assert_masked, page_client
from tests.registry.registry_data import FOUR, household_of, merge_household
from tests.review.checking_setup import *  # noqa: F403 (ppls, agent, reviewer)

pytestmark = pytest.mark.django_db

TABLES = (Person, RegistryHousehold, Family, Residence, Participation, Application, Assessment)


def snapshot() -> dict[str, list[dict]]:
    """Every row of the registry tables a merge touches, as dicts, without updated_at."""
    rows: dict[str, list[dict]] = {}
    for model in (*TABLES, RegistryChange, Conflict):
        rows[model.__name__] = [
            {k: v for k, v in model_to_dict(row).items() if k not in ("updated_at", "location")}
            for row in model.objects.order_by("pk")
        ]
    return rows


@pytest.fixture
def registry(malang):
    return build_registry()


@pytest.fixture
def duplicate(registry):
    """Budi again, written as "Boedi Santoso" by a later survey in Kepanjen town: no NIK,
    another household and family card, a phone of his own, an application, an
    assessment, a programme and an open conflict."""
    source = make_source(registry.approver, "ppls_household:uuid:boedi", days_ago=5)
    home = make_household(source, KEPANJEN_TOWN, address="Jl. Pasar 3")
    family = Family.objects.create(kk_number="3507130101090077", household=home)
    boedi = make_person(
        home, source, "Boedi Santoso", nik=None, born="1980-08-17", phone="", family=family
    )
    home.head = boedi
    home.save(update_fields=["head"])
    for label, make in (
        ("registration:1", "application"),
        ("assessment:1", "assessment"),
    ):
        own = make_source(registry.approver, label, days_ago=4)
        if make == "application":
            Application.objects.create(
                person=boedi, programme="bpjs_pbi", source=own, applied_at=own.approved_at
            )
        else:
            Assessment.objects.create(
                person=boedi, household=home, source=own, assessed_at=own.approved_at
            )
    Participation.objects.create(
        household=home,
        person=boedi,
        programme="kip",
        source=source,
        since=datetime.date(2026, 2, 1),
    )
    Conflict.objects.create(
        person=boedi,
        field="sex",
        held="male",
        offered="female",
        held_source=source,
        source=source,
        village=home.village,
        kecamatan_code=home.kecamatan_code,
    )
    return boedi


def test_the_merged_persons_history_stays_and_residences_and_applications_are_the_kept_ones(
    registry, duplicate
):
    budi = registry.budi
    stays = set(Residence.objects.filter(person=duplicate).values_list("pk", flat=True))
    changes = set(RegistryChange.objects.filter(person=duplicate).values_list("pk", flat=True))

    source = merge_people(kept=budi, merged=duplicate, reviewer=registry.approver, reason="Sama")

    assert source.kind == Source.Kind.DUPLICATE_MERGE
    duplicate.refresh_from_db()
    budi.refresh_from_db()
    assert duplicate.merged_into == budi
    assert duplicate.household is None and duplicate.family is None
    assert set(Residence.objects.filter(person=budi).values_list("pk", flat=True)) >= stays
    assert Residence.objects.filter(person=budi, until__isnull=True).count() == 1
    assert not Residence.objects.filter(person=duplicate).exists()
    assert set(budi.changes.values_list("pk", flat=True)) >= changes
    assert Application.objects.get().person == budi
    assert Assessment.objects.get().person == budi
    assert Participation.objects.get(programme="kip").person == budi
    moved = Conflict.objects.exclude(person=registry.sari).get(field="sex")
    assert moved.person == budi  # his open conflict moved with him
    # The household he headed as "Boedi" has no head: he lives in Budi's.
    headless = RegistryChange.objects.get(source=source, field="head")
    assert (headless.before, headless.after) == (duplicate.pk, None)
    assert RegistryHousehold.objects.get(pk=headless.household_id).head is None
    assert budi.household == registry.budi_household and budi.nik == BUDI_NIK
    record = AuditRecord.objects.get(action="registry.people_merged")
    assert record.object_id == str(source.pk) and record.after["merged_id"] == duplicate.pk


def test_identity_values_that_disagree_become_conflicts_and_missing_ones_are_taken(
    registry, duplicate
):
    # Keep the NIK-less duplicate: he takes Budi's NIK, phone; the rest disagrees.
    budi = registry.budi
    duplicate_household = duplicate.household_id

    source = merge_people(kept=duplicate, merged=budi, reviewer=registry.approver, reason="Sama")

    duplicate.refresh_from_db()
    budi.refresh_from_db()
    assert duplicate.nik == BUDI_NIK and budi.nik is None  # moved: NIK is unique
    assert duplicate.phone == registry.budi.phone
    opened = {c.field: c for c in Conflict.objects.filter(source=source)}
    assert set(opened) == {"family", "household"}  # names alike, same sex and birth date
    assert opened["family"].held == "3507130101090077"
    assert opened["family"].offered == "3507130101090001"
    assert opened["household"].held == duplicate_household
    assert opened["household"].offered == registry.budi_household.pk
    assert all(c.person == duplicate and c.state == Conflict.State.OPEN for c in opened.values())
    taken = RegistryChange.objects.get(source=source, field="nik")
    assert (taken.person, taken.before, taken.after) == (duplicate, None, BUDI_NIK)
    assert RegistryChange.objects.get(pk=taken.pk)  # provenance of the value taken


def test_a_merged_person_cannot_be_merged_again(registry, duplicate):
    merge_people(kept=registry.budi, merged=duplicate, reviewer=registry.approver, reason="x")

    with pytest.raises(RecordAlreadyMerged):
        merge_people(kept=registry.siti, merged=duplicate, reviewer=registry.approver, reason="x")


def test_undoing_a_merge_restores_both_people_exactly_row_by_row(registry, duplicate):
    before = snapshot()
    source = merge_people(
        kept=duplicate, merged=registry.budi, reviewer=registry.approver, reason="x"
    )
    assert snapshot() != before

    unmerge(source=source, reviewer=registry.approver, reason="Bukan orang yang sama")

    assert snapshot() == before
    source.refresh_from_db()
    assert source.summary["undone_at"]
    record = AuditRecord.objects.get(action="registry.unmerged")
    assert record.object_id == str(source.pk) and record.after["state"] == "undone"


def test_an_undo_is_refused_once_a_newer_change_depends_on_the_merge(registry, duplicate):
    source = merge_people(
        kept=duplicate, merged=registry.budi, reviewer=registry.approver, reason="x"
    )
    conflict = Conflict.objects.get(source=source, field="family")
    resolve_conflict(
        user=registry.approver, conflict_id=conflict.pk, value=conflict.offered, reason="KK baru"
    )
    after = snapshot()

    with pytest.raises(UnmergeBlocked) as refused:
        unmerge(source=source, reviewer=registry.approver, reason="x")

    assert refused.value.http_status == 409
    assert snapshot() == after
    assert not AuditRecord.objects.filter(action="registry.unmerged").exists()


def test_an_undo_is_refused_after_a_newer_sources_change_of_the_kept_person(registry, duplicate):
    source = merge_people(
        kept=registry.budi, merged=duplicate, reviewer=registry.approver, reason="x"
    )
    later = make_source(registry.approver, "ppls_household:uuid:later", days_ago=0)
    RegistryChange.objects.create(
        source=later,
        person=registry.budi,
        field="phone",
        before="",
        after="+62811",
        at=timezone.now(),
    )

    with pytest.raises(UnmergeBlocked):
        unmerge(source=source, reviewer=registry.approver, reason="x")


def test_a_merged_persons_page_and_api_redirect_to_the_kept_one_within_the_readers_areas(
    registry, duplicate
):
    readers = make_readers()
    merge_people(kept=registry.budi, merged=duplicate, reviewer=registry.approver, reason="x")
    # Sari of Pagelaran merged into Budi of Kepanjen: her reviewer may not learn of him.
    merge_people(kept=registry.budi, merged=registry.sari, reviewer=registry.approver, reason="x")

    page = page_client(readers.kepanjen_reviewer).get(
        f"/registry/people/{duplicate.pk}/?as_of=2026-12-01"
    )
    api = api_client(readers.kepanjen_reviewer).get(f"/api/v1/people/{duplicate.pk}/")
    listed = api_client(readers.kepanjen_reviewer).get("/api/v1/people/")
    far_page = page_client(readers.pagelaran_reviewer).get(f"/registry/people/{registry.sari.pk}/")
    far_api = api_client(readers.pagelaran_reviewer).get(f"/api/v1/people/{registry.sari.pk}/")
    outsider = api_client(readers.pagelaran_reviewer).get(f"/api/v1/people/{duplicate.pk}/")

    assert page.status_code == 302
    assert page["Location"] == f"/registry/people/{registry.budi.pk}/?as_of=2026-12-01"
    assert api.status_code == 302 and api["Location"] == f"/api/v1/people/{registry.budi.pk}/"
    assert api.json()["code"] == "record_merged" and api.json()["merged_into"] == registry.budi.pk
    assert duplicate.pk not in [row["id"] for row in listed.json()["results"]]
    assert far_page.status_code == 404 and far_api.status_code == 404
    assert outsider.status_code == 404
    assert far_api.json() == outsider.json()  # the same as a record she never could see
    for response in (page, api, far_api):
        assert_masked(response, SECRETS)


def test_a_merged_households_page_and_api_redirect_and_its_undo_restores_it_exactly(registry):
    readers = make_readers()
    home = registry.budi_household
    source_row = make_source(registry.approver, "ppls_household:uuid:budi-again", days_ago=3)
    again = make_household(source_row, TALANGAGUNG, address="", rt="", rw="")
    Family.objects.create(kk_number="3507130101090099", household=again)
    putra = make_person(again, source_row, "Putra Santoso", nik=None, born="2010-01-01")
    again.head = putra
    again.save(update_fields=["head"])
    Participation.objects.create(
        household=again, programme="bpnt", source=source_row, since=datetime.date(2026, 3, 1)
    )
    before = snapshot()

    source = merge_households(kept=home, merged=again, reviewer=registry.approver, reason="x")

    again.refresh_from_db()
    putra.refresh_from_db()
    assert again.merged_into == home and again.head is None
    assert putra.household == home
    assert Residence.objects.get(person=putra).household == home
    assert set(home.families.values_list("kk_number", flat=True)) == {
        "3507130101090001",
        "3507130101090099",
    }
    assert Participation.objects.get(programme="bpnt").household == home
    head = Conflict.objects.get(source=source)
    assert (head.field, head.held, head.offered) == ("head", registry.budi.pk, putra.pk)
    client = page_client(readers.kepanjen_reviewer)
    page = client.get(f"/registry/households/{again.pk}/")
    api = api_client(readers.kepanjen_reviewer).get(f"/api/v1/households/{again.pk}/")
    assert page.status_code == 302 and page["Location"] == f"/registry/households/{home.pk}/"
    assert api.status_code == 302 and api.json()["merged_into"] == home.pk
    assert AuditRecord.objects.filter(action="registry.households_merged").count() == 1

    unmerge(source=source, reviewer=registry.approver, reason="x")

    assert snapshot() == before


def test_a_later_submission_with_the_merged_persons_nik_merges_into_the_kept_one(
    agent, reviewer, settings
):
    first = merge_household(agent, reviewer, FOUR, settings)
    home = household_of(first)
    budi = Person.objects.get(nik=BUDI_NIK)
    other = make_source(reviewer, "ektp:row:7")
    # The same man from the e-KTP extract, his NIK typed with a digit wrong, no household.
    kept = Person.objects.create(
        nik="3507131708800011",
        name="Budi Santoso",
        name_key=budi.name_key,
        sex="male",
        birth_date=budi.birth_date,
        village_id=TALANGAGUNG,
        kecamatan_code="35.07.13",
        created_by_source=other,
    )
    merge_people(kept=kept, merged=budi, reviewer=reviewer, reason="NIK salah ketik")
    people = Person.objects.count()

    again = merge_household(agent, reviewer, replace(FOUR, instance="registry-budi-2027"), settings)

    assert Person.objects.count() == people  # nobody new: Budi is the kept person
    assert again.summary["people_created"] == 0
    assert household_of(again) == home
    kept.refresh_from_db()
    assert kept.household == home and home.members.filter(pk=kept.pk).exists()
    assert not Person.objects.filter(pk=budi.pk, household__isnull=False).exists()
    # His NIK on the merged row stays in conflict once, not twice.
    assert Conflict.objects.filter(person=kept, field="nik", state="open").count() == 1


def test_a_search_by_the_merged_persons_own_nik_finds_the_kept_one(registry):
    from registry.queries import RegistryFilters, search_households, search_people

    readers = make_readers()
    source = make_source(registry.approver, "ppls_household:uuid:budi-second-nik", days_ago=5)
    home = make_household(source, KEPANJEN_TOWN, address="Jl. Pasar 3")
    second = make_person(home, source, "Budi Santoso", nik="3507131708800099", born="1980-08-17")
    merge_people(kept=registry.budi, merged=second, reviewer=registry.approver, reason="Sama")
    second.refresh_from_db()
    assert second.nik == "3507131708800099"  # the kept one has his own: a conflict, not moved

    reader = readers.kepanjen_reviewer
    for filters in (RegistryFilters(nik=second.nik), RegistryFilters(q=second.nik)):
        assert list(search_people(reader, filters)) == [registry.budi]
        assert list(search_households(reader, filters)) == [registry.budi_household]
    # Outside her areas: nothing, as before.
    assert list(search_people(readers.pagelaran_reviewer, RegistryFilters(nik=second.nik))) == []
