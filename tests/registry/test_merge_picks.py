"""A follow-up that picked a household or a person from the phone's registry lists is linked
to them, and only when the pick is one the agent's list could hold: a tampered id, or one of
another village or kecamatan, never links (the applicant is then found by NIK)."""

import pytest
from django.utils import translation

from forms.roles import read_form_roles
from registry.errors import ApplicantUnknown
from registry.merge import plan_merge
from registry.models import Application, Assessment, Conflict, Person
from review.models import ReviewItem
from review.registry_preview import registry_preview
from tests.registry.registry_data import (
    FOUR,
    KEPANJEN_TOWN,
    SentHousehold,
    assessment_answers,
    household_of,
    merge_household,
    merge_sent,
    moved_child_household,
    publish,
    send_answers,
)
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import PAGELARAN_VILLAGE, TALANGAGUNG

SITI = ("Siti Aminah", "3507135205830002", "female", "1983-05-12")
WATI = SentHousehold(
    instance="registry-wati",
    village=PAGELARAN_VILLAGE,
    head=("Wati Pagelaran", "3507335505700005", "female", "1970-05-15"),
    members=[],
    kk="3507330101090005",
    phone="081399990000",
)


@pytest.fixture
def budi(agent, reviewer, settings):
    return household_of(merge_household(agent, reviewer, FOUR, settings))


@pytest.fixture
def assessment(district):
    return publish("near_poor_assessment", district)


def _assess(agent, version, settings, *, person=SITI, instance="assess", **picks):
    answers = assessment_answers(*person, **picks)
    return send_answers(agent, version, answers, instance=instance, settings=settings)


def _outcomes(source) -> list[tuple[str, str]]:
    return [(p["question"], p["outcome"]) for p in source.summary.get("picks", [])]


def test_the_demo_follow_ups_say_which_question_picks_a_household_and_a_person(district):
    for stem, group in (("near_poor_assessment", "applicant/"), ("programme_registration", "")):
        roles = read_form_roles(publish(stem, district).xform_xml)
        assert roles.household_pick == f"{group}registry_household"
        assert roles.person_pick == f"{group}registry_person"


def test_an_assessment_is_linked_to_the_household_and_person_picked(
    agent, reviewer, settings, budi, assessment
):
    siti = budi.members.get(nik=SITI[1])
    submission = _assess(
        agent,
        assessment,
        settings,
        registry_household=str(budi.pk),
        registry_person=str(siti.pk),
    )

    source = merge_sent(submission, reviewer)

    found = Assessment.objects.get()
    assert (found.person, found.household) == (siti, budi)
    assert _outcomes(source) == [("household", "linked"), ("person", "linked")]
    assert source.summary["person_id"] == siti.pk and source.summary["household_id"] == budi.pk
    assert Person.objects.count() == 4 and not Conflict.objects.exists()


def test_the_person_picked_is_the_applicant_and_another_nik_is_a_conflict_not_an_overwrite(
    agent, reviewer, settings, budi, assessment
):
    siti = budi.members.get(nik=SITI[1])
    typed = (SITI[0], "3507135205830009", SITI[2], SITI[3])
    submission = _assess(agent, assessment, settings, person=typed, registry_person=str(siti.pk))

    merge_sent(submission, reviewer)

    assert Assessment.objects.get().person == siti
    siti.refresh_from_db()
    assert siti.nik == SITI[1]
    conflict = Conflict.objects.get()
    assert (conflict.person, conflict.field, conflict.held, conflict.offered) == (
        siti,
        "nik",
        SITI[1],
        "3507135205830009",
    )
    assert not Person.objects.filter(nik="3507135205830009").exists()


def test_a_nik_another_person_holds_answered_for_a_person_picked_without_one_is_a_conflict(
    agent, reviewer, settings, budi, assessment
):
    putri = budi.members.get(name="Putri Lestari")
    answered = ("Putri Lestari", FOUR.head[1], "female", "2025-06-01")  # Budi's NIK
    submission = _assess(
        agent, assessment, settings, person=answered, registry_person=str(putri.pk)
    )

    merge_sent(submission, reviewer)

    putri.refresh_from_db()
    assert putri.nik is None and Assessment.objects.get().person == putri
    assert list(Conflict.objects.values_list("person", "field", "offered")) == [
        (putri.pk, "nik", FOUR.head[1])
    ]


def test_a_household_of_another_kecamatan_picked_on_a_tampered_phone_is_not_linked(
    agent, reviewer, pagelaran_agent, pagelaran_reviewer, settings, budi, assessment
):
    wati = household_of(merge_household(pagelaran_agent, pagelaran_reviewer, WATI, settings))
    submission = _assess(agent, assessment, settings, registry_household=str(wati.pk))

    source = merge_sent(submission, reviewer)

    found = Assessment.objects.get()
    assert found.household == budi  # Siti's own, found by her NIK
    assert found.person == Person.objects.get(nik=SITI[1])
    assert _outcomes(source) == [("household", "out_of_scope")]
    assert source.summary.get("household_id") is None
    assert not wati.assessments.exists()


def test_a_person_of_another_kecamatan_picked_is_not_linked_and_the_nik_decides(
    agent, pagelaran_agent, pagelaran_reviewer, reviewer, settings, budi, assessment
):
    wati = household_of(merge_household(pagelaran_agent, pagelaran_reviewer, WATI, settings))
    submission = _assess(agent, assessment, settings, registry_person=str(wati.head_id))

    source = merge_sent(submission, reviewer)

    assert Assessment.objects.get().person.nik == SITI[1]
    assert _outcomes(source) == [("person", "out_of_scope")]
    assert not Conflict.objects.exists()


def test_a_person_of_another_village_than_the_submissions_is_not_linked(
    agent, reviewer, settings, budi, assessment
):
    merge_household(agent, reviewer, moved_child_household(), settings)
    andi = Person.objects.get(nik=moved_child_household().head[1])
    assert andi.village_id == KEPANJEN_TOWN  # hers too, but the submission is of Talangagung
    submission = _assess(agent, assessment, settings, registry_person=str(andi.pk))

    source = merge_sent(submission, reviewer)

    assert Assessment.objects.get().person.nik == SITI[1]
    assert _outcomes(source) == [("person", "out_of_scope")]


@pytest.mark.parametrize("answer", ["999999", "abc", "1 OR 1=1", "9" * 30])
def test_an_id_that_is_nobody_is_not_linked(agent, reviewer, settings, budi, assessment, answer):
    submission = _assess(
        agent, assessment, settings, registry_household=answer, registry_person=answer
    )

    source = merge_sent(submission, reviewer)

    assert Assessment.objects.get().person.nik == SITI[1]
    assert _outcomes(source) == [("household", "unknown"), ("person", "unknown")]


def test_a_person_who_is_not_of_the_household_picked_is_not_linked(
    agent, reviewer, settings, budi, assessment
):
    andi_home = household_of(merge_household(agent, reviewer, moved_child_household(), settings))
    andi_home.village_id = TALANGAGUNG  # beside Budi's, in the same village
    andi_home.save()
    Person.objects.filter(household=andi_home).update(village_id=TALANGAGUNG)
    siti = budi.members.get(nik=SITI[1])
    submission = _assess(
        agent,
        assessment,
        settings,
        registry_household=str(andi_home.pk),
        registry_person=str(siti.pk),
    )

    source = merge_sent(submission, reviewer)

    assert _outcomes(source) == [("household", "linked"), ("person", "not_in_household")]
    found = Assessment.objects.get()
    assert (found.person, found.household) == (siti, andi_home)  # Siti found by her NIK


def test_a_follow_up_that_names_nobody_it_may_link_is_refused(
    agent, reviewer, pagelaran_agent, pagelaran_reviewer, settings, assessment
):
    wati = household_of(merge_household(pagelaran_agent, pagelaran_reviewer, WATI, settings))
    submission = _assess(
        agent, assessment, settings, person=("", "", "", ""), registry_person=str(wati.head_id)
    )

    with pytest.raises(ApplicantUnknown):
        merge_sent(submission, reviewer)

    assert not Assessment.objects.exists()
    assert Person.objects.count() == 1


def test_a_registration_is_the_application_of_the_person_picked(
    agent, reviewer, district, settings, budi
):
    version = publish("programme_registration", district)
    siti = budi.members.get(nik=SITI[1])
    name, nik, sex, born = SITI
    answers = {
        "place": {"regency": "35.07", "subdistrict": "35.07.13", "village": TALANGAGUNG},
        "registry_household": str(budi.pk),
        "registry_person": str(siti.pk),
        "name": name,
        "nik": nik,
        "kk": FOUR.kk,
        "sex": sex,
        "birth_date": born,
        "programme": "bpjs_pbi",
        "bpjs_membership": "pbi",
        "consent": "yes",
    }
    submission = send_answers(agent, version, answers, instance="register-siti", settings=settings)

    source = merge_sent(submission, reviewer)

    assert Application.objects.get().person == siti
    assert _outcomes(source) == [("household", "linked"), ("person", "linked")]
    assert not Conflict.objects.exists()


def _item(submission) -> ReviewItem:
    return ReviewItem.objects.create(
        submission=submission,
        questionnaire_id=submission.questionnaire_id,
        form_version_id=submission.form_version_id,
        kecamatan_code="35.07.13",
        village_code=submission.area_id or "",
        area_id=submission.area_id,
        agent_id=submission.submitted_by_id,
        received_at=submission.received_at,
        checks_version=1,
    )


def test_the_review_page_says_in_words_why_a_pick_is_not_linked_before_and_after(
    agent, reviewer, pagelaran_agent, pagelaran_reviewer, settings, budi, assessment
):
    wati = household_of(merge_household(pagelaran_agent, pagelaran_reviewer, WATI, settings))
    siti = budi.members.get(nik=SITI[1])
    submission = _assess(
        agent,
        assessment,
        settings,
        registry_household=str(wati.pk),
        registry_person=str(siti.pk),
    )
    item = _item(submission)

    with translation.override("en"):
        before = registry_preview(item)
        merge_sent(submission, reviewer)
        after = registry_preview(item)

    refused = (
        f"The household picked on the phone ({wati.pk}) is not in this submission's village "
        "or the agent's villages: it is not linked."
    )
    assert before.unlinked == [refused] and after.unlinked == [refused]
    assert ("link", "Person picked", "Siti Aminah") in [
        (row.kind, row.subject, row.offered) for row in before.rows
    ]
    assert plan_merge(submission=submission, answers=submission.answers).is_merged


def test_a_second_assessment_of_the_same_picks_is_linked_again(
    agent, reviewer, settings, budi, assessment
):
    siti = budi.members.get(nik=SITI[1])
    picks = {"registry_household": str(budi.pk), "registry_person": str(siti.pk)}
    merge_sent(_assess(agent, assessment, settings, **picks), reviewer)
    again = merge_sent(_assess(agent, assessment, settings, instance="assess-2", **picks), reviewer)

    assert _outcomes(again) == [("household", "linked"), ("person", "linked")]
    assert Assessment.objects.filter(person=siti, household=budi).count() == 2
