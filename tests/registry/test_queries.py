"""Who sees which households, people and conflicts; the search by NIK, KK, name, place and
programme; counts for monitors."""

import pytest

from registry.models import Participation
from registry.queries import (
    RecordNotFound,
    RegistryFilters,
    conflicts_for,
    get_household,
    get_person,
    households_for,
    people_for,
    registry_summary,
    search_households,
    search_people,
)
from tests.registry.page_data import (
    BUDI_NIK,
    KK_BUDI,
    SARI_NIK,
    SITI_NIK,
    build_registry,
    make_readers,
)


@pytest.fixture
def data(malang):
    return build_registry()


@pytest.fixture
def readers(malang):
    return make_readers()


def _search(user, **filters):
    return list(search_households(user, RegistryFilters(**filters)))


def test_a_kecamatan_reviewer_sees_her_kecamatan_only(data, readers):
    user = readers.kepanjen_reviewer

    assert list(households_for(user)) == [data.budi_household]
    assert set(people_for(user)) == {data.budi, data.siti, data.baby}
    assert list(conflicts_for(user)) == [data.budi_conflict]


def test_a_field_agent_sees_her_village_and_not_the_next_one(data, readers):
    assert list(households_for(readers.agent)) == [data.budi_household]
    assert list(households_for(readers.town_agent)) == []


def test_the_district_sees_every_kecamatan_of_the_regency(data, readers):
    assert set(households_for(readers.district)) == {data.budi_household, data.sari_household}


def test_monitors_and_auditors_see_no_one(data, readers):
    for user in (readers.monitor, readers.auditor):
        assert list(households_for(user)) == []
        assert list(people_for(user)) == []
        assert list(conflicts_for(user)) == []


def test_a_monitor_sees_the_counts_of_her_province(data, readers):
    summary = {
        row.area_code: (row.households, row.people) for row in registry_summary(readers.monitor)
    }

    assert summary == {"35.07.13": (1, 3), "35.07.33": (1, 1)}


def test_a_record_outside_ones_areas_is_not_found_like_an_unknown_one(data, readers):
    user = readers.kepanjen_reviewer

    assert get_household(user, data.budi_household.pk) == data.budi_household
    for pk in (data.sari_household.pk, 999999, "x", -1):
        with pytest.raises(RecordNotFound):
            get_household(user, pk)
    with pytest.raises(RecordNotFound):
        get_person(user, data.sari.pk)


def test_a_members_nik_finds_her_household(data, readers):
    user = readers.kepanjen_reviewer

    assert _search(user, nik=SITI_NIK) == [data.budi_household]
    assert _search(user, q=f"{SITI_NIK[:6]} {SITI_NIK[6:]}") == [data.budi_household]
    assert _search(user, nik="3507") == []


def test_an_nik_of_another_area_finds_nothing(data, readers):
    assert _search(readers.kepanjen_reviewer, nik=SARI_NIK) == []
    assert _search(readers.kepanjen_reviewer, q=SARI_NIK) == []


def test_a_kk_number_finds_the_household_and_its_people(data, readers):
    user = readers.kepanjen_reviewer

    assert _search(user, kk=KK_BUDI) == [data.budi_household]
    assert _search(user, q=KK_BUDI) == [data.budi_household]
    people = search_people(user, RegistryFilters(q=KK_BUDI))
    assert set(people) == {data.budi, data.siti}


@pytest.mark.parametrize("written", ["Budi", "budi santosa", "Boedi", "Santoso", "Bapak Budi"])
def test_a_name_is_found_in_its_spelling_variants(data, readers, written):
    assert _search(readers.kepanjen_reviewer, q=written) == [data.budi_household]


def test_a_one_word_name_finds_the_person(data, readers):
    people = list(search_people(readers.kepanjen_reviewer, RegistryFilters(q="Aminah")))

    assert people == [data.siti]


def test_a_name_of_another_area_finds_nothing(data, readers):
    assert _search(readers.kepanjen_reviewer, q="Sari Wulandari") == []
    assert _search(readers.district, q="Sari Wulandari") == [data.sari_household]


def test_village_rt_rw_and_programme_narrow_the_list(data, readers):
    user = readers.district

    assert _search(user, village="35.07.33.2001") == [data.sari_household]
    assert _search(user, village="35.07.13") == [data.budi_household]
    assert _search(user, rt="03", rw="2") == [data.budi_household]
    assert _search(user, rt="9") == []
    assert set(_search(user, programme="pkh")) == {data.budi_household, data.sari_household}
    Participation.objects.filter(household=data.sari_household).update(until="2026-02-01")
    assert _search(user, programme="pkh") == [data.budi_household]
    assert _search(user, programme="raskin") == []


def test_filters_are_read_from_a_query_string():
    filters = RegistryFilters.from_query({"q": [" Budi "], "nik": "3507 1317 0880 0001", "rt": "3"})

    assert filters.q == "Budi"
    assert filters.nik == BUDI_NIK
    assert filters.as_query() == {"q": "Budi", "nik": BUDI_NIK, "rt": "3"}
    assert filters.is_filtered
