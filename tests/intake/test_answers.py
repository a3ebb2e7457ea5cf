"""Structured answers are derived from the raw XML, again and again the same."""

import pytest

from intake.answers import derive_answers
from intake.models import Submission
from intake.tasks import process_submission_task
from tests.review.test_submission_pages import sent_submission  # noqa: F401 (fixture)


@pytest.fixture
def submission(sent_submission):  # noqa: F811
    """Stored from a phone, not yet processed: what these tests process."""
    return sent_submission


def test_deriving_twice_gives_the_same_answers(submission):
    assert derive_answers(submission_ids=[submission.pk]).done == [submission.pk]
    first = Submission.objects.get(pk=submission.pk).answers
    assert derive_answers(submission_ids=[submission.pk]).done == [submission.pk]
    second = Submission.objects.get(pk=submission.pk).answers
    assert first == second
    assert first["village"] == "35.07.13.2011"
    assert first["members"] == [{"name": "Siti"}]
    assert bytes(Submission.objects.get(pk=submission.pk).xml).startswith(b"<?xml")


def test_a_task_that_fails_for_good_records_it(submission):
    Submission.objects.filter(pk=submission.pk).update(
        xml=b"<broken", processed_at=None, answers=None
    )
    process_submission_task.apply(args=[submission.pk], throw=True)
    broken = Submission.objects.get(pk=submission.pk)
    assert "submission_malformed" in broken.processing_error
    assert broken.processed_at is None and broken.answers is None


def test_photos_get_thumbnails_once(submission):
    from intake.models import Attachment
    from intake.thumbnails import make_thumbnails

    # The processing task made it after the commit; running again makes nothing.
    assert submission.attachments.get().thumbnail
    assert make_thumbnails(submission_ids=[submission.pk]) == 0
    Attachment.objects.update(thumbnail="")
    assert make_thumbnails(submission_ids=[submission.pk]) == 1
    attachment = submission.attachments.get()
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(attachment.thumbnail.read())) as preview:
        assert max(preview.size) <= 320
    assert attachment.file.read() != attachment.thumbnail.read()
