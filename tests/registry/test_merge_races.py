"""Two workers merging one approved submission at the same moment merge it once.

The second one's Source insert waits for the first one's transaction; when that
commits, the unique submission of the Source refuses the second, which returns
the first one's Source and writes nothing.
"""

import logging
import threading
import time
from dataclasses import replace

import pytest
from django.db import connection, connections

import registry.merge
import registry.planner
from audit.models import AuditRecord
from registry.merge import merge_submission
from registry.models import Person, RegistryChange, Source
from tests.registry.registry_data import FOUR, moved_child_household
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


def test_two_households_approved_at_once_with_one_new_person_make_her_once(
    transactional_db, agent, reviewer, settings, monkeypatch, caplog
):
    """Both plans create Siti; the second insert waits, is refused when the first
    commits, and the second merge plans again: she moves, she is not doubled."""
    budi = send_processed(agent, FOUR, settings)
    elsewhere = replace(
        moved_child_household(),
        members=[(*FOUR.members[0][:4], "parent")],
    )
    andi = send_processed(agent, elsewhere, settings)
    planned = registry.merge.compute_plan

    def slow_plan(**kwargs):
        result = planned(**kwargs)
        time.sleep(0.5)  # both have planned before either inserts
        return result

    monkeypatch.setattr(registry.merge, "compute_plan", slow_plan)
    caplog.set_level(logging.INFO, logger="registry.merge")
    outcomes: list[object] = []

    def worker(submission) -> None:
        try:
            merge_submission(
                submission=submission, answers=submission.answers, approved_by=reviewer
            )
            outcomes.append("merged")
        except Exception as exc:  # noqa: BLE001 (recorded for the assertion)
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(s,)) for s in (budi, andi)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert outcomes == ["merged", "merged"]
    assert "planned again" in caplog.text
    assert Person.objects.filter(nik=FOUR.members[0][1]).count() == 1
    assert Source.objects.count() == 2


def test_two_merges_that_deadlock_are_both_merged_the_loser_planned_again(
    transactional_db, agent, reviewer, settings, monkeypatch, caplog
):
    """A re-survey of Budi's household locks it, then its people; a survey of his son's,
    which Budi heads no more, locks Budi, then the household he leaves (to clear its
    head). Each waits for the other: PostgreSQL rolls one back (40P01), which plans and
    applies again from its savepoint once the other has committed."""
    first = send_processed(agent, FOUR, settings)
    merge_submission(submission=first, answers=first.answers, approved_by=reviewer)
    resurvey = send_processed(agent, replace(FOUR, instance="registry-budi-again"), settings)
    moving = send_processed(
        agent, replace(moved_child_household(), members=[(*FOUR.head, "parent")]), settings
    )
    read_people = registry.planner.Planner.read_people
    first_locks = threading.Event()

    def read_people_slowly(self, records, household):
        read_people(self, records, household)
        if self.lock and self.submission.pk == moving.pk and not first_locks.is_set():
            first_locks.set()
            time.sleep(1.0)  # the re-survey locks Budi's household meanwhile

    monkeypatch.setattr(registry.planner.Planner, "read_people", read_people_slowly)
    caplog.set_level(logging.INFO, logger="registry.merge")
    outcomes: dict[str, object] = {}

    def worker(name: str, submission) -> None:
        try:
            if name == "resurvey":
                first_locks.wait(timeout=10)
            merge_submission(
                submission=submission, answers=submission.answers, approved_by=reviewer
            )
            outcomes[name] = "merged"
        except Exception as exc:  # noqa: BLE001 (recorded for the assertion)
            outcomes[name] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=("moving", moving)),
        threading.Thread(target=worker, args=("resurvey", resurvey)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes == {"moving": "merged", "resurvey": "merged"}
    assert "sqlstate 40P01" in caplog.text and "planned again" in caplog.text
    assert Source.objects.filter(submission__in=[moving, resurvey]).count() == 2
    assert AuditRecord.objects.filter(action="registry.merged").count() == 3
    assert Person.objects.filter(nik=FOUR.head[1]).count() == 1
    # Each merge's changes are there once: none of the rolled-back attempt's.
    for source in Source.objects.filter(submission__in=[moving, resurvey]):
        fields = list(source.changes.values_list("person_id", "household_id", "field"))
        assert len(fields) == len(set(fields))
