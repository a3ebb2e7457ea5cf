#!/usr/bin/env python3
"""Ingest benchmark against the production stack on loopback.

Starts gunicorn and a Celery worker on PostgreSQL + PostGIS and Redis (a
fresh database ``srs_bench``), publishes a household questionnaire, then posts
N distinct realistic submissions (a household with members, GPS and a 150 kB
photo) with ODK Collect's protocol (HTTP Digest, multipart) at concurrency 1
and 8, and again with 10% resubmissions. Prints submissions/s and latency
percentiles. Run: .venv/bin/python tests/bench/ingest.py [--count N]
"""

import argparse
import io
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from requests.auth import HTTPDigestAuth

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PY = sys.executable
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgis://postgres@127.0.0.1:5432/srs_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
PASSWORD = "bench-password-123"


def env() -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SRS_", "DATABASE_URL", "REDIS_URL"))
    }
    base.update(
        SRS_DEPLOYMENT="production",
        SRS_SECRET_KEY="bench-" + "x" * 60,
        SRS_ALLOWED_HOSTS="127.0.0.1,localhost",
        SRS_SECURE_COOKIES="false",
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        SRS_VAR_DIR="/tmp/srs-bench",
        SRS_MEDIA_ROOT="/tmp/srs-bench/media",
        SRS_LOG_LEVEL="WARNING",
    )
    return base


def manage(*args: str) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    ).stdout


def setup_database() -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "DROP DATABASE IF EXISTS srs_bench"],
        check=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", "CREATE DATABASE srs_bench"],
        check=True,
    )
    subprocess.run(["redis-cli", "-n", "15", "flushdb"], check=True, capture_output=True)
    manage("migrate", "-v0")
    script = f"""
from registry.area_import import load_areas
from registry.models import Area, User
from registry.staff import assign_role
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from tests.bench.household_form import household_workbook
load_areas(scope="35.07")
district = User.objects.create_user("district", password="{PASSWORD}")
assign_role(user=district, role="district_staff", area=Area.objects.get(code="35.07"))
agent = User.objects.create_user("agent", password="{PASSWORD}")
assign_role(user=agent, role="field_agent", area=Area.objects.get(code="35.07.13.2011"))
version = create_questionnaire(workbook=household_workbook(), filename="bench.xlsx",
    owner_area=Area.objects.get(code="35.07"), user=district)
publish_form_version(version=version, user=district)
set_deployment(questionnaire=version.questionnaire, areas=[Area.objects.get(code="35.07.13")], user=district)
"""
    manage("shell", "-c", script)


def start_stack(workers: int) -> list[subprocess.Popen[bytes]]:
    gunicorn = subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            "srs.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
    )
    celery = subprocess.Popen(
        [str(Path(PY).parent / "celery"), "-A", "srs", "worker", "-c", "1", "-l", "warning"],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            requests.head(f"http://127.0.0.1:{PORT}/submission", timeout=10)
            break
        except requests.RequestException:
            time.sleep(0.3)
    return [gunicorn, celery]


def photo_bytes(target: int = 150_000) -> bytes:
    from PIL import Image

    side = 300
    while True:
        pixels = random.Random(side).randbytes(side * side * 3)
        buffer = io.BytesIO()
        Image.frombytes("RGB", (side, side), pixels).save(buffer, "JPEG", quality=85)
        if len(buffer.getvalue()) >= target:
            return buffer.getvalue()
        side += 20


def submission_xml(instance_id: str) -> bytes:
    from tests.bench.household_form import household_instance

    return household_instance(instance_id)


def post(session: requests.Session, xml: bytes, photo: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    response = session.post(
        f"http://127.0.0.1:{PORT}/submission?deviceID=bench",
        files={
            "xml_submission_file": ("submission.xml", xml, "text/xml"),
            "house.jpg": ("house.jpg", photo, "image/jpeg"),
        },
        headers={"X-OpenRosa-Version": "1.0"},
        timeout=60,
    )
    return response.status_code, time.perf_counter() - started


def run(count: int, concurrency: int, resubmit_share: float, photo: bytes) -> None:
    ids = [f"uuid:{uuid.uuid4()}" for _ in range(count)]
    rng = random.Random(42)
    jobs = []
    for index, instance_id in enumerate(ids):
        if resubmit_share and index and rng.random() < resubmit_share:
            jobs.append(ids[rng.randrange(index)])  # a phone sending an earlier one again
        else:
            jobs.append(instance_id)
    bodies = {i: submission_xml(i) for i in set(jobs)}
    local = threading.local()

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.auth = HTTPDigestAuth("agent", PASSWORD)
        return local.session

    # Warm up: authenticate each thread's session once.
    with ThreadPoolExecutor(concurrency) as pool:
        list(
            pool.map(
                lambda _: session().head(f"http://127.0.0.1:{PORT}/submission"),
                range(concurrency * 2),
            )
        )
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda i: post(session(), bodies[i], photo), jobs))
    elapsed = time.perf_counter() - started
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = sorted(latency for _, latency in results)
    q = statistics.quantiles(latencies, n=100)
    print(
        f"concurrency {concurrency:>2}  resubmissions {int(resubmit_share * 100):>2}%  "
        f"{count} posts in {elapsed:.1f}s  {count / elapsed:6.1f} submissions/s  "
        f"p50 {q[49] * 1000:5.1f} ms  p95 {q[94] * 1000:5.1f} ms  p99 {q[98] * 1000:5.1f} ms  "
        f"statuses {statuses}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    setup_database()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes = start_stack(args.workers)
        photo = photo_bytes()
        print(f"photo {len(photo) / 1000:.0f} kB, {args.workers} gunicorn workers, 1 Celery worker")
        for concurrency in (1, 8):
            run(args.count, concurrency, 0.0, photo)
        for concurrency in (1, 8):
            run(args.count, concurrency, 0.1, photo)
        stored = manage(
            "shell", "-c", "from review.models import Submission; print(Submission.objects.count())"
        )
        print(f"submissions stored: {stored.strip()}")
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
