"""Two identical POSTs at the same moment store one submission."""

import os
import threading

import pytest
from django.db import connection

from intake.ingest import IncomingFile, ingest_submission
from intake.models import Attachment, Submission
from tests.collector_api.test_bad_input import _xml
from tests.openrosa_fixtures import jpeg

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")


@pytest.mark.parametrize("runs", range(3))
def test_identical_posts_racing_store_one_submission(openrosa_setup, runs):
    agent = openrosa_setup["agent"]
    xml = _xml(uuid=f"22222222-2222-4222-8222-22222222222{runs}")
    photo = jpeg(200, seed=runs)
    barrier = threading.Barrier(6)
    outcomes: list[object] = []

    def post() -> None:
        from django.db import connections

        try:
            barrier.wait()
            result = ingest_submission(
                user=agent,
                xml=xml,
                files=[IncomingFile("house.jpg", photo)],
                device_id="race",
                is_incomplete=False,
            )
            outcomes.append(result.created)
        except Exception as exc:  # noqa: BLE001 (recorded for the assertion)
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str) == [False] * 5 + [True], outcomes
    assert Submission.objects.count() == 1
    assert Attachment.objects.count() == 1
    assert Submission.objects.get().status == Submission.Status.COMPLETE
    # The five that lost the race wrote the photo too, then removed it: one file on disk.
    attachment = Attachment.objects.get()
    on_disk = set(os.listdir(os.path.dirname(attachment.file.path)))
    assert on_disk - {os.path.basename(attachment.thumbnail.name)} == {
        os.path.basename(attachment.file.name)
    }
