#!/usr/bin/env python3
"""Ingest benchmark against the production stack on loopback.

Starts gunicorn and a Celery worker on PostgreSQL + PostGIS and Redis (a fresh
database ``srs_bench``), publishes a 45-question household questionnaire, then
posts N distinct realistic submissions (a household with members, GPS and a
150 kB photo) with ODK Collect's protocol (HTTP Digest, multipart) at
concurrency 1 and 8, and again with 10% resubmissions. Prints submissions/s and
latency percentiles, and checks that nothing was stored twice.

Run: .venv/bin/python tests/bench/ingest.py [--count N] [--workers W]
"""

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from requests.auth import HTTPDigestAuth

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.household_form import household_instance  # noqa: E402
from tests.images import jpeg  # noqa: E402
from tests.live_stack import PASSWORD, LiveStack  # noqa: E402


def post(
    stack: LiveStack, session: requests.Session, xml: bytes, photo: bytes
) -> tuple[int, float]:
    started = time.perf_counter()
    response = session.post(
        f"{stack.url}/submission?deviceID=bench",
        files={
            "xml_submission_file": ("submission.xml", xml, "text/xml"),
            "house.jpg": ("house.jpg", photo, "image/jpeg"),
        },
        headers={"X-OpenRosa-Version": "1.0"},
        timeout=60,
    )
    return response.status_code, time.perf_counter() - started


def run(
    stack: LiveStack, count: int, concurrency: int, resubmit_share: float, photo: bytes
) -> None:
    ids = [f"uuid:{uuid.uuid4()}" for _ in range(count)]
    rng = random.Random(42)
    jobs = [
        ids[rng.randrange(index)]
        if resubmit_share and index and rng.random() < resubmit_share
        else ids[index]
        for index in range(count)
    ]
    bodies = {instance_id: household_instance(instance_id) for instance_id in set(jobs)}
    local = threading.local()

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.auth = HTTPDigestAuth("agent", PASSWORD)
            local.session.head(f"{stack.url}/submission")  # answer the Digest challenge once
        return local.session

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(lambda _: session(), range(concurrency * 4)))  # warm every thread
        started = time.perf_counter()
        results = list(pool.map(lambda i: post(stack, session(), bodies[i], photo), jobs))
        elapsed = time.perf_counter() - started
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    q = statistics.quantiles(sorted(latency for _, latency in results), n=100)
    print(
        f"concurrency {concurrency:>2}  resubmissions {int(resubmit_share * 100):>2}%  "
        f"{count} posts in {elapsed:5.1f} s  {count / elapsed:6.1f} submissions/s  "
        f"p50 {q[49] * 1000:6.1f} ms  p95 {q[94] * 1000:6.1f} ms  p99 {q[98] * 1000:6.1f} ms  "
        f"statuses {statuses}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        stack = LiveStack(
            Path(var),
            port=8765,
            database_url="postgis://postgres@127.0.0.1:5432/srs_bench",
            redis_url="redis://127.0.0.1:6379/15",
        )
        stack.setup()
        try:
            stack.start_web(workers=args.workers)
            stack.start_worker()
            photo = jpeg(400, seed=7)  # about 150 kB, like a phone photo at max-pixels
            print(
                f"photo {len(photo) / 1000:.0f} kB, {args.workers} gunicorn workers, 1 Celery worker"
            )
            for share in (0.0, 0.1):
                for concurrency in (1, 8):
                    run(stack, args.count, concurrency, share, photo)
            stored = stack.query(
                "from review.models import Submission; from django.db.models import Count; "
                "print([Submission.objects.count(), Submission.objects.values('instance_id')"
                ".annotate(n=Count('id')).filter(n__gt=1).count()])"
            )
            print(f"submissions stored: {stored[0]}, stored twice: {stored[1]}")
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
