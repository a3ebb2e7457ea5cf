"""A real server stack in subprocesses (gunicorn, Celery worker) on its own database.

Used by the ingest benchmark and the crash tests, which need processes they can
kill. With a PostgreSQL URL the stack runs as production (PostGIS, Redis,
Celery worker); without one as the embedded default (a SpatiaLite file, tasks
in process).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "stack-password-123"

SEED = f"""
from areas.area_import import load_areas
from accounts.models import User
from areas.models import Area
from accounts.staff import assign_role
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from tests.bench.household_form import household_workbook
load_areas(scope="35.07")
district = User.objects.create_user("district", password="{PASSWORD}")
assign_role(user=district, role="district_staff", area=Area.objects.get(code="35.07"))
agent = User.objects.create_user("agent", password="{PASSWORD}")
assign_role(user=agent, role="field_agent", area=Area.objects.get(code="35.07.13.2011"))
version = create_questionnaire(workbook=household_workbook(), filename="household.xlsx",
    owner_area=Area.objects.get(code="35.07"), user=district)
publish_form_version(version=version, user=district)
set_deployment(questionnaire=version.questionnaire, areas=[Area.objects.get(code="35.07.13")], user=district)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveStack:
    def __init__(
        self, var_dir: Path, port: int, database_url: str | None, redis_url: str | None
    ) -> None:
        self.var_dir = var_dir
        self.port = port
        self.database_url = database_url
        self.redis_url = redis_url if database_url else None
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    @property
    def database_name(self) -> str:
        assert self.database_url
        return self.database_url.rsplit("/", 1)[1].split("?")[0]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SRS_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
        }
        base.update(SRS_VAR_DIR=str(self.var_dir), SRS_LOG_LEVEL="ERROR", PYTHONPATH=str(ROOT))
        if self.database_url:
            base.update(
                SRS_DEPLOYMENT="production",
                SRS_SECRET_KEY="stack-" + "k" * 60,
                SRS_ALLOWED_HOSTS="127.0.0.1,localhost",
                SRS_SECURE_COOKIES="false",
                # Loopback without a TLS proxy: OpenRosa over plain HTTP, no redirect.
                SRS_OPENROSA_ALLOW_HTTP="true",
                SRS_SSL_REDIRECT="false",
                DATABASE_URL=self.database_url,
                REDIS_URL=self.redis_url or "",
                SRS_MEDIA_ROOT=str(self.var_dir / "media"),
            )
        return base

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def query(self, code: str) -> object:
        """Run Python in the stack's Django and return what it prints as JSON."""
        out = self.manage("shell", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    def setup(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        if self.database_url:
            name = self.database_name
            for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
                subprocess.run(
                    ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True
                )
            db_number = (self.redis_url or "/0").rsplit("/", 1)[1]
            subprocess.run(
                ["redis-cli", "-n", db_number, "flushdb"], check=True, capture_output=True
            )
        self.manage("migrate", "-v0")
        self.manage("shell", "-c", SEED)

    def start_web(self, workers: int | None = None) -> None:
        """gunicorn as in production (deploy/gunicorn.conf.py), on this stack's port."""
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "srs.wsgi",
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "-b",
                f"127.0.0.1:{self.port}",
                *(["-w", str(workers)] if workers else []),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env(),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                requests.head(f"{self.url}/submission", timeout=10)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the web server did not start")

    def start_worker(self) -> None:
        if not self.redis_url:
            return
        # As in production: beat starts the processing sweep; the worker yields the CPU
        # to the web processes (srs/celery.py), so phones are answered first.
        self.worker = subprocess.Popen(
            [str(BIN / "celery"), "-A", "srs", "worker", "-B", "-c", "1", "-l", "error"],
            cwd=ROOT,
            env=self.env(),
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    @staticmethod
    def _kill(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGKILL) -> None:
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def kill_web(self) -> None:
        """kill -9 of the master and every worker, as a crash or the OOM killer would."""
        self._kill(self.web)

    def kill_worker(self) -> None:
        self._kill(self.worker)

    def stop(self) -> None:
        self._kill(self.web, signal.SIGTERM)
        self._kill(self.worker, signal.SIGTERM)
        if self.database_url:
            name = self.database_name
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-qc",
                    f"DROP DATABASE IF EXISTS {name}",
                ],
                check=False,
                capture_output=True,
            )
