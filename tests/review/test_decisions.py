"""A reviewer's decisions: approve, reject, send back, approve all; races; who may."""

import pytest
from django.utils import translation

from accounts.errors import NotAllowed
from audit.models import AuditRecord
from registry.models import Person, RegistryChange, Source
from review.corrections import correct_answer
from review.decisions import (
    REJECT_REASONS,
    approve,
    approve_all_without_findings,
    merge_into_registry,
    reject,
    send_back,
)
from review.errors import (
    ApprovalIsFinal,
    CommentRequired,
    CountChanged,
    ItemNotFound,
    RejectReasonUnknown,
    ReviewMovedOn,
)
from review.models import Decision, Finding, ReviewItem
from review.queue import QueueFilters
from tests.factories import make_user
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import unchecked_item
from tests.review.review_households import Household


@pytest.fixture
def item(agent, settings):
    return unchecked_item(agent, Household(instance="budi"), settings)


def test_approving_records_the_decision_its_history_and_its_audit_record(item, reviewer):
    approved = approve(user=reviewer, item_id=item.pk, version=1)

    item.refresh_from_db()
    assert approved.pk == item.pk
    assert item.state == ReviewItem.State.APPROVED and item.version == 2
    assert item.decided_by == reviewer and item.decided_at is not None
    decision = Decision.objects.get(item=item)
    assert (decision.state_before, decision.state_after) == ("received", "approved")
    assert decision.version == 2 and decision.decided_by == reviewer
    assert decision.submission_id == item.submission_id
    record = AuditRecord.objects.get(action="review.approved")
    assert record.object_id == str(item.pk) and record.actor_id == reviewer.pk
    assert record.area_code == "35.07.13.2011"
    assert record.before["state"] == "received" and record.after["state"] == "approved"
    assert record.after["version"] == 2
    # In the same transaction, the household went into the registry, once.
    source = Source.objects.get(submission=item.submission)
    assert source.approved_by == reviewer
    assert Person.objects.filter(nik="3507131708800001").count() == 1


def test_an_approved_submission_is_final_here_and_approving_it_again_merges_nothing(item, reviewer):
    approve(user=reviewer, item_id=item.pk, version=1)
    people, changes = Person.objects.count(), RegistryChange.objects.count()

    for attempt in (
        lambda: approve(user=reviewer, item_id=item.pk, version=2),
        lambda: send_back(user=reviewer, item_id=item.pk, version=2, comment="Foto buram"),
        lambda: reject(user=reviewer, item_id=item.pk, version=2, reason="duplicate"),
        lambda: correct_answer(
            user=reviewer,
            item_id=item.pk,
            version=2,
            field="head/hh_head_name",
            member_index=None,
            value="Budi S.",
            reason="KTP",
        ),
    ):
        with pytest.raises(ApprovalIsFinal):
            attempt()
    item.refresh_from_db()
    assert item.state == ReviewItem.State.APPROVED and item.version == 2
    assert (Person.objects.count(), RegistryChange.objects.count()) == (people, changes)
    # One who saw it before the approval is told who approved it, not only that it is final.
    with pytest.raises(ReviewMovedOn):
        send_back(user=reviewer, item_id=item.pk, version=1, comment="Foto buram")
    # The merge itself, replayed (a retried task, a second approval), changes nothing more.
    merge_into_registry(item, approved_by=reviewer)
    assert (Person.objects.count(), RegistryChange.objects.count()) == (people, changes)
    assert Source.objects.filter(submission=item.submission).count() == 1


def test_of_two_reviewers_on_the_same_version_the_second_is_told_what_the_first_did(
    item, reviewer, ppls
):
    colleague = make_user("reviewer_b", "reviewer", ["35.07.13"])
    colleague.first_name, colleague.last_name = "Rina", "Wati"
    colleague.save()
    approve(user=colleague, item_id=item.pk, version=1)

    with pytest.raises(ReviewMovedOn) as moved:
        reject(user=reviewer, item_id=item.pk, version=1, reason="duplicate", comment="")
    assert moved.value.http_status == 409
    assert moved.value.state_code == "approved" and moved.value.version == 2
    with translation.override("en"):
        assert "Rina Wati" in str(moved.value.detail) and "Approved" in str(moved.value.detail)
    with translation.override("id"):
        assert "Disetujui" in str(moved.value.detail)
    item.refresh_from_db()
    assert item.state == "approved" and item.decided_by == colleague
    assert Decision.objects.filter(item=item).count() == 1
    assert AuditRecord.objects.filter(action="review.rejected").count() == 0


def test_a_stale_version_changes_nothing(item, reviewer):
    send_back(user=reviewer, item_id=item.pk, version=1, comment="Foto rumah kabur")
    with pytest.raises(ReviewMovedOn):
        approve(user=reviewer, item_id=item.pk, version=1)
    item.refresh_from_db()
    assert item.state == "has_issues" and item.version == 2


def test_reject_takes_a_reason_from_the_list_and_free_text(item, reviewer):
    with pytest.raises(RejectReasonUnknown):
        reject(user=reviewer, item_id=item.pk, version=1, reason="because", comment="")
    assert "duplicate" in REJECT_REASONS

    reject(user=reviewer, item_id=item.pk, version=1, reason="duplicate", comment=" Sama dgn #12 ")
    item.refresh_from_db()
    assert (item.state, item.reason, item.comment) == ("rejected", "duplicate", "Sama dgn #12")
    record = AuditRecord.objects.get(action="review.rejected")
    assert record.after["reason"] == "duplicate"


def test_sending_back_needs_a_comment_and_sets_has_issues(item, reviewer):
    with pytest.raises(CommentRequired):
        send_back(user=reviewer, item_id=item.pk, version=1, comment="  ")
    send_back(user=reviewer, item_id=item.pk, version=1, comment="NIK anggota 2 salah")
    item.refresh_from_db()
    assert item.state == "has_issues" and item.comment == "NIK anggota 2 salah"
    assert AuditRecord.objects.get(action="review.sent_back").after["state"] == "has_issues"


def test_a_reviewer_of_another_kecamatan_gets_not_found(item, pagelaran_reviewer):
    with pytest.raises(ItemNotFound) as refused:
        approve(user=pagelaran_reviewer, item_id=item.pk, version=1)
    assert refused.value.http_status == 404
    with pytest.raises(ItemNotFound) as unknown:
        approve(user=pagelaran_reviewer, item_id=item.pk + 1000, version=1)
    assert unknown.value.detail == refused.value.detail
    item.refresh_from_db()
    assert item.state == "received"


@pytest.mark.parametrize(
    ("role", "areas"),
    [
        ("field_agent", ["35.07.13.2011"]),
        ("monitor", ["35"]),
        ("coordinator", ["35.07"]),
        ("district_staff", ["35.07"]),
    ],
)
def test_who_does_not_review_may_not_decide(item, role, areas):
    someone = make_user(f"someone_{role}", role, areas)
    for decide in (
        lambda: approve(user=someone, item_id=item.pk, version=1),
        lambda: send_back(user=someone, item_id=item.pk, version=1, comment="x"),
    ):
        with pytest.raises(NotAllowed):
            decide()
    item.refresh_from_db()
    assert item.state == "received" and not Decision.objects.exists()


def test_approve_all_approves_those_without_findings_when_the_count_is_the_one_confirmed(
    agent, reviewer, settings
):
    clean = unchecked_item(agent, Household(instance="clean"), settings)
    edited = unchecked_item(agent, Household(instance="edited-one"), settings)
    ReviewItem.objects.filter(pk=edited.pk).update(state="edited")
    flagged = unchecked_item(agent, Household(instance="flagged"), settings)
    Finding.objects.create(
        item=flagged,
        submission_id=flagged.submission_id,
        check_name="nik.format",
        severity=3,
        field="head/hh_head_nik",
        message_id="x",
        message_en="x",
    )
    ReviewItem.objects.filter(pk=flagged.pk).update(findings_count=1, worst_severity=3)
    sent_back = unchecked_item(agent, Household(instance="sent-back"), settings)
    send_back(user=reviewer, item_id=sent_back.pk, version=1, comment="Foto")

    with pytest.raises(CountChanged) as changed:
        approve_all_without_findings(user=reviewer, filters=QueueFilters(), expected_count=3)
    assert changed.value.http_status == 409 and "2" in changed.value.detail
    assert not ReviewItem.objects.filter(state="approved").exists()

    assert (
        approve_all_without_findings(user=reviewer, filters=QueueFilters(), expected_count=2) == 2
    )
    assert set(ReviewItem.objects.filter(state="approved")) == {clean, edited}
    clean.refresh_from_db()
    assert clean.version == 2 and clean.decided_by == reviewer
    assert Decision.objects.filter(state_after="approved").count() == 2
    assert AuditRecord.objects.filter(action="review.approved").count() == 2
    # Each approved one went into the registry; the flagged one did not.
    assert set(Source.objects.values_list("submission_id", flat=True)) == {
        clean.submission_id,
        edited.submission_id,
    }
    flagged.refresh_from_db()
    assert flagged.state == "received"


def test_a_large_approve_all_merges_after_its_commit_each_once(
    agent, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.SRS_APPROVE_ALL_MERGE_IN_REQUEST = 1
    items = [
        unchecked_item(
            agent,
            Household(
                instance=f"many-{n}",
                head=(f"Kepala {n}", f"350713170880010{n}", "male", "1980-08-17"),
                kk=f"350713010109010{n}",
            ),
            settings,
        )
        for n in range(3)
    ]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert (
            approve_all_without_findings(user=reviewer, filters=QueueFilters(), expected_count=3)
            == 3
        )
    # Approved and committed; not merged yet in the request.
    assert ReviewItem.objects.filter(state="approved").count() == 3
    assert not Source.objects.exists()

    for callback in callbacks:  # the worker (in process here: tasks run eagerly)
        callback()
    assert set(Source.objects.values_list("submission_id", flat=True)) == {
        item.submission_id for item in items
    }
    assert set(Source.objects.values_list("approved_by", flat=True)) == {reviewer.pk}
    # A redelivered task merges nothing more.
    for callback in callbacks:
        callback()
    assert Source.objects.count() == 3


def test_approve_all_is_refused_to_who_does_not_review(item, ppls):
    monitor = make_user("monitor", "monitor", ["35"])
    with pytest.raises(NotAllowed):
        approve_all_without_findings(user=monitor, filters=QueueFilters(), expected_count=0)


def test_items_approved_before_the_merge_existed_are_merged_once_by_the_command(
    agent, settings, reviewer
):
    from io import StringIO

    from django.core.management import call_command

    waiting = unchecked_item(agent, Household(instance="old"), settings)
    # Approved as issue #10 left it: the decision, no registry.
    ReviewItem.objects.filter(pk=waiting.pk).update(state="approved", decided_by=reviewer)

    out = StringIO()
    call_command("merge_approved", stdout=out)
    assert "1 approved submissions merged, 0 refused" in out.getvalue()
    assert Source.objects.get(submission=waiting.submission).approved_by == reviewer
    call_command("merge_approved", stdout=(again := StringIO()))
    assert "0 approved submissions merged" in again.getvalue()
