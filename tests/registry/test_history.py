"""A household's and a person's history, and the record as it was on a date."""

from dataclasses import replace
from datetime import timedelta

from django.utils import timezone

from registry.history import household_as_of, household_history, person_as_of, person_history
from registry.merge import merge_submission
from registry.models import Person, RegistryChange
from tests.registry.registry_data import FOUR, household_of, merge_household, moved_child_household
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import send_processed


def test_a_household_reads_as_it_was_before_a_newer_survey(agent, reviewer, settings):
    first = merge_household(agent, reviewer, FOUR, settings)
    household = household_of(first)
    # The first survey was merged ten days ago.
    RegistryChange.objects.filter(source=first).update(at=timezone.now() - timedelta(days=10))
    submission = send_processed(agent, replace(FOUR, instance="history-2"), settings)
    answers = dict(submission.answers)
    answers["housing"] = {**answers["housing"], "roof_material": "metal"}
    merge_submission(submission=submission, answers=answers, approved_by=reviewer)

    before = household_as_of(household, timezone.localdate() - timedelta(days=5))
    now = household_as_of(household, timezone.now())

    assert before["housing"]["roof_material"] == "ceramic_tile"
    assert now["housing"]["roof_material"] == "metal"
    assert before["rt"] == "3" and len(before["members"]) == 4
    assert household_as_of(household, timezone.localdate() - timedelta(days=20)) == {"members": []}
    entries = household_history(household)
    roof = next(e for e in entries if e.field == "housing.roof_material")
    assert (roof.before, roof.after, roof.approved_by) == ("ceramic_tile", "metal", "Test")
    assert roof.source_label.startswith("ppls_household:uuid:")
    assert entries == sorted(entries, key=lambda e: e.at, reverse=True)


def test_a_person_who_moved_was_in_her_first_household_before(agent, reviewer, settings):
    first = merge_household(agent, reviewer, FOUR, settings)
    RegistryChange.objects.filter(source=first).update(at=timezone.now() - timedelta(days=10))
    second = merge_household(agent, reviewer, moved_child_household(), settings)
    andi = Person.objects.get(nik="3507130309080003")

    then = person_as_of(andi, timezone.localdate() - timedelta(days=5))

    assert then["household"] == first.summary["household_id"]
    assert then["birth_date"] == "2008-09-03" and then["name"] == "Andi Saputra"
    assert person_as_of(andi, timezone.now())["household"] == second.summary["household_id"]
    moves = [e for e in person_history(andi) if e.field == "household"]
    assert [m.after for m in moves] == [
        second.summary["household_id"],
        first.summary["household_id"],
    ]
    assert andi.pk not in household_as_of(household_of(first), timezone.now())["members"]
