"""Drives ../shared/odk-client (ODK's own form engine) as a phone would."""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ODK_CLIENT = ROOT.parent / "shared" / "odk-client" / "bin" / "odk-client"


@dataclass
class OdkResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.stdout)


def run_odk_client(*args: str, timeout: int = 120) -> OdkResult:
    completed = subprocess.run(
        [str(ODK_CLIENT), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8", "HOME": "/tmp"},
    )
    return OdkResult(completed.returncode, completed.stdout, completed.stderr)


@dataclass
class Collector:
    """A phone of a field agent, talking to a live test server."""

    server: str
    username: str | None = None
    password: str | None = None
    lang: str = "en"

    def _auth(self) -> list[str]:
        if self.username is None:
            return []
        return ["--user", self.username, "--password", self.password or ""]

    def run(self, command: str, *args: str) -> OdkResult:
        return run_odk_client(
            command, "--server", self.server, *self._auth(), "--lang", self.lang, "--json", *args
        )

    def forms(self) -> OdkResult:
        return self.run("forms")

    def fetch(self, form_id: str, out: Path) -> OdkResult:
        return self.run("fetch", "--form", form_id, "--out", str(out))

    def submit(self, instance: Path, *extra: str) -> OdkResult:
        return self.run("submit", "--instance", str(instance), *extra)

    def send(self, form_id: str, answers: Path, *extra: str) -> OdkResult:
        return self.run("send", "--form", form_id, "--answers", str(answers), *extra)


def fill(form_dir: Path, answers: dict[str, Any], out: Path, *extra: str) -> OdkResult:
    answers_file = out.parent / f"{out.name}-answers.json"
    answers_file.write_text(json.dumps(answers))
    return run_odk_client(
        "fill",
        "--form",
        str(form_dir),
        "--answers",
        str(answers_file),
        "--out",
        str(out),
        "--json",
        *extra,
    )
