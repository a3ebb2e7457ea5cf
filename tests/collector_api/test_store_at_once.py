"""On PostgreSQL the usual POST is stored in one statement, and a repeat leaves no stray file."""

import os

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intake.ingest import IncomingFile, ingest_submission
from intake.models import Attachment, Submission, attachment_name
from tests.collector_api.test_bad_input import _xml
from tests.openrosa_fixtures import jpeg

pytestmark = pytest.mark.postgres_only

UUID = "33333333-3333-4333-8333-333333333333"


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("one statement with data-modifying WITH is PostgreSQL's")


def _send(agent, xml: bytes, photo: bytes):
    return ingest_submission(
        user=agent,
        xml=xml,
        files=[IncomingFile("house.jpg", photo)],
        device_id="phone-1",
        is_incomplete=False,
    )


def _one_statement_inserts(captured: CaptureQueriesContext) -> list[str]:
    """The statements that insert a submission and its attachments together."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("WITH new_submission AS (INSERT")
        and Attachment._meta.db_table in q["sql"]
    ]


def _files_in_folder(questionnaire_id: int) -> list[str]:
    folder = os.path.dirname(
        default_storage.path(
            attachment_name(
                questionnaire_id=questionnaire_id, instance_id=f"uuid:{UUID}", filename="x"
            )
        )
    )
    return sorted(os.listdir(folder))


def test_a_new_complete_submission_is_one_statement_with_its_photo(openrosa_setup):
    agent = openrosa_setup["agent"]
    photo = jpeg(200, seed=3)
    _send(agent, _xml(uuid="44444444-4444-4444-8444-444444444444"), photo)  # versions remembered
    with CaptureQueriesContext(connection) as captured:
        result = _send(agent, _xml(uuid=UUID), photo)
    # (Then, on the embedded default's settings that tests use, it is processed and checked
    # in process, after the commit: the review queue's rows are written then, by review.)
    inserts = [
        q["sql"]
        for q in captured.captured_queries
        if "INSERT" in q["sql"] and not q["sql"].lstrip().startswith('INSERT INTO "review_')
    ]
    assert len(inserts) == 1, inserts
    assert Submission._meta.db_table in inserts[0] and Attachment._meta.db_table in inserts[0]
    assert result.created and result.is_complete and result.stored == ("house.jpg",)
    submission = Submission.objects.get(pk=result.submission_id)
    assert submission.is_complete and submission.completed_at and submission.device_id == "phone-1"
    assert submission.form_version.version == "1" and submission.area_id == "35.07.13.2011"
    attachment = Attachment.objects.get(submission=submission)
    assert attachment.content_type == "image/jpeg" and attachment.size == len(photo)
    assert attachment.file.read() == photo and attachment.received_at


def test_sending_it_again_stores_nothing_and_leaves_no_stray_file(openrosa_setup):
    agent = openrosa_setup["agent"]
    photo = jpeg(200, seed=4)
    first = _send(agent, _xml(uuid=UUID), photo)
    with CaptureQueriesContext(connection) as captured:
        again = _send(agent, _xml(uuid=UUID), photo)
    # It tried the one statement (writing the photo first), found the instanceID taken.
    assert len(_one_statement_inserts(captured)) == 1
    assert first.created and not again.created and again.stored == ()
    assert again.submission_id == first.submission_id
    assert Submission.objects.count() == 1 and Attachment.objects.count() == 1
    questionnaire_id = Submission.objects.get().questionnaire_id
    attachment = Attachment.objects.get()
    assert set(_files_in_folder(questionnaire_id)) == {
        "house.jpg",
        os.path.basename(attachment.thumbnail.name),
    }


def test_a_statement_that_fails_removes_the_files_it_wrote(openrosa_setup):
    import psycopg
    from django.db import OperationalError

    agent = openrosa_setup["agent"]
    questionnaire_id = openrosa_setup["questionnaire"].pk
    _send(agent, _xml(uuid="44444444-4444-4444-8444-444444444444"), jpeg(200, seed=5))
    # Another session holds the attachments table; this one gives up waiting for it.
    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute(f"LOCK TABLE {Attachment._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            with (
                CaptureQueriesContext(connection) as captured,
                pytest.raises(OperationalError, match="lock timeout"),
            ):
                _send(agent, _xml(uuid=UUID), jpeg(200, seed=6))
            assert len(_one_statement_inserts(captured)) == 1  # the statement that failed
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")
    assert Submission.objects.filter(instance_id=f"uuid:{UUID}").count() == 0
    assert Attachment.objects.count() == 1
    assert _files_in_folder(questionnaire_id) == []
