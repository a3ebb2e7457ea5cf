"""A reviewer's corrections: a new version of the answers; the original never changes."""

import pytest

from accounts.errors import NotAllowed
from audit.models import AuditRecord
from intake.models import Submission
from review.corrections import correct_answer
from review.decisions import approve
from review.errors import (
    CorrectionReasonRequired,
    FieldNotCorrectable,
    ItemNotFound,
    MemberIndexInvalid,
    NothingChanged,
    ReviewMovedOn,
)
from review.item_answers import answer_versions, current_answers
from review.models import AnswerVersion, Decision, Finding, ReviewItem
from tests.factories import make_user
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import send_checked
from tests.review.review_households import Household

SPOUSE = ("Sulastri", "3507134711680005", "female", "1968-11-17", "spouse")  # NIK says 07-11


@pytest.fixture
def item(agent, settings):
    return send_checked(agent, Household(instance="budi", members=[SPOUSE]), settings)


def test_correcting_a_birth_date_makes_a_new_version_and_keeps_the_original(
    item, reviewer, django_capture_on_commit_callbacks
):
    submission = Submission.objects.get(pk=item.submission_id)
    xml, answers = bytes(submission.xml), submission.answers
    assert ("nik.birth_date", 1) in {
        (f.check_name, f.member_index) for f in Finding.objects.filter(item=item)
    }

    with django_capture_on_commit_callbacks(execute=True):
        corrected = correct_answer(
            user=reviewer,
            item_id=item.pk,
            version=1,
            field="members/birth_date",
            member_index=1,
            value="1968-11-07",
            reason="KTP dilihat: tanggal lahir 7 November",
        )

    assert corrected.number == 1 and corrected.created_by == reviewer
    assert corrected.changes == [
        {
            "field": "members/birth_date",
            "member_index": 1,
            "before": "1968-11-17",
            "after": "1968-11-07",
        }
    ]
    assert corrected.answers["members"][1]["birth_date"] == "1968-11-07"
    assert corrected.answers["members"][0] == answers["members"][0]
    submission.refresh_from_db()
    assert bytes(submission.xml) == xml and submission.answers == answers
    item.refresh_from_db()
    assert item.answers_number == 1 and item.version == 2 and item.state == "received"
    assert current_answers(item)["members"][1]["birth_date"] == "1968-11-07"
    assert list(answer_versions(item)) == [corrected]
    decision = Decision.objects.get(item=item)
    assert decision.reason == "correction" and decision.comment.startswith("KTP dilihat")
    record = AuditRecord.objects.get(action="review.answer_corrected")
    assert record.before["value"] == "1968-11-17" and record.after["value"] == "1968-11-07"
    assert record.after["reason"].startswith("KTP dilihat")
    # The checks ran again on the corrected answers.
    assert not Finding.objects.filter(item=item, check_name="nik.birth_date").exists()

    # A second correction is version 2, built on the first; then the reviewer approves.
    second = correct_answer(
        user=reviewer,
        item_id=item.pk,
        version=2,
        field="head/phone",
        member_index=None,
        value="081298765432",
        reason="Nomor HP baru",
    )
    assert second.number == 2
    assert second.answers["members"][1]["birth_date"] == "1968-11-07"
    assert second.answers["head"]["phone"] == "081298765432"
    approve(user=reviewer, item_id=item.pk, version=3)
    item.refresh_from_db()
    assert item.state == "approved" and item.answers_number == 2


def test_a_correction_needs_a_reason_a_question_and_its_row(item, reviewer):
    base = {"user": reviewer, "item_id": item.pk, "version": 1, "value": "x", "reason": "r"}
    with pytest.raises(CorrectionReasonRequired):
        correct_answer(**{**base, "reason": " "}, field="head/phone", member_index=None)
    with pytest.raises(FieldNotCorrectable):
        correct_answer(**base, field="head/nothing", member_index=None)
    with pytest.raises(FieldNotCorrectable):
        correct_answer(**base, field="house_photo", member_index=None)
    with pytest.raises(FieldNotCorrectable):
        correct_answer(**base, field="members/age", member_index=0)  # a calculation
    with pytest.raises(MemberIndexInvalid):
        correct_answer(**base, field="members/name", member_index=None)
    with pytest.raises(MemberIndexInvalid):
        correct_answer(**base, field="members/name", member_index=7)
    with pytest.raises(MemberIndexInvalid):
        correct_answer(**base, field="head/phone", member_index=0)
    with pytest.raises(NothingChanged):
        correct_answer(**{**base, "value": "Budi Santoso"}, field="members/name", member_index=0)
    assert not AnswerVersion.objects.exists()
    item.refresh_from_db()
    assert item.version == 1 and item.answers_number == 0


def test_a_correction_on_a_stale_version_is_refused(item, reviewer):
    approve(user=reviewer, item_id=item.pk, version=1)
    with pytest.raises(ReviewMovedOn):
        correct_answer(
            user=reviewer,
            item_id=item.pk,
            version=1,
            field="head/phone",
            member_index=None,
            value="081298765432",
            reason="Nomor HP baru",
        )
    assert not AnswerVersion.objects.exists()
    assert ReviewItem.objects.get(pk=item.pk).answers_number == 0


def test_only_the_item_s_reviewers_may_correct(item, pagelaran_reviewer, ppls):
    kwargs = {
        "item_id": item.pk,
        "version": 1,
        "field": "head/phone",
        "member_index": None,
        "value": "081298765432",
        "reason": "Nomor HP baru",
    }
    with pytest.raises(ItemNotFound):
        correct_answer(user=pagelaran_reviewer, **kwargs)
    with pytest.raises(NotAllowed):
        correct_answer(user=make_user("coord", "coordinator", ["35.07"]), **kwargs)
    assert not AnswerVersion.objects.exists()
