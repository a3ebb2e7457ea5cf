#!/usr/bin/env python3
"""CPU that one submission POST costs the web process and PostgreSQL, measured in process.

``ingest.py`` measures the whole stack, but on a virtual machine whose speed
varies from one minute to the next its figures swing by a third between runs
of the same code. This calls the WSGI application directly (no gunicorn, no
client on the same cores), one POST after another, on production settings
(PostgreSQL + PostGIS, media on disk with fsync), and prints per POST: the
process's CPU (user + kernel, which includes the fsyncs), the CPU of its
PostgreSQL backend, the statements sent to the database and the wall time.
Several rounds are run; the lowest figure of a column is the least disturbed.
Compare two versions of the code by running this on each, one after the other.

Run: .venv/bin/python tests/bench/request_cpu.py [--count N] [--rounds R] [--profile FILE]

For figures that do not depend on the machine's speed at all, count the web
process's instructions with valgrind, once with --count 100 and once with
--count 300 (--rounds 1): the difference over 200 is the instructions of one
POST in Python and the libraries it calls (not the kernel, not PostgreSQL):

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        .venv/bin/python tests/bench/request_cpu.py --count 100 --rounds 1
"""

import argparse
import cProfile
import io
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
from tests.bench.ingest import BOUNDARY, CLOCK_TICKS, DigestPhone, multipart_body  # noqa: E402
from tests.images import jpeg  # noqa: E402
from tests.live_stack import PASSWORD, LiveStack  # noqa: E402


def _environ(method: str, path: str, query: str, body: bytes, headers: dict[str, str]) -> dict:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8765",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
    return environ


def _call(application, environ: dict) -> tuple[str, dict[str, str]]:
    answer: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
        answer["status"] = status
        answer["headers"] = {k.lower(): v for k, v in headers}

    result = application(environ, start_response)
    try:
        for _chunk in result:
            pass
    finally:
        close = getattr(result, "close", None)
        if close:
            close()
    return str(answer["status"]), answer["headers"]  # type: ignore[return-value]


def _ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000, help="POSTs a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", default="srs_bench_cpu", help="made anew, dropped after")
    parser.add_argument(
        "--profile", metavar="FILE", help="write cProfile statistics of the rounds to FILE"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        stack = LiveStack(
            Path(var),
            port=8765,
            database_url=f"postgis://postgres@127.0.0.1:5432/{args.database}",
            redis_url="redis://127.0.0.1:6379/13",
        )
        stack.setup()
        try:
            os.environ.update(stack.env())
            os.environ["DJANGO_SETTINGS_MODULE"] = "srs.settings"
            import django

            django.setup()
            from django.core.wsgi import get_wsgi_application
            from django.db import connection

            application = get_wsgi_application()
            status, headers = _call(application, _environ("HEAD", "/submission", "", b"", {}))
            assert status.startswith("401"), status
            phone = DigestPhone("127.0.0.1", 8765, "agent", PASSWORD)
            phone.take_challenge(headers["www-authenticate"])
            photo = jpeg(400, seed=7)
            statements = [0]

            def count(execute, sql, params_, many, context):  # noqa: ANN001
                statements[0] += 1
                return execute(sql, params_, many, context)

            def post(body: bytes) -> None:
                uri = "/submission?deviceID=bench"
                environ = _environ(
                    "POST",
                    "/submission",
                    "deviceID=bench",
                    body,
                    {
                        "Authorization": phone.authorization("POST", uri),
                        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                        "X-OpenRosa-Version": "1.0",
                    },
                )
                status, _headers = _call(application, environ)
                assert status.startswith("201"), status

            for _ in range(50):  # warm up: connection, prepared statements, remembered facts
                post(multipart_body(household_instance(f"uuid:{uuid.uuid4()}"), photo))
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            print(
                f"photo {len(photo) / 1000:.0f} kB, {args.count} POSTs a round, "
                "WSGI application called in process on PostgreSQL + PostGIS"
            )
            rows = []
            for round_number in range(1, args.rounds + 1):
                bodies = [
                    multipart_body(household_instance(f"uuid:{uuid.uuid4()}"), photo)
                    for _ in range(args.count)
                ]
                statements[0] = 0
                pg_before = _ticks(backend)
                cpu_before = time.process_time()
                wall_before = time.perf_counter()
                profiler = cProfile.Profile() if args.profile else None
                with connection.execute_wrapper(count):
                    if profiler:
                        profiler.enable()
                    for body in bodies:
                        post(body)
                    if profiler:
                        profiler.disable()
                        profiler.dump_stats(args.profile)
                wall = (time.perf_counter() - wall_before) / args.count * 1000
                cpu = (time.process_time() - cpu_before) / args.count * 1000
                pg = (_ticks(backend) - pg_before) / CLOCK_TICKS / args.count * 1000
                rows.append((cpu, pg, wall))
                print(
                    f"round {round_number}: web CPU {cpu:.2f} ms  PostgreSQL CPU {pg:.2f} ms  "
                    f"wall {wall:.2f} ms  statements {statements[0] / args.count:.1f} per POST",
                    flush=True,
                )
            print(
                "lowest: web CPU {:.2f} ms  PostgreSQL CPU {:.2f} ms  wall {:.2f} ms; "
                "median web CPU {:.2f} ms".format(
                    *(min(column) for column in zip(*rows, strict=True)),
                    statistics.median(row[0] for row in rows),
                )
            )
            connection.close()
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
