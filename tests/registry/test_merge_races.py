"""Two workers merging one approved submission at the same moment merge it once.

The second one's Source insert waits for the first one's transaction; when that
commits, the unique submission of the Source refuses the second, which returns
the first one's Source and writes nothing.
"""

import threading
import time

import pytest
from django.db import connection, connections

import registry.merge
from audit.models import AuditRecord
from registry.merge import merge_submission
from registry.models import Person, RegistryChange, Source
from tests.registry.registry_data import FOUR
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import send_processed

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")


def test_two_workers_merging_one_submission_merge_it_once(
    transactional_db, agent, reviewer, settings, monkeypatch
):
    submission = send_processed(agent, FOUR, settings)
    planned = registry.merge.compute_plan

    def slow_plan(**kwargs):
        time.sleep(0.5)  # the other worker's insert of the Source waits meanwhile
        return planned(**kwargs)

    monkeypatch.setattr(registry.merge, "compute_plan", slow_plan)
    outcomes: list[object] = []

    def worker() -> None:
        try:
            outcomes.append(
                merge_submission(
                    submission=submission, answers=submission.answers, approved_by=reviewer
                ).pk
            )
        except Exception as exc:  # noqa: BLE001 (recorded for the assertion)
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join(timeout=30)

    source = Source.objects.get()
    assert outcomes == [source.pk, source.pk]
    assert Person.objects.count() == 4
    assert RegistryChange.objects.filter(field="birth_date").count() == 4
    assert AuditRecord.objects.filter(action="registry.merged").count() == 1
