#!/usr/bin/env python3
"""CPU of one OpenRosa request signed in with Digest and with Basic, measured in process.

Like ``request_cpu.py``: the WSGI application is called directly on production
settings (PostgreSQL + PostGIS, Redis for nonce counts and lockout counters,
the default PBKDF2 password hasher), one request after another, as behind the
TLS proxy (``X-Forwarded-Proto: https``). For each way of signing in it prints
the process's CPU per request (user + kernel) and the wall time, for ``HEAD
/submission`` (signing in and little else) and for a submission POST:

- ``digest``: HTTP Digest with a rising nonce count (each count accepted once);
- ``basic``: Basic, the password checked in full once and then remembered in
  process memory (accounts/password_memory.py);
- ``basic-full``: Basic with that memory off (``SRS_BASIC_MEMORY_SECONDS=0``),
  the full password hash on every request, as before.

Run: .venv/bin/python tests/bench/auth_cpu.py [--count N] [--rounds R] [--database NAME]
"""

import argparse
import base64
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.household_form import household_instance  # noqa: E402
from tests.bench.ingest import BOUNDARY, DigestPhone, multipart_body  # noqa: E402
from tests.bench.request_cpu import _call, _environ  # noqa: E402
from tests.images import jpeg  # noqa: E402
from tests.live_stack import PASSWORD, LiveStack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200, help="requests a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--full-count", type=int, default=10, help="requests of basic-full")
    parser.add_argument("--database", default="srs_bench_auth", help="made anew, dropped after")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        stack = LiveStack(
            Path(var),
            port=args.port,
            database_url=f"postgis://postgres@127.0.0.1:5432/{args.database}",
            redis_url="redis://127.0.0.1:6379/11",
        )
        stack.setup()
        try:
            os.environ.update(stack.env())
            os.environ["DJANGO_SETTINGS_MODULE"] = "srs.settings"
            import django

            django.setup()
            from django.conf import settings
            from django.core.wsgi import get_wsgi_application

            application = get_wsgi_application()
            secure = {"X-Forwarded-Proto": "https"}
            status, headers = _call(application, _environ("HEAD", "/submission", "", b"", secure))
            assert status.startswith("401"), status
            phone = DigestPhone("127.0.0.1", args.port, "agent", PASSWORD)
            phone.take_challenge(headers["www-authenticate"])
            basic = "Basic " + base64.b64encode(f"agent:{PASSWORD}".encode()).decode()
            photo = jpeg(400, seed=7)

            def request(way: str, method: str) -> None:
                uri = "/submission?deviceID=bench"
                auth = phone.authorization(method, uri) if way == "digest" else basic
                body = b""
                extra = {**secure, "Authorization": auth, "X-OpenRosa-Version": "1.0"}
                if method == "POST":
                    body = multipart_body(household_instance(f"uuid:{uuid.uuid4()}"), photo)
                    extra["Content-Type"] = f"multipart/form-data; boundary={BOUNDARY}"
                environ = _environ(method, "/submission", "deviceID=bench", body, extra)
                status, _headers = _call(application, environ)
                expected = "204" if method == "HEAD" else "201"
                assert status.startswith(expected), (way, method, status)

            memory = settings.SRS_BASIC_MEMORY_SECONDS
            for way in ("digest", "basic"):
                for _ in range(30):  # warm up: connections, prepared statements, memory
                    request(way, "POST")
            print(
                f"{args.count} requests a round ({args.full_count} for basic-full), WSGI in "
                f"process, PostgreSQL + Redis, hasher {settings.PASSWORD_HASHERS[0].rsplit('.')[-1]}"
            )
            results: dict[tuple[str, str], list[tuple[float, float]]] = {}
            for _round in range(args.rounds):
                for way in ("digest", "basic", "basic-full"):
                    settings.SRS_BASIC_MEMORY_SECONDS = 0 if way == "basic-full" else memory
                    count = args.full_count if way == "basic-full" else args.count
                    for method in ("HEAD", "POST"):
                        cpu_before, wall_before = time.process_time(), time.perf_counter()
                        for _ in range(count):
                            request("basic" if way == "basic-full" else way, method)
                        cpu = (time.process_time() - cpu_before) / count * 1000
                        wall = (time.perf_counter() - wall_before) / count * 1000
                        results.setdefault((way, method), []).append((cpu, wall))
            for (way, method), rows in results.items():
                print(
                    f"{way:<10} {method:<4}  CPU per request: lowest {min(r[0] for r in rows):8.2f} ms"
                    f"  median {statistics.median(r[0] for r in rows):8.2f} ms"
                    f"  wall median {statistics.median(r[1] for r in rows):8.2f} ms"
                )
            from django.db import connection

            connection.close()  # else the stack cannot drop its database
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
