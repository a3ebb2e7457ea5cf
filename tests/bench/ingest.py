#!/usr/bin/env python3
"""Ingest benchmark against the production stack on loopback.

Starts gunicorn and a Celery worker on PostgreSQL + PostGIS and Redis (a fresh
database ``srs_bench``), publishes a 45-question household questionnaire, then
posts N distinct realistic submissions (a household with members, GPS and a
150 kB photo) with ODK Collect's protocol (HTTP Digest answered once, then sent
with every request with a rising nonce count; multipart with
``xml_submission_file``) at concurrency 1 and 8, and again with 10%
resubmissions. Prints submissions/s, latency percentiles and where the CPU went
(client, web, PostgreSQL, Redis, worker), checks that every answer was 201 and
nothing was stored twice, and how long the worker took to derive the answers
and thumbnails of everything that arrived.

The client is lean on purpose (bodies built before the clock starts, raw
http.client): it shares the machine's two cores with the server, and the CPU
it uses is the phones', not the server's.

Every request says ``X-Forwarded-Proto: https``, as the TLS proxy of production
does, so that ``--auth basic`` (Basic, which the server takes over HTTPS only)
is measured too: ``--auth digest basic`` runs both, one after the other. Nonce
counts and lockout counters are tracked in the stack's Redis either way.

Run: .venv/bin/python tests/bench/ingest.py [--count N] [--workers W] [--auth digest basic]
     [--database srs_bench_NAME] [--port 8765]
"""

import argparse
import base64
import hashlib
import http.client
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.household_form import household_instance  # noqa: E402
from tests.images import jpeg  # noqa: E402
from tests.live_stack import PASSWORD, LiveStack  # noqa: E402

BOUNDARY = "----srs-bench-boundary-7MA4YWxkTrZu0gW"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def multipart_body(xml: bytes, photo: bytes) -> bytes:
    """The body ODK Collect sends: the instance and its photo as multipart/form-data."""
    parts = []
    for field_name, filename, content_type, content in (
        ("xml_submission_file", "submission.xml", "text/xml", xml),
        ("house.jpg", "house.jpg", "image/jpeg", photo),
    ):
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field_name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 (HTTP Digest)


@dataclass
class DigestPhone:
    """One phone: its own connection and nonce count, like Collect's HTTP client."""

    host: str
    port: int
    username: str
    password: str
    realm: str = ""
    nonce: str = ""
    opaque: str = ""
    count: int = 0
    scheme: str = "digest"  # or "basic": the same phone answering with Basic over HTTPS
    connection: http.client.HTTPConnection | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.connection

    def _request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in range(2):
            connection = self._connection()
            try:
                # As behind the TLS proxy of production (SECURE_PROXY_SSL_HEADER).
                headers = {**headers, "X-Forwarded-Proto": "https"}
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                content = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connection.close()
                self.connection = None
                if attempt:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                self.connection = None
            return response.status, {k.lower(): v for k, v in response.getheaders()}, content
        raise RuntimeError("unreachable")

    def sign_in(self) -> None:
        """Get the Digest challenge once, as Collect does on its first request."""
        status, headers, _ = self._request("HEAD", "/submission", None, {})
        assert status == 401, status
        self.take_challenge(headers["www-authenticate"])

    def take_challenge(self, challenge: str) -> None:
        """Remember the realm, nonce and opaque of a ``WWW-Authenticate: Digest`` header."""
        params = dict(
            part.strip().split("=", 1) for part in challenge[len("Digest ") :].split(", ")
        )
        self.realm = params["realm"].strip('"')
        self.nonce = params["nonce"].strip('"')
        self.opaque = params.get("opaque", "").strip('"')

    def authorization(self, method: str, uri: str) -> str:
        if self.scheme == "basic":
            return "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        self.count += 1
        nc = f"{self.count:08x}"
        cnonce = uuid.uuid4().hex[:16]
        ha1 = _md5(f"{self.username}:{self.realm}:{self.password}")
        response = _md5(f"{ha1}:{self.nonce}:{nc}:{cnonce}:auth:{_md5(f'{method}:{uri}')}")
        return (
            f'Digest username="{self.username}", realm="{self.realm}", nonce="{self.nonce}", '
            f'uri="{uri}", algorithm=MD5, response="{response}", opaque="{self.opaque}", '
            f'qop=auth, nc={nc}, cnonce="{cnonce}"'
        )

    def submit(self, body: bytes) -> tuple[int, float]:
        uri = "/submission?deviceID=bench"
        started = time.perf_counter()
        status, _, _ = self._request(
            "POST",
            uri,
            body,
            {
                "Authorization": self.authorization("POST", uri),
                "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "X-OpenRosa-Version": "1.0",
                "Date": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime()),
            },
        )
        return status, time.perf_counter() - started


def _process_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def _pids(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


class CpuMeter:
    """CPU seconds used by each part of the stack between start() and stop()."""

    def __init__(self, stack: LiveStack) -> None:
        self.groups = {
            "web": lambda: _pids(f"gunicorn srs.wsgi .*127.0.0.1:{stack.port}"),
            "postgres": lambda: _pids("postgres"),
            "redis": lambda: _pids("redis-server"),
            "worker": lambda: _pids("celery -A srs worker"),
        }
        self.before: dict[str, int] = {}
        self.client_before = 0.0
        self.machine_before: list[int] = []
        self.steal_share = 0.0

    def _client(self) -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    @staticmethod
    def _machine() -> list[int]:
        # user nice system idle iowait irq softirq steal, over all cores
        return [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]

    def start(self) -> None:
        self.before = {name: _process_ticks(pids()) for name, pids in self.groups.items()}
        self.client_before = self._client()
        self.machine_before = self._machine()

    def stop(self) -> dict[str, float]:
        used = {
            name: (_process_ticks(pids()) - self.before[name]) / CLOCK_TICKS
            for name, pids in self.groups.items()
        }
        used["client"] = self._client() - self.client_before
        machine = [a - b for a, b in zip(self._machine(), self.machine_before, strict=True)]
        # Time the virtual machine's host gave to others: the same code then runs slower.
        self.steal_share = machine[7] / max(sum(machine), 1)
        return used


def run(
    stack: LiveStack,
    count: int,
    concurrency: int,
    resubmit_share: float,
    photo: bytes,
    meter: CpuMeter,
    quiet: bool = False,
    auth: str = "digest",
) -> float:
    """Send ``count`` submissions; print the figures (unless quiet); the rate per second."""
    ids = [f"uuid:{uuid.uuid4()}" for _ in range(count)]
    rng = random.Random(42)
    jobs = [
        ids[rng.randrange(index)]
        if resubmit_share and index and rng.random() < resubmit_share
        else ids[index]
        for index in range(count)
    ]
    bodies = {iid: multipart_body(household_instance(iid), photo) for iid in set(jobs)}
    phones = [
        DigestPhone("127.0.0.1", stack.port, "agent", PASSWORD, scheme=auth)
        for _ in range(concurrency)
    ]
    for phone in phones:
        phone.sign_in()
    free = list(phones)
    free_lock = threading.Lock()

    def submit(instance_id: str) -> tuple[int, float]:
        with free_lock:
            phone = free.pop()
        try:
            return phone.submit(bodies[instance_id])
        finally:
            with free_lock:
                free.append(phone)

    with ThreadPoolExecutor(concurrency) as pool:
        meter.start()
        started = time.perf_counter()
        results = list(pool.map(submit, jobs))
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    if quiet:
        assert statuses == {201: count}, statuses
        return count / elapsed
    q = statistics.quantiles(sorted(latency for _, latency in results), n=100)
    per_post = "  ".join(f"{name} {seconds / count * 1000:.2f}" for name, seconds in cpu.items())
    print(
        f"{auth:<6} concurrency {concurrency:>2}  resubmissions {int(resubmit_share * 100):>2}%  "
        f"{count} posts in {elapsed:5.2f} s  {count / elapsed:6.1f} submissions/s  "
        f"p50 {q[49] * 1000:5.1f} ms  p95 {q[94] * 1000:5.1f} ms  p99 {q[98] * 1000:5.1f} ms  "
        f"statuses {statuses}\n    CPU ms per post: {per_post}  "
        f"(CPU stolen by the host: {meter.steal_share * 100:.0f}%)",
        flush=True,
    )
    return count / elapsed


def machine_speed() -> float:
    """Milliseconds of CPU for a fixed piece of pure Python (lower is a faster machine).

    This virtual machine's speed varies with what its host is doing; the same
    code then needs more CPU per post. Printed beside the figures to compare runs.
    """
    started = time.process_time()
    total = 0
    for number in range(2_000_000):
        total += number % 7
    assert total
    return (time.process_time() - started) * 1000


def wait_until_processed(stack: LiveStack, timeout: float = 600) -> tuple[float, list[int]]:
    """Seconds until the worker derived every complete submission; the last counts."""
    started = time.perf_counter()
    while True:
        counts = stack.query(
            "from intake.models import Submission; "
            "print([Submission.objects.count(), "
            "Submission.objects.filter(processed_at__isnull=False).count(), "
            "Submission.objects.exclude(processing_error='').count()])"
        )
        assert isinstance(counts, list)
        if counts[1] + counts[2] >= counts[0] or time.perf_counter() - started > timeout:
            return time.perf_counter() - started, counts
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 8])
    parser.add_argument(
        "--auth",
        nargs="*",
        choices=["digest", "basic"],
        default=["digest"],
        help="how phones sign in",
    )
    parser.add_argument("--database", default="srs_bench", help="made anew for the run")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--resubmissions", type=float, nargs="*", default=[0.0, 0.1])
    parser.add_argument(
        "--pg-options",
        default="",
        help="PostgreSQL settings for the stack's connections, e.g. '-c commit_delay=200'",
    )
    parser.add_argument(
        "--no-worker", action="store_true", help="measure the web alone (nothing is processed)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var:
        stack = LiveStack(
            Path(var),
            port=args.port,
            database_url=f"postgis://postgres@127.0.0.1:5432/{args.database}"
            + (f"?options={quote(args.pg_options)}" if args.pg_options else ""),
            redis_url="redis://127.0.0.1:6379/15",
        )
        stack.setup()
        try:
            stack.start_web(workers=args.workers)
            if not args.no_worker:
                stack.start_worker()
            photo = jpeg(400, seed=7)  # about 150 kB, like a phone photo at max-pixels
            meter = CpuMeter(stack)
            print(
                f"photo {len(photo) / 1000:.0f} kB, gunicorn as deploy/gunicorn.conf.py"
                f"{f' with {args.workers} workers' if args.workers else ''}, 1 Celery worker, "
                f"{os.cpu_count()} cores shared with the client"
            )
            # Warm up as a server in use would be: every web thread connected to the
            # database with its statements prepared, the phones' Basic passwords checked
            # in full once by each process (accounts/password_memory.py), the worker
            # started and idle again.
            for auth in args.auth:
                run(stack, 100, 8, 0.0, photo, meter, quiet=True, auth=auth)
            if not args.no_worker:
                wait_until_processed(stack)
            for auth in args.auth:
                for share in args.resubmissions:
                    for concurrency in args.concurrency:
                        print(f"machine speed: {machine_speed():.0f} ms for the fixed workload")
                        run(stack, args.count, concurrency, share, photo, meter, auth=auth)
            if not args.no_worker:
                drained, counts = wait_until_processed(stack)
                print(
                    f"worker: answers and thumbnails of all {counts[0]} submissions done "
                    f"{drained:.0f} s after the last post ({counts[2]} failed)"
                )
            stored = stack.query(
                "from intake.models import Submission; from django.db.models import Count; "
                "print([Submission.objects.count(), Submission.objects.values('instance_id')"
                ".annotate(n=Count('id')).filter(n__gt=1).count()])"
            )
            print(f"submissions stored: {stored[0]}, stored twice: {stored[1]}")  # type: ignore[index]
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
