"""The batch merge on PostGIS with a registry of 1,000,000 people: rows/s, queries, memory.

Works on a copy of ``srs_bench_registry`` (``tests/bench/registry.py`` fills it) made
with ``CREATE DATABASE … TEMPLATE`` and dropped at the end (``--keep-copy`` keeps it):

    .venv/bin/python tests/bench/batch_merge.py --batches 2 --sizes 1000,5000

For each batch size it merges new households (the registry's generator: people and
families no one holds) and re-surveys of loaded households (as the registry holds
them, a housing answer and work hours changed, sometimes a newborn) with
``plan_batch`` + ``apply_batch``, and prints rows (people) per second, queries per
batch and the peak of Python's allocations (tracemalloc) and of the RSS.
"""

import argparse
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_database import manage, max_rss_mb, psql, setup_django  # noqa: E402

TEMPLATE = "srs_bench_registry"
COPY = "srs_bench_batch_merge"


def _record(surveyed: Any) -> Any:
    from forms.geopoint import GeoPoint
    from registry.records import HouseholdRecord, PersonRecord, PlaceRecord

    members = tuple(
        PersonRecord(
            name=m.name,
            nik=m.nik,
            sex=m.sex,
            birth_date=m.birth_date,
            kk=m.kk,
            relation=m.relation,
            phone=m.phone,
            details=dict(m.details),
        )
        for m in surveyed.members
    )
    head = surveyed.members[0]
    return HouseholdRecord(
        place=PlaceRecord(
            village_code=surveyed.village,
            rt=surveyed.rt,
            rw=surveyed.rw,
            address=surveyed.address,
            location=GeoPoint(surveyed.lat, surveyed.lon, 0.0, surveyed.accuracy),
        ),
        head_nik=head.nik,
        head_name=head.name,
        kk=head.kk,
        members=members,
        housing=dict(surveyed.housing),
        assets=tuple(surveyed.assets),
        programmes=tuple(surveyed.programmes),
    )


def _batch(bench: Any, make: Any, size: int, first_row: int) -> list[Any]:
    from registry.batch_merge import BatchRecord

    records = []
    row = first_row
    people = 0
    while people < size:
        record = _record(make())
        rows = tuple(range(row, row + len(record.members)))
        row += len(rows)
        people += len(rows)
        records.append(BatchRecord(rows=rows, record=record))
    return records


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,10000", help="people per batch")
    parser.add_argument("--batches", type=int, default=2, help="batches of each kind and size")
    parser.add_argument("--keep-copy", action="store_true")
    args = parser.parse_args()
    psql(f"DROP DATABASE IF EXISTS {COPY}")
    started = time.perf_counter()
    psql(f"CREATE DATABASE {COPY} TEMPLATE {TEMPLATE}")
    print(f"copy of {TEMPLATE} made in {time.perf_counter() - started:.0f} s", flush=True)
    try:
        manage(COPY, "migrate", "-v0")  # the template may predate the newest migrations
        setup_django(COPY)
        _run([int(s) for s in args.sizes.split(",")], args.batches)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_copy:
            psql(f"DROP DATABASE IF EXISTS {COPY}")


def _run(sizes: list[int], batches: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from registry.batch_merge import apply_batch, create_import_source, plan_batch
    from registry.models import Household
    from tests.bench.registry import Bench

    bench = Bench(rounds=1, seed=7)
    bench.household_ids = list(Household.objects.values_list("pk", flat=True)[:200000])
    applier = User.objects.filter(is_superuser=True).first() or User.objects.first()
    source = create_import_source(
        label="bench:batch_merge", applied_by=applier, observed_at=timezone.now()
    )
    row = 1
    print(
        f"{'kind':<10} {'size':>6} {'records':>8} {'plan s':>7} {'apply s':>8} {'rows/s':>8} "
        f"{'queries':>8} {'passes':>6} {'changes':>8} {'py peak MB':>10} {'rss MB':>7}",
        flush=True,
    )
    for size in sizes:
        for kind, make in (("new", bench._new_household), ("resurvey", bench._resurvey)):
            for _ in range(batches):
                records = _batch(bench, make, size, row)
                people = sum(len(r.rows) for r in records)
                row += people + 1
                tracemalloc.start()
                queries = _Counter()
                with connection.execute_wrapper(queries):
                    t0 = time.perf_counter()
                    plan = plan_batch(records, observed_at=timezone.now(), source_label="bench")
                    t1 = time.perf_counter()
                    summary = apply_batch(plan, source=source)
                    t2 = time.perf_counter()
                peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
                tracemalloc.stop()
                print(
                    f"{kind:<10} {size:>6} {len(records):>8} {t1 - t0:>7.2f} {t2 - t1:>8.2f} "
                    f"{people / (t2 - t0):>8.0f} {queries.count:>8} {summary.passes:>6} "
                    f"{summary.changes:>8} {peak:>10.0f} {max_rss_mb():>7.0f}",
                    flush=True,
                )


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


if __name__ == "__main__":
    main()
