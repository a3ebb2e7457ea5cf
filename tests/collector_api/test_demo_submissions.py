"""The demo's sample households go through the real ingestion, once."""

import pytest

from accounts.models import User
from forms.demo import seed_demo
from intake.demo_submissions import seed_sample_submissions
from intake.models import Submission


@pytest.mark.django_db
def test_sample_households_are_sent_once_and_read_like_phone_submissions(
    django_capture_on_commit_callbacks,
):
    seed_demo()
    agent = User.objects.get(username="agent")
    with django_capture_on_commit_callbacks(execute=True):
        assert seed_sample_submissions(agent=agent) == 7
    assert seed_sample_submissions(agent=agent) == 0
    submissions = Submission.objects.all()
    assert submissions.count() == 7
    for submission in submissions:
        assert submission.status == Submission.Status.COMPLETE
        assert submission.area_id.startswith("35.07.13.")
        assert submission.attachments.get().content_type == "image/jpeg"
        assert submission.answers["head"]["hh_head_name"]
        assert len(submission.answers["members"]) == int(submission.answers["member_count"])


@pytest.mark.django_db
def test_the_demos_queue_shows_what_the_checks_find(django_capture_on_commit_callbacks):
    """Three sample households are made to be flagged, so the demo shows the findings."""
    from review.models import Finding

    seed_demo()
    with django_capture_on_commit_callbacks(execute=True):
        seed_sample_submissions(agent=User.objects.get(username="agent"))

    def checks_of(head: str) -> set[str]:
        return set(
            Finding.objects.filter(item__head_name=head).values_list("check_name", flat=True)
        )

    assert {"household.duplicate", "photo.duplicate"} <= checks_of("Boedi Santoso")
    assert {"nik.sex", "nik.birth_date", "phone.invalid"} <= checks_of("Sri Wahyuni")
    assert "gps.outside_indonesia" in checks_of("Suparman")
    assert checks_of("Dewi Sartika") == set()


@pytest.mark.django_db(transaction=True)
def test_the_demo_command_puts_two_households_into_the_registry_once(settings):
    from io import StringIO

    from django.core.management import call_command

    from registry.models import Household, Source
    from review.models import ReviewItem

    settings.SRS_ODK_VALIDATE = False
    call_command("seed_demo", stdout=StringIO())
    assert Source.objects.count() == 2 and Household.objects.count() == 2
    assert ReviewItem.objects.filter(state="approved").count() == 2
    assert ReviewItem.objects.filter(state="received").exists()  # the rest wait for review
    call_command("seed_demo", stdout=StringIO())
    assert Source.objects.count() == 2
