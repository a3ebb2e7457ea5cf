"""Which questionnaire merges what, and the merge of assessments, registrations and
complaints; the records read from answers; the plan the review page shows."""

from dataclasses import replace

import pytest

from registry.conflicts import resolve_conflict
from registry.errors import VillageUnknown
from registry.merge import merge_submission, plan_merge
from registry.models import Application, Assessment, Conflict, Person, Residence, Source
from registry.records import RecordKind, e164_phone, kind_of, valid_nik
from tests.registry.registry_data import (
    FOUR,
    TALANGAGUNG,
    assessment_answers,
    household_of,
    merge_household,
    merge_sent,
    moved_child_household,
    publish,
    send_answers,
)
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import KEPANJEN, send_processed

SITI = ("Siti Aminah", "3507135205830002", "female", "1983-05-12")


def test_each_questionnaire_is_of_its_kind(ppls, district):
    assert kind_of(ppls) == RecordKind.HOUSEHOLD
    assert kind_of(publish("near_poor_assessment", district)) == RecordKind.ASSESSMENT
    assert kind_of(publish("programme_registration", district)) == RecordKind.REGISTRATION
    assert kind_of(publish("complaint", district)) == RecordKind.NONE


def test_phones_and_niks_are_read_as_the_registry_keeps_them():
    assert e164_phone("081234567890") == "+6281234567890"
    assert e164_phone("+62 812-3456-7890") == "+6281234567890"
    assert e164_phone("12") == ""
    assert valid_nik("3507135205830002") == "3507135205830002"
    assert valid_nik("3507139999830002") == ""
    assert valid_nik("35071352058300") == ""


def test_an_assessment_attaches_to_the_person_and_her_household(
    agent, reviewer, district, settings
):
    first = merge_household(agent, reviewer, FOUR, settings)
    version = publish("near_poor_assessment", district)
    submission = send_answers(
        agent, version, assessment_answers(*SITI), instance="assess-siti", settings=settings
    )

    source = merge_sent(submission, reviewer)

    assessment = Assessment.objects.get()
    siti = Person.objects.get(nik=SITI[1])
    assert (assessment.person, assessment.household, assessment.source) == (
        siti,
        household_of(first),
        source,
    )
    assert assessment.is_recommended is True
    assert assessment.answers["needs_group"]["needs"] == "health food"
    assert siti.phone == "+6281377778888"
    assert Person.objects.count() == 4 and not Conflict.objects.exists()
    assert merge_sent(submission, reviewer) == source and Assessment.objects.count() == 1


def test_an_assessment_of_someone_unknown_creates_her_in_the_village_without_a_household(
    agent, reviewer, district, settings
):
    version = publish("near_poor_assessment", district)
    answers = assessment_answers("Sumiati", "3507134404600007", "female", "1960-04-04")
    submission = send_answers(agent, version, answers, instance="assess-new", settings=settings)

    merge_sent(submission, reviewer)

    person = Person.objects.get()
    assert (person.nik, person.village_id, person.kecamatan_code) == (
        "3507134404600007",
        TALANGAGUNG,
        KEPANJEN,
    )
    assert person.household is None and not Residence.objects.exists()
    assert Assessment.objects.get().person == person


def test_a_registration_is_kept_as_the_persons_application(agent, reviewer, district, settings):
    merge_household(agent, reviewer, FOUR, settings)
    version = publish("programme_registration", district)
    name, nik, sex, born = FOUR.head
    answers = {
        "place": {"regency": "35.07", "subdistrict": KEPANJEN, "village": TALANGAGUNG},
        "name": name,
        "nik": nik,
        "kk": FOUR.kk,
        "sex": sex,
        "birth_date": born,
        "phone": "081234567890",
        "programme": "bpjs_pbi",
        "bpjs_membership": "pbi",
        "bpjs_class": "3",
        "consent": "yes",
    }
    submission = send_answers(agent, version, answers, instance="register-budi", settings=settings)

    source = merge_sent(submission, reviewer)

    application = Application.objects.get()
    assert application.person == Person.objects.get(nik=nik)
    assert (application.programme, application.membership, application.membership_class) == (
        "bpjs_pbi",
        "pbi",
        "3",
    )
    assert application.source == source and source.summary["kind"] == "registration"
    assert not Conflict.objects.exists()


def test_a_complaint_merges_nothing_but_is_merged_once(agent, reviewer, district, settings):
    version = publish("complaint", district)
    submission = send_answers(
        agent,
        version,
        {"place": {"regency": "35.07", "subdistrict": KEPANJEN, "village": TALANGAGUNG}},
        instance="complaint-1",
        settings=settings,
    )

    source = merge_submission(submission=submission, answers={}, approved_by=reviewer)

    assert source.summary == {"kind": "none"}
    assert not Person.objects.exists()
    assert merge_sent(submission, reviewer) == source
    assert Source.objects.count() == 1


def test_the_plan_shows_what_approving_would_change_and_writes_nothing(agent, reviewer, settings):
    merge_household(agent, reviewer, FOUR, settings)
    submission = send_processed(agent, moved_child_household(), settings)
    people = Person.objects.count()

    plan = plan_merge(submission=submission, answers=submission.answers)

    assert (
        Person.objects.count() == people
        and not Source.objects.filter(submission=submission).exists()
    )
    assert plan.household is not None and plan.household.pk is None
    assert {ref.kind for ref in plan.creates} == {"household", "person", "family"}
    assert [move.ref.label for move in plan.moves] == ["Andi Saputra"]
    # He moves with his new family card: it follows, no conflict.
    assert ("family", "3507130101090001", "3507130101250009") in [
        (c.field, c.before, c.after) for c in plan.updates
    ]
    assert not plan.conflicts
    assert any(c.field == "relation" and c.after == "head" for c in plan.updates)


def test_another_head_for_the_household_is_a_conflict(agent, reviewer, settings):
    merge_household(agent, reviewer, FOUR, settings)
    budi, siti = FOUR.head, FOUR.members[0]
    # Siti now named as head, same KK: found by the KK, the head held is Budi.
    resurvey = replace(
        FOUR,
        instance="registry-siti-head",
        head=siti[:4],
        members=[(*budi, "spouse"), *FOUR.members[1:]],
    )

    source = merge_household(agent, reviewer, resurvey, settings)

    household = household_of(source)
    assert household.head.nik == budi[1]
    conflict = Conflict.objects.get(field="head")
    assert conflict.household == household
    assert (conflict.held, conflict.offered) == (
        Person.objects.get(nik=budi[1]).pk,
        Person.objects.get(nik=siti[1]).pk,
    )


@pytest.mark.parametrize("answer", ["", "none"])
def test_a_household_that_reports_no_programme_has_no_participation(
    agent, reviewer, settings, answer
):
    submission = send_processed(agent, FOUR, settings)
    answers = {**submission.answers, "assets_group": {"assets": "none", "programmes": answer}}

    merge_submission(submission=submission, answers=answers, approved_by=reviewer)

    household = Person.objects.get(nik=FOUR.head[1]).household
    assert household is not None and household.assets == []
    assert not household.participations.exists()


def test_a_household_in_no_known_village_is_refused_and_nothing_is_written(
    agent, reviewer, settings
):
    submission = send_processed(agent, FOUR, settings)
    answers = {
        **submission.answers,
        "place": {**submission.answers["place"], "village": "35.07.13"},
    }

    with pytest.raises(VillageUnknown):
        merge_submission(submission=submission, answers=answers, approved_by=reviewer)

    assert not Source.objects.exists() and not Person.objects.exists()


def test_resolving_a_head_conflict_makes_the_offered_person_the_head(agent, reviewer, settings):
    merge_household(agent, reviewer, FOUR, settings)
    budi, siti = FOUR.head, FOUR.members[0]
    resurvey = replace(
        FOUR, instance="head-2", head=siti[:4], members=[(*budi, "spouse"), *FOUR.members[1:]]
    )
    source = merge_household(agent, reviewer, resurvey, settings)
    conflict = Conflict.objects.get(field="head")

    resolve_conflict(
        user=reviewer, conflict_id=conflict.pk, value=str(conflict.offered), reason="Budi left"
    )

    assert household_of(source).head.nik == siti[1]
