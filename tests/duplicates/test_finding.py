"""Duplicate people and households found with Splink: the pairs that must match, the ones that
must not, and what a run stores of each."""

import math

import pytest

from audit.models import AuditRecord
from duplicates.finding import find_duplicates
from duplicates.models import DedupRun, DuplicatePair, PairKind
from tests.duplicates.people import (
    KEPANJEN,
    KEPANJEN_TOWN,
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


@pytest.fixture
def source():
    return registry_source(make_user("loader", "administrator", [None]))


def _pair_of(first, second) -> DuplicatePair | None:
    low, high = sorted([first.pk, second.pk])
    return DuplicatePair.objects.filter(person_a_id=low, person_b_id=high).first()


def _people_pairs() -> set[tuple[int, int]]:
    return set(
        DuplicatePair.objects.filter(kind=PairKind.PERSON).values_list("person_a_id", "person_b_id")
    )


def test_siti_nurhaliza_and_siti_nur_haliza_of_one_village_and_birth_date_are_one_person(source):
    background(source)
    with_nik = person(
        source, "Siti Nurhaliza", "1988-04-17", nik=nik_of(KEPANJEN, "1988-04-17", "female", 1)
    )
    without = person(source, "Hj. Siti Nur Haliza", "1988-04-17")

    run = find_duplicates(kind=PairKind.PERSON)

    pair = _pair_of(with_nik, without)
    assert pair is not None and pair.match_probability > 0.99
    assert pair.contributions["levels"]["name"] == "same_letters"
    assert pair.contributions["levels"]["birth_date"] == "exact"
    assert pair.contributions["levels"]["nik"] == "unknown"
    assert pair.blocking_rule == "village_birth_date"
    assert _people_pairs() == {(pair.person_a_id, pair.person_b_id)}
    assert run.state == DedupRun.State.FINISHED
    assert run.counts["people"] == 10 and run.counts["created"] == 1


def test_a_nik_with_two_digits_swapped_is_one_person(source):
    background(source)
    nik = nik_of(KEPANJEN, "1983-02-11", "female", 2)  # 3507135102830002
    swapped = nik[:8] + nik[9] + nik[8] + nik[10:]  # month 02 → 20: no date
    first = person(source, "Umi Kulsum", "1983-02-11", nik=nik)
    second = person(source, "Umi Kulsum", "1983-02-11", nik=swapped, village=KEPANJEN_TOWN)

    find_duplicates(kind=PairKind.PERSON)

    pair = _pair_of(first, second)
    assert pair is not None and pair.match_probability > 0.99
    assert pair.contributions["levels"]["nik"] == "typo"
    assert pair.contributions["nik"] > 10


def test_two_digits_swapped_in_the_serial_are_one_person(source):
    background(source)
    first = person(
        source, "Sumarni", "1979-10-02", nik=nik_of(KEPANJEN, "1979-10-02", "female", 12)
    )
    second = person(
        source, "Sumarni", "1979-10-02", nik=nik_of(KEPANJEN, "1979-10-02", "female", 21)
    )

    find_duplicates(kind=PairKind.PERSON)

    pair = _pair_of(first, second)
    assert pair is not None and pair.contributions["levels"]["nik"] == "serial_swapped"


def test_the_same_person_with_and_without_nik_is_one_person(source):
    background(source)
    known = person(
        source,
        "Wiryosoedarmo",
        "1950-08-17",
        nik=nik_of(KEPANJEN, "1950-08-17", "male", 1),
        sex="male",
    )
    unknown = person(source, "Wiryosudarmo", "1950-08-17", sex="male")

    find_duplicates(kind=PairKind.PERSON)

    pair = _pair_of(known, unknown)
    assert pair is not None and pair.match_probability > 0.99
    assert pair.contributions["levels"]["name"] == "exact"  # oe → u: one name key


def test_two_muhammads_of_one_village_born_on_other_days_are_two_people(source):
    background(source)
    born_first, born_second = "1985-03-10", "1992-07-22"
    person(source, "Muhammad", born_first, nik=nik_of(KEPANJEN, born_first, "male", 1), sex="male")
    person(source, "Moh.", born_second, nik=nik_of(KEPANJEN, born_second, "male", 1), sex="male")
    person(source, "Mochammad", "1985-11-03", sex="male")  # no NIK; born in the same year

    run = find_duplicates(kind=PairKind.PERSON, threshold=0.5)

    assert _people_pairs() == set()
    assert run.counts["candidates"] == 0


def test_twins_of_one_household_are_two_people(source):
    background(source)
    home = household(source, kk="3507130101100007")
    born = "2010-06-05"
    first = person(
        source, "Dimas Saputra", born, nik=nik_of(KEPANJEN, born, "male", 3), sex="male", home=home
    )
    second = person(
        source, "Bagus Saputra", born, nik=nik_of(KEPANJEN, born, "male", 4), sex="male", home=home
    )

    find_duplicates(kind=PairKind.PERSON, threshold=0.5)

    assert _pair_of(first, second) is None


def test_each_fields_contribution_is_stored_and_they_sum_to_the_match_weight(source):
    background(source)
    first = person(
        source,
        "Siti Rahmawati",
        "1991-12-03",
        nik=nik_of(KEPANJEN, "1991-12-03", "female", 1),
        phone="+6281234567890",
    )
    second = person(source, "Siti Rahmawaty", "1991-03-12", phone="+6281234567890")

    find_duplicates(kind=PairKind.PERSON)

    pair = _pair_of(first, second)
    assert pair is not None
    weights = {k: v for k, v in pair.contributions.items() if k != "levels"}
    assert set(weights) == {
        "prior",
        "name",
        "name_frequency",
        "birth_date",
        "nik",
        "sex",
        "area",
        "kk",
        "phone",
    }
    assert sum(weights.values()) == pytest.approx(pair.match_weight, abs=1e-3)
    assert pair.match_probability == pytest.approx(
        2**pair.match_weight / (1 + 2**pair.match_weight), rel=1e-6
    )
    assert pair.contributions["levels"]["birth_date"] == "day_month_swapped"
    assert pair.contributions["levels"]["phone"] == "exact"
    assert pair.contributions["prior"] == pytest.approx(math.log2(4e-8 / (1 - 4e-8)), abs=1e-3)


def test_a_common_name_counts_for_less_than_a_rare_one(source):
    background(source)
    for index in range(30):
        person(source, "Siti", f"19{50 + index}-01-0{1 + index % 9}", village=KEPANJEN_TOWN)
    common = [person(source, "Siti", "1987-09-14"), person(source, "Siti", "1987-09-14")]
    rare = [
        person(source, "Kartosoewito", "1987-09-15"),
        person(source, "Kartosuwito", "1987-09-15"),
    ]

    find_duplicates(kind=PairKind.PERSON, threshold=0.0)

    common_pair, rare_pair = _pair_of(*common), _pair_of(*rare)
    assert common_pair is not None and rare_pair is not None
    assert common_pair.contributions["name_frequency"] < rare_pair.contributions["name_frequency"]
    assert common_pair.match_weight < rare_pair.match_weight


def test_a_dismissed_pair_does_not_come_back_and_an_open_one_gets_its_new_score(source):
    background(source)
    reviewer = make_user("rina", "reviewer", [KEPANJEN])
    dismissed = [
        person(source, "Sri Wahyuni", "1977-05-05"),
        person(source, "Sri Wahyuni", "1977-05-05"),
    ]
    kept = [
        person(source, "Ninik Astuti", "1969-02-28"),
        person(source, "Ninik Astuti", "1969-02-28"),
    ]
    first_run = find_duplicates(kind=PairKind.PERSON)
    from duplicates.decisions import dismiss_pair

    dismiss_pair(pair=_pair_of(*dismissed), reviewer=reviewer, reason="Ibu dan anak, nama sama")
    open_pair = _pair_of(*kept)
    DuplicatePair.objects.filter(pk=open_pair.pk).update(match_probability=0.5)

    second_run = find_duplicates(kind=PairKind.PERSON)

    assert DuplicatePair.objects.count() == 2
    again = _pair_of(*dismissed)
    assert again.state == DuplicatePair.State.DISMISSED and again.last_run_id == first_run.pk
    open_pair.refresh_from_db()
    assert open_pair.match_probability > 0.99 and open_pair.last_run_id == second_run.pk
    assert second_run.counts["kept_decided"] == 1 and second_run.counts["updated"] == 1
    assert second_run.counts["created"] == 0


def test_a_run_over_one_area_reads_only_its_people_and_is_audited(source):
    background(source)
    background(source, village=PAGELARAN_VILLAGE)
    person(source, "Sri Wahyuni", "1977-05-05", village=PAGELARAN_VILLAGE)
    person(source, "Sri Wahyuni", "1977-05-05", village=PAGELARAN_VILLAGE)

    run = find_duplicates(kind=PairKind.PERSON, area_code=KEPANJEN)

    assert run.counts["people"] == 8 and run.counts["candidates"] == 0
    assert run.area_code == KEPANJEN and run.model_version.startswith("person-")
    actions = list(
        AuditRecord.objects.filter(
            object_type="duplicates.deduprun", object_id=str(run.pk)
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == ["duplicates.run_finished", "duplicates.run_started"]


def test_a_household_entered_twice_is_a_household_pair(source):
    background(source)
    first_home, second_home = household(source), household(source, village=TALANGAGUNG)
    for home, names in (
        (first_home, ("Budi Santoso", "Siti Aminah", "Andi")),
        (second_home, ("Budi Santosa", "Siti Aminah", "Andi")),
    ):
        person(source, names[0], "1980-08-17", sex="male", home=home)
        person(source, names[1], "1983-05-12", home=home)
        person(source, names[2], "2008-09-03", sex="male", home=home)
    lone = household(source)
    person(source, "Dewi Lestari", "1995-09-09", home=lone)  # like the background's Dewi, alone

    run = find_duplicates(kind=PairKind.HOUSEHOLD)

    (pair,) = DuplicatePair.objects.filter(kind=PairKind.HOUSEHOLD)
    assert (pair.household_a_id, pair.household_b_id) == (first_home.pk, second_home.pk)
    assert pair.contributions["members_matched"] == 3
    assert pair.match_probability > 0.9 and run.counts["created"] == 1


def test_a_birth_date_a_year_off_without_nik_is_one_person(source):
    background(source)
    first = person(
        source, "Kartosoewito", "1961-04-09", nik=nik_of(KEPANJEN, "1961-04-09", "female", 1)
    )
    second = person(source, "Kartosuwito", "1962-04-09")

    find_duplicates(kind=PairKind.PERSON)

    pair = _pair_of(first, second)
    assert pair is not None and pair.contributions["levels"]["birth_date"] == "year_apart"


def test_a_person_merged_into_another_is_not_read(source):
    from registry.models import Person

    background(source)
    kept = person(source, "Sri Wahyuni", "1977-05-05")
    merged = person(source, "Sri Wahyuni", "1977-05-05")
    Person.objects.filter(pk=merged.pk).update(merged_into=kept)

    run = find_duplicates(kind=PairKind.PERSON)

    assert run.counts["people"] == 9 and _pair_of(kept, merged) is None
