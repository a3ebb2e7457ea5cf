"""The merge of approved PPLS households into the registry: provenance, idempotency,
conflicts instead of overwrites, moves instead of copies, infants without an NIK."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditRecord
from intake.models import Submission
from registry.merge import merge_submission, plan_merge
from registry.models import (
    Conflict,
    Family,
    Participation,
    Person,
    RegistryChange,
    Residence,
    Source,
)
from registry.models import Household as RegistryHousehold
from tests.registry.registry_data import (
    FOUR,
    TALANGAGUNG,
    household_of,
    merge_household,
    merge_sent,
    moved_child_household,
)
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import send_processed


def _with_siti_born(day: str):
    members = [
        (name, nik, sex, day if name == "Siti Aminah" else born, relation)
        for name, nik, sex, born, relation in FOUR.members
    ]
    return replace(FOUR, members=members)


def test_an_approved_household_of_four_lands_in_the_registry_with_provenance(
    agent, reviewer, settings
):
    source = merge_household(agent, reviewer, FOUR, settings)

    household = household_of(source)
    assert household.village_id == TALANGAGUNG
    assert household.kecamatan_code == "35.07.13"
    assert (household.rt, household.rw, household.address) == ("3", "2", "Jl. Raya 12")
    assert household.location is not None and round(household.location.y, 4) == -8.1307
    assert household.housing["roof_material"] == "ceramic_tile"
    assert household.assets == ["motorbike", "television"]
    assert household.photo is not None and household.photo.submission_id == source.submission_id
    people = {p.name: p for p in household.members.all()}
    assert set(people) == {"Budi Santoso", "Siti Aminah", "Andi Saputra", "Putri Lestari"}
    budi = people["Budi Santoso"]
    assert household.head == budi
    assert budi.phone == "+6281234567890"
    assert budi.details["work_hours"] == "40"
    assert str(people["Siti Aminah"].birth_date) == "1983-05-12"
    assert people["Putri Lestari"].nik is None
    assert {p.family.kk_number for p in people.values()} == {"3507130101090001"}
    assert Family.objects.get().household == household
    assert Residence.objects.filter(household=household, until__isnull=True).count() == 4
    assert list(Participation.objects.values_list("programme", flat=True)) == ["pkh"]
    # Every value carries its source: the submission, who approved it, when.
    change = RegistryChange.objects.get(person=people["Siti Aminah"], field="birth_date")
    assert (change.source, change.before, change.after) == (source, None, "1983-05-12")
    assert source.approved_by == reviewer and source.kind == Source.Kind.SUBMISSION
    assert source.summary["households_created"] == 1 and source.summary["people_created"] == 4
    record = AuditRecord.objects.get(action="registry.merged")
    assert record.object_id == str(source.pk) and record.area_code == TALANGAGUNG
    assert record.after["people_created"] == 4


def test_merging_the_same_submission_twice_creates_nothing_more(agent, reviewer, settings):
    submission = send_processed(agent, FOUR, settings)
    first = merge_sent(submission, reviewer)
    counts = (
        Person.objects.count(),
        RegistryChange.objects.count(),
        Residence.objects.count(),
        AuditRecord.objects.filter(action="registry.merged").count(),
    )

    second = merge_submission(
        submission=submission, answers=submission.answers, approved_by=reviewer
    )

    assert second == first
    assert counts == (
        Person.objects.count(),
        RegistryChange.objects.count(),
        Residence.objects.count(),
        AuditRecord.objects.filter(action="registry.merged").count(),
    )
    assert plan_merge(submission=submission, answers=submission.answers).is_merged


def test_a_second_survey_with_another_birth_date_is_a_conflict_not_an_overwrite(
    agent, reviewer, settings
):
    first = merge_household(agent, reviewer, FOUR, settings)
    resurvey = replace(_with_siti_born("1983-05-13"), instance="registry-budi-2")

    submission = send_processed(agent, resurvey, settings)
    plan = plan_merge(submission=submission, answers=submission.answers)
    assert [(c.field, c.held, c.offered) for c in plan.conflicts] == [
        ("birth_date", "1983-05-12", "1983-05-13")
    ]
    second = merge_sent(submission, reviewer)

    assert household_of(second) == household_of(first)
    assert RegistryHousehold.objects.count() == 1 and Person.objects.count() == 4
    siti = Person.objects.get(nik="3507135205830002")
    assert str(siti.birth_date) == "1983-05-12"
    conflict = Conflict.objects.get()
    assert (conflict.person, conflict.field, conflict.held, conflict.offered) == (
        siti,
        "birth_date",
        "1983-05-12",
        "1983-05-13",
    )
    assert conflict.held_source == first and conflict.source == second
    assert conflict.village_id == TALANGAGUNG and conflict.state == Conflict.State.OPEN
    assert second.summary["conflicts"] == 1


def test_an_edit_of_the_same_submission_corrects_its_own_values(agent, reviewer, settings):
    merge_household(agent, reviewer, FOUR, settings)
    edit = replace(_with_siti_born("1983-05-13"), instance="registry-budi-edit")
    edit = replace(edit, deprecated=FOUR.instance)

    merge_household(agent, reviewer, edit, settings)

    assert not Conflict.objects.exists()
    assert str(Person.objects.get(nik="3507135205830002").birth_date) == "1983-05-13"


def test_a_member_found_in_a_household_of_another_village_moves(agent, reviewer, settings):
    first = merge_household(agent, reviewer, FOUR, settings)
    andi = Person.objects.get(nik="3507130309080003")

    second = merge_household(agent, reviewer, moved_child_household(), settings)

    new_home = household_of(second)
    assert new_home != household_of(first) and new_home.village_id == "35.07.13.1010"
    assert Person.objects.filter(nik="3507130309080003").count() == 1
    andi.refresh_from_db()
    assert andi.household == new_home and andi.village_id == "35.07.13.1010"
    stays = list(Residence.objects.filter(person=andi).order_by("pk"))
    assert len(stays) == 2
    assert stays[0].household == household_of(first) and stays[0].until is not None
    assert stays[0].ended_by == second
    assert stays[1].household == new_home and stays[1].until is None
    assert second.summary["moves"] == 1
    # Budi's household keeps its other three; nobody is deleted.
    assert household_of(first).members.count() == 3


def test_an_infant_without_nik_is_found_again_by_name_and_birth_date(agent, reviewer, settings):
    merge_household(agent, reviewer, FOUR, settings)
    putri = Person.objects.get(name="Putri Lestari")
    resurvey = replace(FOUR, instance="registry-budi-3", gps="-8.1308 112.5713 421 4")

    merge_household(agent, reviewer, resurvey, settings)

    assert Person.objects.count() == 4
    assert Person.objects.get(name_key=putri.name_key) == putri
    assert not Conflict.objects.exists()


def test_a_newer_survey_updates_circumstances_and_ends_a_programme(agent, reviewer, settings):
    first = merge_household(agent, reviewer, FOUR, settings)
    resurvey = replace(FOUR, instance="registry-budi-4", phone="081311112222")
    submission = send_processed(agent, resurvey, settings)
    answers = dict(submission.answers)
    answers["housing"] = {**answers["housing"], "roof_material": "metal"}
    answers["assets_group"] = {"assets": "motorbike", "programmes": "bpjs_pbi"}

    merge_submission(submission=submission, answers=answers, approved_by=reviewer)

    household = household_of(first)
    assert household.housing["roof_material"] == "metal"
    assert household.assets == ["motorbike"]
    assert household.head.phone == "+6281311112222"
    assert set(
        Participation.objects.filter(until__isnull=True).values_list("programme", flat=True)
    ) == {"bpjs_pbi"}
    assert Participation.objects.get(programme="pkh").until is not None
    assert not Conflict.objects.exists()


@pytest.mark.parametrize("field", ["sex"])
def test_another_sex_for_the_same_nik_is_a_conflict(agent, reviewer, settings, field):
    merge_household(agent, reviewer, FOUR, settings)
    members = [(n, k, "male" if n == "Siti Aminah" else s, b, r) for n, k, s, b, r in FOUR.members]

    merge_household(agent, reviewer, FOUR, settings, instance="registry-budi-5", members=members)

    assert list(Conflict.objects.values_list("field", "held", "offered")) == [
        (field, "female", "male")
    ]
    assert Person.objects.get(nik="3507135205830002").sex == "female"


def test_a_member_missing_from_a_resurvey_stays_where_she_was(agent, reviewer, settings):
    first = merge_household(agent, reviewer, FOUR, settings)
    without_andi = [m for m in FOUR.members if m[0] != "Andi Saputra"]

    merge_household(agent, reviewer, FOUR, settings, instance="budi-6", members=without_andi)

    andi = Person.objects.get(nik="3507130309080003")
    assert andi.household == household_of(first)
    assert Residence.objects.get(person=andi).until is None


def test_an_older_survey_approved_late_does_not_turn_circumstances_back(agent, reviewer, settings):
    newer = send_processed(agent, FOUR, settings)
    older = send_processed(agent, replace(FOUR, instance="budi-old"), settings)
    Submission.objects.filter(pk=older.pk).update(received_at=timezone.now() - timedelta(days=30))
    older.refresh_from_db()
    merge_sent(newer, reviewer)
    answers = {**older.answers, "housing": {**older.answers["housing"], "roof_material": "thatch"}}

    merge_submission(submission=older, answers=answers, approved_by=reviewer)

    household = Person.objects.get(nik=FOUR.head[1]).household
    assert household is not None and household.housing["roof_material"] == "ceramic_tile"


def test_an_infant_who_got_her_nik_is_the_same_person_with_it(agent, reviewer, settings):
    merge_household(agent, reviewer, FOUR, settings)
    putri = Person.objects.get(name="Putri Lestari")
    members = [
        (n, "3507134106250005" if n == "Putri Lestari" else k, s, b, r)
        for n, k, s, b, r in FOUR.members
    ]

    merge_household(agent, reviewer, FOUR, settings, instance="budi-7", members=members)

    putri.refresh_from_db()
    assert putri.nik == "3507134106250005"
    assert Person.objects.count() == 4 and not Conflict.objects.exists()


def test_an_edit_that_corrects_the_village_takes_the_household_and_its_people(
    agent, reviewer, settings
):
    first = merge_household(agent, reviewer, FOUR, settings)
    edit = replace(FOUR, instance="budi-village", deprecated=FOUR.instance, village="35.07.13.1010")

    second = merge_household(agent, reviewer, edit, settings)

    household = household_of(second)
    assert household == household_of(first) and RegistryHousehold.objects.count() == 1
    assert household.village_id == "35.07.13.1010"
    assert set(household.members.values_list("village_id", flat=True)) == {"35.07.13.1010"}
    assert second.summary["moves"] == 0 and not Conflict.objects.exists()
