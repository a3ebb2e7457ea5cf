#!/usr/bin/env python3
"""The worker's CPU per submission: answers, thumbnail and every review check, in process.

On production settings (PostgreSQL + PostGIS, media on disk), submissions are
stored through ``intake.ingest.ingest_submission`` as a phone's POST stores
them (not measured), then the worker's own sweep
(``intake.processing.process_awaiting_submissions``) processes them: the
thumbnail of the photo, the answers, and, through intake's signal after the
commit, every check of ``review.checking`` with the queue's data (the same
NIK elsewhere, duplicate households, the village's other points, photo hashes).
Each round is measured twice: once with the review checks disconnected
(answers and thumbnail alone) and once with them, so that the checks' own
cost shows. Printed per submission: the worker process's CPU (user + kernel),
its PostgreSQL backend's CPU, statements, wall time. The target of issue #10:
at most 10 ms of worker CPU per submission (100 a second per process).

Before the rounds, ``--history`` submissions are stored, processed and
checked, so that the database checks look through a queue that is not empty
(a village of households around the same point, their NIKs and photo hashes).

Run: .venv/bin/python tests/bench/review_worker.py [--count N] [--rounds R]
     [--history H] [--photo-size 1600x1200] [--profile FILE]
"""

import argparse
import cProfile
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.household_form import household_instance  # noqa: E402
from tests.live_stack import LiveStack  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


_MEMBER = re.compile(rb"<nik>[0-9]*</nik><birth_date>(\d\d)(\d\d)-(\d\d)-(\d\d)</birth_date>")


def _with_real_niks(xml: bytes, n: int) -> bytes:
    """Each member a NIK of her own that agrees with her birth date, as most households
    have; one household in ten keeps a NIK that does not (findings on 10%)."""
    serial = iter(range(4))

    def nik(match: re.Match[bytes]) -> bytes:
        _century, year, month, day = (g.decode() for g in match.groups())
        number = f"350713{day}{month}{year}{(n * 4 + next(serial)) % 10000:04d}"
        if n % 10 == 0:
            number = number[:6] + "99" + number[8:]  # no such day
        return match.group(0).replace(
            match.group(0)[: match.group(0).index(b"</nik>")], b"<nik>" + number.encode()
        )

    return _MEMBER.sub(nik, xml)


def _photo(seed: int, size: tuple[int, int]) -> bytes:
    from tests.review.review_households import house_photo

    return house_photo(seed, size=size, quality=85)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200, help="submissions a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--history", type=int, default=500, help="checked before the rounds")
    parser.add_argument("--photo-size", default="1600x1200")
    parser.add_argument("--database", default="srs_bench_review", help="made anew, dropped after")
    parser.add_argument("--profile", metavar="FILE", help="cProfile statistics of the checks")
    args = parser.parse_args()
    width, height = (int(n) for n in args.photo_size.split("x"))
    with tempfile.TemporaryDirectory() as var:
        stack = LiveStack(
            Path(var),
            port=8766,
            database_url=f"postgis://postgres@127.0.0.1:5432/{args.database}",
            redis_url="redis://127.0.0.1:6379/14",
        )
        stack.setup()
        try:
            os.environ.update(stack.env())
            os.environ["DJANGO_SETTINGS_MODULE"] = "srs.settings"
            import django

            django.setup()
            from django.db import connection

            from accounts.models import User
            from intake.ingest import IncomingFile, ingest_submission
            from intake.processing import process_awaiting_submissions
            from intake.signals import submissions_processed
            from review.models import Finding, ReviewItem
            from review.signals import check_processed_submissions

            agent = User.objects.get(username="agent")
            photos = [_photo(seed, (width, height)) for seed in range(8)]
            numbers = iter(range(10**9))

            def store(count: int) -> None:
                for _ in range(count):
                    n = next(numbers)
                    xml = _with_real_niks(household_instance(f"uuid:{uuid.uuid4()}"), n)
                    ingest_submission(
                        user=agent,
                        xml=xml,
                        files=[IncomingFile("house.jpg", photos[n % len(photos)])],
                        device_id="bench",
                        is_incomplete=False,
                    )

            statements = [0]

            def counting(execute, sql, params_, many, context):  # noqa: ANN001
                statements[0] += 1
                return execute(sql, params_, many, context)

            store(args.history)
            process_awaiting_submissions(seconds=3600)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            print(
                f"photo {width}x{height} ({len(photos[0]) / 1000:.0f} kB), {args.count} "
                f"submissions a round, {ReviewItem.objects.count()} items in the queue before, "
                f"{Finding.objects.count()} findings; worker sweep in process on PostGIS"
            )

            def measure(with_checks: bool, profiler: cProfile.Profile | None) -> tuple:
                store(args.count)
                if not with_checks:
                    submissions_processed.disconnect(
                        dispatch_uid="review.check_processed_submissions"
                    )
                statements[0] = 0
                pg_before = _ticks(backend)
                cpu_before = time.process_time()
                wall_before = time.perf_counter()
                try:
                    with connection.execute_wrapper(counting):
                        if profiler:
                            profiler.enable()
                        done = process_awaiting_submissions(seconds=3600)
                        if profiler:
                            profiler.disable()
                finally:
                    if not with_checks:
                        submissions_processed.connect(
                            check_processed_submissions,
                            dispatch_uid="review.check_processed_submissions",
                        )
                assert done == args.count, done
                per = args.count
                return (
                    (time.process_time() - cpu_before) / per * 1000,
                    (_ticks(backend) - pg_before) / CLOCK_TICKS / per * 1000,
                    statements[0] / per,
                    (time.perf_counter() - wall_before) / per * 1000,
                )

            profiler = cProfile.Profile() if args.profile else None
            rows: dict[bool, list[tuple]] = {False: [], True: []}
            for round_number in range(1, args.rounds + 1):
                for with_checks in (False, True):
                    row = measure(with_checks, profiler if with_checks else None)
                    rows[with_checks].append(row)
                    label = "answers+thumbnail+checks" if with_checks else "answers+thumbnail    "
                    print(
                        f"round {round_number} {label}: worker CPU {row[0]:.2f} ms  "
                        f"PostgreSQL CPU {row[1]:.2f} ms  statements {row[2]:.1f}  "
                        f"wall {row[3]:.2f} ms per submission",
                        flush=True,
                    )
            if profiler and args.profile:
                profiler.dump_stats(args.profile)
            for with_checks in (False, True):
                column = rows[with_checks]
                lowest, median = min(r[0] for r in column), statistics.median(r[0] for r in column)
                pg, statements_ = min(r[1] for r in column), min(r[2] for r in column)
                label = "with checks   " if with_checks else "without checks"
                print(
                    f"{label}: lowest worker CPU {lowest:.2f} ms, median {median:.2f} ms; "
                    f"PostgreSQL {pg:.2f} ms; {statements_:.1f} statements"
                )
            checks = min(r[0] for r in rows[True]) - min(r[0] for r in rows[False])
            print(f"the checks alone: about {checks:.2f} ms of worker CPU per submission")
            print(f"{ReviewItem.objects.count()} items, {Finding.objects.count()} findings after")
            connection.close()
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
