"""The retention periods applied (review.retention): what they reach goes, nothing else."""

from datetime import date, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User
from audit.models import AuditRecord
from intake.ingest import IncomingFile, ingest_submission
from intake.models import Attachment, Submission
from registry.models import Family, Participation, Person, RegistryChange, Source
from registry.models import Household as RegistryHousehold
from review.checking import check_submissions, unchecked_submissions
from review.decisions import approve, reject
from review.models import Finding, PersonKey, ReviewItem
from review.retention import RetentionPeriods, apply_retention
from tests.factories import UserFactory
from tests.registry.registry_data import FOUR, household_of, merge_household, publish, send_answers
from tests.review.checking_setup import *  # noqa: F403
from tests.review.checking_setup import KEPANJEN, TALANGAGUNG, send_checked
from tests.review.review_households import Household as SentHousehold
from tests.review.review_households import house_photo

pytestmark = pytest.mark.django_db(transaction=False)

DAY = timedelta(days=1)
PERIODS = RetentionPeriods(
    rejected=183, decided=730, documents=365, registry=1826, audit=1826, accounts=365
)
KEEP_ALL = RetentionPeriods(rejected=0, decided=0, documents=0, registry=0, audit=0, accounts=0)


def _decided(item: ReviewItem, days_ago: int) -> None:
    ReviewItem.objects.filter(pk=item.pk).update(decided_at=timezone.now() - days_ago * DAY)


def _rejected(agent, reviewer, settings, instance: str, days_ago: int) -> ReviewItem:
    item = send_checked(agent, SentHousehold(instance=instance, members=[]), settings)
    reject(user=reviewer, item_id=item.pk, version=item.version, reason="duplicate")
    _decided(item, days_ago)
    return ReviewItem.objects.get(pk=item.pk)


def _files_of(submission_id: int) -> list[str]:
    return [
        name
        for pair in Attachment.objects.filter(submission_id=submission_id).values_list(
            "file", "thumbnail"
        )
        for name in pair
        if name
    ]


def test_a_rejected_submission_past_its_period_is_erased_and_a_recent_one_kept(
    agent, reviewer, settings, django_capture_on_commit_callbacks
):
    old = _rejected(agent, reviewer, settings, "retention-old", days_ago=200)
    recent = _rejected(agent, reviewer, settings, "retention-recent", days_ago=100)
    old_files = _files_of(old.submission_id)
    assert old_files and all(default_storage.exists(name) for name in old_files)
    assert PersonKey.objects.filter(item=old).exists()

    with django_capture_on_commit_callbacks(execute=True):
        report = apply_retention(periods=PERIODS)

    assert report.submissions_erased == 1
    erased = Submission.objects.get(pk=old.submission_id)
    assert erased.erased_at is not None
    assert bytes(erased.xml) == b"" and erased.answers == {} and erased.device_id == ""
    assert erased.xml_sha256  # a phone sending it again is still told it arrived
    assert not Attachment.objects.filter(submission_id=erased.pk).exists()
    assert not any(default_storage.exists(name) for name in old_files)
    item = ReviewItem.objects.get(pk=old.pk)
    assert (item.head_name, item.head_nik, item.kk_number, item.location) == ("", "", "", None)
    assert item.state == ReviewItem.State.REJECTED  # the decision stays
    assert not PersonKey.objects.filter(item=item).exists()
    assert not Finding.objects.filter(item=item).exists()
    record = AuditRecord.objects.get(action="review.items_erased")
    assert record.before == {"items": [old.pk], "state": "rejected"}
    assert record.after == {"submissions_erased": 1, "files_deleted": 1}

    kept = Submission.objects.get(pk=recent.submission_id)
    assert (
        kept.erased_at is None
        and kept.answers
        and Attachment.objects.filter(submission=kept).exists()
    )
    assert ReviewItem.objects.get(pk=recent.pk).head_name == "Budi Santoso"

    # Again: nothing more.
    again = apply_retention(periods=PERIODS)
    assert again.submissions_erased == 0
    assert AuditRecord.objects.filter(action="review.items_erased").count() == 1


def test_a_phone_sending_an_erased_submission_again_is_told_it_arrived_and_nothing_is_stored(
    agent, reviewer, settings
):
    old = _rejected(agent, reviewer, settings, "retention-resent", days_ago=200)
    submission = Submission.objects.get(pk=old.submission_id)
    xml = bytes(submission.xml)
    apply_retention(periods=PERIODS)

    result = ingest_submission(
        user=agent,
        xml=xml,
        files=[IncomingFile("house.jpg", house_photo(3))],
        device_id="collect:test-phone",
        is_incomplete=False,
    )

    assert result.submission_id == submission.pk and not result.created and not result.stored
    assert Submission.objects.filter(instance_id=submission.instance_id).count() == 1
    assert not Attachment.objects.filter(submission_id=submission.pk).exists()
    assert bytes(Submission.objects.get(pk=submission.pk).xml) == b""


def test_an_erased_submission_is_not_checked_again(agent, reviewer, settings):
    old = _rejected(agent, reviewer, settings, "retention-checks", days_ago=200)
    apply_retention(periods=PERIODS)
    ReviewItem.objects.filter(pk=old.pk).update(checks_version=0)

    assert old.submission_id not in unchecked_submissions(lookback=None)
    assert check_submissions([old.submission_id]) == 0
    assert not Finding.objects.filter(item_id=old.pk).exists()


def test_a_dry_run_counts_and_changes_nothing(agent, reviewer, settings):
    old = _rejected(agent, reviewer, settings, "retention-dry", days_ago=200)

    report = apply_retention(periods=PERIODS, dry_run=True)

    assert report.dry_run and report.submissions_erased == 1
    assert Submission.objects.get(pk=old.submission_id).erased_at is None
    assert not AuditRecord.objects.filter(action="review.items_erased").exists()


def test_periods_of_zero_keep_everything(agent, reviewer, settings):
    old = _rejected(agent, reviewer, settings, "retention-zero", days_ago=5000)

    report = apply_retention(periods=KEEP_ALL)

    assert report.submissions_erased == 0 and report.cutoffs == {}
    assert Submission.objects.get(pk=old.submission_id).erased_at is None


def test_an_approved_household_is_erased_after_its_period_but_the_registry_keeps_its_photo(
    agent, reviewer, settings, django_capture_on_commit_callbacks
):
    item = send_checked(agent, FOUR, settings)
    approve(user=reviewer, item_id=item.pk, version=item.version)
    household = RegistryHousehold.objects.get()
    photo = Attachment.objects.get(pk=household.photo_id)
    _decided(item, days_ago=800)

    with django_capture_on_commit_callbacks(execute=True):
        report = apply_retention(periods=PERIODS)

    assert report.submissions_erased == 1
    assert Submission.objects.get(pk=item.submission_id).erased_at is not None
    assert Attachment.objects.filter(pk=photo.pk).exists()
    assert default_storage.exists(photo.file.name)
    # The registry keeps what it merged, and its provenance still names the submission.
    assert Person.objects.count() == 4
    assert Source.objects.get().submission_id == item.submission_id
    # The page says why the answers are gone.
    client = _signed_in(reviewer)
    page = client.get(reverse("submissions:detail", args=[item.pk]))
    assert page.status_code == 200
    assert 'id="erased"' in page.content.decode()
    api = client.get(f"/api/v1/submissions/{item.pk}/")
    assert api.status_code == 200 and api.json()["erased_at"]


def _signed_in(user: User):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _age_registry(household: RegistryHousehold, days_ago: int) -> None:
    then = timezone.now() - days_ago * DAY
    RegistryHousehold.objects.filter(pk=household.pk).update(updated_at=then)
    Person.objects.filter(household=household).update(updated_at=then)
    Source.objects.filter(summary__household_id=household.pk).update(approved_at=then)
    Participation.objects.filter(household=household).update(until=date(2020, 1, 1))


def test_a_household_unchanged_for_its_period_is_deleted_with_all_it_holds(
    agent, reviewer, settings, django_capture_on_commit_callbacks
):
    household = household_of(merge_household(agent, reviewer, FOUR, settings))
    photo = Attachment.objects.get(pk=household.photo_id)
    _age_registry(household, days_ago=2000)

    with django_capture_on_commit_callbacks(execute=True):
        report = apply_retention(periods=PERIODS)

    assert (report.households_deleted, report.people_deleted, report.families_deleted) == (1, 4, 1)
    assert not RegistryHousehold.objects.exists() and not Person.objects.exists()
    assert not Family.objects.exists() and not RegistryChange.objects.exists()
    assert not Participation.objects.exists()
    assert not Attachment.objects.filter(pk=photo.pk).exists()
    assert not default_storage.exists(photo.file.name)
    record = AuditRecord.objects.get(action="registry.households_deleted")
    assert record.before["ids"] == [household.pk]
    assert record.after == {"households": 1, "people": 4, "families": 1, "photos": 1}
    # The Source (who approved which submission) stays.
    assert Source.objects.count() == 1


def test_a_household_still_served_is_kept(agent, reviewer, settings):
    household = household_of(merge_household(agent, reviewer, FOUR, settings))
    _age_registry(household, days_ago=2000)
    # Its programme still runs.
    Participation.objects.filter(household=household).update(until=None)
    assert apply_retention(periods=PERIODS).households_deleted == 0
    # A survey found it again recently, though nothing changed.
    Participation.objects.filter(household=household).update(until=date(2020, 1, 1))
    Source.objects.update(approved_at=timezone.now() - 10 * DAY)
    assert apply_retention(periods=PERIODS).households_deleted == 0
    # One of its people changed recently.
    _age_registry(household, days_ago=2000)
    Person.objects.filter(nik=FOUR.members[0][1]).update(updated_at=timezone.now())
    assert apply_retention(periods=PERIODS).households_deleted == 0
    assert RegistryHousehold.objects.filter(pk=household.pk).exists()
    assert Person.objects.count() == 4


def test_old_audit_records_are_deleted_and_the_deletion_is_recorded(db):
    old = AuditRecord.objects.create(
        at=timezone.now() - 2000 * DAY,
        action="x.old",
        object_type="x",
        object_id="1",
        object_label="",
        source="test",
    )
    recent = AuditRecord.objects.create(
        at=timezone.now() - 10 * DAY,
        action="x.recent",
        object_type="x",
        object_id="2",
        object_label="",
        source="test",
    )

    report = apply_retention(periods=PERIODS)

    assert report.audit_records_deleted == 1
    assert not AuditRecord.objects.filter(pk=old.pk).exists()
    assert AuditRecord.objects.filter(pk=recent.pk).exists()
    assert AuditRecord.objects.get(action="audit.records_deleted").after == {"deleted": 1}


def test_a_departed_staff_members_details_are_erased_after_a_year(db):
    left = UserFactory(username="left", first_name="Rina", last_name="K", email="r@example.org")
    User.objects.filter(pk=left.pk).update(is_active=False, last_login=timezone.now() - 400 * DAY)
    ApiToken.objects.create(
        user=left,
        key_hash="x" * 64,
        password_fingerprint="y",
        expires_at=timezone.now() + DAY,
    )
    still = UserFactory(username="still", first_name="Agus")
    User.objects.filter(pk=still.pk).update(last_login=timezone.now() - 400 * DAY)

    assert apply_retention(periods=PERIODS).accounts_erased == 1

    left.refresh_from_db()
    assert (left.first_name, left.last_name, left.email) == ("", "", "")
    assert not left.has_usable_password()
    assert not ApiToken.objects.filter(user=left).exists()
    assert User.objects.get(pk=still.pk).first_name == "Agus"
    assert AuditRecord.objects.filter(action="accounts.user_erased", object_id=str(left.pk))


def test_the_command_prints_its_report(agent, reviewer, settings, capsys):
    _rejected(agent, reviewer, settings, "retention-command", days_ago=200)
    settings.SRS_RETENTION_REJECTED_DAYS = 183

    call_command("apply_retention", "--dry-run")

    assert '"submissions_erased": 1' in capsys.readouterr().out
    assert not Submission.objects.filter(erased_at__isnull=False).exists()


def test_the_card_photos_of_an_approved_registration_go_after_a_year_its_answers_stay(
    agent, reviewer, district, settings, django_capture_on_commit_callbacks
):
    version = publish("programme_registration", district)
    name, nik, sex, born = FOUR.head
    answers = {
        "place": {"regency": "35.07", "subdistrict": KEPANJEN, "village": TALANGAGUNG},
        "name": name,
        "nik": nik,
        "kk": FOUR.kk,
        "sex": sex,
        "birth_date": born,
        "programme": "bpjs_pbi",
        "bpjs_membership": "pbi",
        "ktp_photo": "ktp.jpg",
        "kk_photo": "kk.jpg",
        "consent": "yes",
    }
    submission = send_answers(
        agent,
        version,
        answers,
        instance="retention-register",
        settings=settings,
        files=("ktp.jpg", "kk.jpg"),
    )
    check_submissions([submission.pk])
    item = ReviewItem.objects.get(submission=submission)
    approve(user=reviewer, item_id=item.pk, version=item.version)
    files = _files_of(submission.pk)
    assert len(files) >= 2
    _decided(item, days_ago=400)

    with django_capture_on_commit_callbacks(execute=True):
        report = apply_retention(periods=PERIODS)

    assert report.files_deleted == 2 and report.submissions_erased == 0
    assert not Attachment.objects.filter(submission=submission).exists()
    assert not any(default_storage.exists(name) for name in files)
    submission.refresh_from_db()
    assert submission.erased_at is None and submission.answers["nik"] == nik
    assert AuditRecord.objects.filter(action="review.documents_deleted").count() == 1
    # A household survey's house photo is no document: it stays until its own period.
    assert apply_retention(periods=PERIODS).files_deleted == 0
