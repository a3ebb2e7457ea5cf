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
