"""Two workers checking one new submission at the same moment make one review item.

Both read the chain, both find no item, both insert one: the unique submission of
the item lets one win; the other checks its batch again, finds the winner's item
and replaces its findings, so that nothing is doubled and nothing is lost.
"""

import logging
import threading

import pytest
from django.db import connection

import review.checking
from review.checking import check_submissions
from review.models import Finding, PersonKey, PhotoHash, ReviewItem
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import send_processed
from tests.review.review_households import Household

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")


def _stored(item: ReviewItem) -> tuple[list[tuple[str, str, int | None]], int, int]:
    findings = sorted(
        Finding.objects.filter(item=item).values_list("check_name", "field", "member_index")
    )
    return (
        findings,
        PersonKey.objects.filter(item=item).count(),
        PhotoHash.objects.filter(item=item).count(),
    )


def test_two_workers_checking_one_new_submission_make_one_item(
    transactional_db, agent, settings, monkeypatch, caplog
):
    # A household with findings (a NIK of 11 digits), so that doubling would show.
    household = Household(instance="race", head=("Budi", "35071317088", "male", "1980-08-17"))
    submission = send_processed(agent, household, settings)
    # Outside a test transaction the signal checks it at once: undo that, as if the
    # worker had crashed before the checks.
    for model in (Finding, PersonKey, PhotoHash):
        model.objects.filter(submission=submission).delete()
    ReviewItem.objects.filter(submission=submission).delete()

    # Both workers read "no item yet" before either inserts one.
    barrier = threading.Barrier(2)
    read_chains = review.checking._items_for
    first_time = threading.local()

    def items_for_after_both_read(batch):
        found = read_chains(batch)
        if not getattr(first_time, "done", False):
            first_time.done = True
            barrier.wait(timeout=20)
        return found

    monkeypatch.setattr(review.checking, "_items_for", items_for_after_both_read)
    outcomes: list[object] = []

    def worker() -> None:
        from django.db import connections

        try:
            outcomes.append(check_submissions([submission.pk]))
        except Exception as exc:  # noqa: BLE001 (recorded for the assertion)
            outcomes.append(exc)
        finally:
            connections.close_all()

    caplog.set_level(logging.INFO, logger="review.checking")
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes == [1, 1], outcomes
    item = ReviewItem.objects.get(submission=submission)
    assert item.version == 1 and item.state == ReviewItem.State.RECEIVED
    findings, keys, hashes = _stored(item)
    # The same as one check alone leaves.
    monkeypatch.setattr(review.checking, "_items_for", read_chains)
    check_submissions([submission.pk])
    assert _stored(item) == (findings, keys, hashes)
    assert findings and ("nik.format", "members/nik", 0) in findings
    # A lost race is not a bug: nothing is logged as an error.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
