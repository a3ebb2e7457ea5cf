"""The processing queue: what a crash or a lost message leaves awaiting is done, once."""

from django.core.management import call_command

from intake.ingest import IncomingFile, ingest_submission
from intake.models import Attachment, Submission
from intake.processing import process_awaiting_submissions
from intake.queries import submissions_awaiting_processing
from tests.collector_api.test_bad_input import _xml
from tests.openrosa_fixtures import jpeg


def _store(agent, uuid: str, settings) -> Submission:
    """Store as production does: nothing processed on the request path."""
    settings.SRS_PROCESS_IN_REQUEST = False
    result = ingest_submission(
        user=agent,
        xml=_xml(uuid=uuid),
        files=[IncomingFile("house.jpg", jpeg())],
        device_id="t",
        is_incomplete=False,
    )
    return Submission.objects.get(pk=result.submission_id)


def test_production_requests_leave_the_work_to_the_sweep(openrosa_setup, settings):
    first = _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000001", settings)
    second = _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000002", settings)
    assert set(submissions_awaiting_processing()) == {first, second}
    assert not Attachment.objects.exclude(thumbnail="").exists()

    assert process_awaiting_submissions(seconds=30) == 2
    assert process_awaiting_submissions(seconds=30) == 0  # done once, not again
    for submission in Submission.objects.all():
        assert submission.processed_at is not None
        assert submission.answers["village"] == "35.07.13.2011"
    assert not Attachment.objects.filter(thumbnail="").exists()


def test_a_broken_submission_is_recorded_and_holds_up_no_other(openrosa_setup, settings):
    broken = _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000003", settings)
    good = _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000004", settings)
    Submission.objects.filter(pk=broken.pk).update(xml=b"<broken")

    assert process_awaiting_submissions(seconds=30) == 2
    broken.refresh_from_db()
    good.refresh_from_db()
    assert "submission_malformed" in broken.processing_error and broken.processed_at is None
    assert good.processed_at is not None and good.processing_error == ""
    assert not submissions_awaiting_processing().exists()


def test_the_operator_command_processes_what_is_awaiting(openrosa_setup, settings, capsys):
    _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000005", settings)
    call_command("process_pending_submissions", "--limit", "10")
    assert "1 submissions processed" in capsys.readouterr().out
    assert not submissions_awaiting_processing().exists()


def test_on_the_embedded_default_the_request_processes_its_own_and_a_left_over_one(
    openrosa_setup, settings, django_capture_on_commit_callbacks
):
    left_over = _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000006", settings)
    settings.SRS_PROCESS_IN_REQUEST = True
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest_submission(
            user=openrosa_setup["agent"],
            xml=_xml(uuid="10000000-0000-4000-8000-000000000007"),
            files=[IncomingFile("house.jpg", jpeg())],
            device_id="t",
            is_incomplete=False,
        )
    assert Submission.objects.get(pk=result.submission_id).processed_at is not None
    left_over.refresh_from_db()
    assert left_over.processed_at is not None


def test_the_sweep_waits_while_phones_are_sending_but_not_for_long(openrosa_setup, settings):
    for n in range(3):
        _store(openrosa_setup["agent"], f"10000000-0000-4000-8000-00000000001{n}", settings)
    settings.SRS_PROCESS_YIELD_ARRIVALS = 3  # three arrived within the last second
    assert process_awaiting_submissions(seconds=1.0, yield_to_phones=True) == 0
    assert submissions_awaiting_processing().count() == 3

    settings.SRS_PROCESS_MAX_DELAY_SECONDS = 0  # they have waited long enough
    assert process_awaiting_submissions(seconds=30, yield_to_phones=True) == 3
    assert not submissions_awaiting_processing().exists()


def test_a_quiet_moment_is_used_at_once(openrosa_setup, settings):
    _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000020", settings)
    settings.SRS_PROCESS_YIELD_ARRIVALS = 5  # one arrival is no burst
    assert process_awaiting_submissions(seconds=30, yield_to_phones=True) == 1


def test_one_submission_that_breaks_processing_holds_up_no_other(
    openrosa_setup, settings, monkeypatch
):
    from intake.thumbnails import make_thumbnails

    good = _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000030", settings)
    bad = _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000031", settings)

    def thumbnails_failing_for_bad(*, submission_ids):
        if bad.pk in submission_ids:
            raise RuntimeError("a photo the image library chokes on")
        return make_thumbnails(submission_ids=submission_ids)

    monkeypatch.setattr("intake.processing.make_thumbnails", thumbnails_failing_for_bad)
    assert process_awaiting_submissions(seconds=30) == 2
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.processed_at is not None and good.answers["village"] == "35.07.13.2011"
    assert bad.processed_at is None and "RuntimeError: a photo" in bad.processing_error
    assert not submissions_awaiting_processing().exists()
    assert process_awaiting_submissions(seconds=30) == 0  # the queue is not stuck on it


def test_a_decompression_bomb_gets_no_thumbnail_but_its_answers(
    openrosa_setup, settings, monkeypatch
):
    submission = _store(openrosa_setup["agent"], "10000000-0000-4000-8000-000000000032", settings)
    # The test photo (64x64) is above twice this limit: Pillow refuses to open it.
    monkeypatch.setattr("PIL.Image.MAX_IMAGE_PIXELS", 1000)
    assert process_awaiting_submissions(seconds=30) == 1
    submission.refresh_from_db()
    assert submission.processed_at is not None and submission.processing_error == ""
    assert submission.attachments.get().thumbnail == ""
