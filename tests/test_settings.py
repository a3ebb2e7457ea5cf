"""Production reads its settings from the environment and refuses unsafe ones."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "SRS_DEPLOYMENT": "production",
    "SRS_SECRET_KEY": "k" * 20 + "-random-production-secret-0123456789",
    "SRS_ALLOWED_HOSTS": "srs.malangkab.go.id",
    "DATABASE_URL": "postgis://srs@db.internal:5432/srs",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _load_settings(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SRS_", "DATABASE_URL", "REDIS_URL"))
    }
    clean.update(env, SRS_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="srs.settings")
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_with_every_setting_starts(tmp_path):
    result = _load_settings(GOOD, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.contrib.gis.db.backends.postgis", "False"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"SRS_DEBUG": "true"}, "SRS_DEBUG must be off"),
        ({"SRS_SECRET_KEY": ""}, "SRS_SECRET_KEY is required"),
        (
            {"SRS_SECRET_KEY": "django-insecure-" + "x" * 40},
            "SRS_SECRET_KEY must be a random value",
        ),
        ({"SRS_ALLOWED_HOSTS": ""}, "SRS_ALLOWED_HOSTS is required"),
        ({"DATABASE_URL": ""}, "DATABASE_URL is required"),
        ({"REDIS_URL": ""}, "REDIS_URL is required"),
        ({"SRS_DEBUG": "maybe"}, "SRS_DEBUG must be true or false"),
    ],
)
def test_production_refuses_unsafe_or_missing_settings(tmp_path, change, expected):
    result = _load_settings({**GOOD, **change}, tmp_path)
    assert result.returncode != 0
    assert expected in result.stderr


def test_the_embedded_default_needs_no_settings(tmp_path):
    result = _load_settings({}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.contrib.gis.db.backends.spatialite", "False"]
    assert len((tmp_path / "secret_key").read_text()) >= 40


def test_the_demo_refuses_to_run_in_production(tmp_path):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SRS_", "DATABASE_URL", "REDIS_URL"))
    }
    clean.update(GOOD, SRS_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "cannot be installed in production" in result.stderr


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"SRS_XLSFORM_MAX_ROWS": "many"}, "SRS_XLSFORM_MAX_ROWS must be a whole number"),
        ({"SRS_XLSFORM_MAX_CELLS": "0"}, "must each be at least 1"),
        ({"SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES": "-5"}, "must each be at least 1"),
    ],
)
def test_bad_workbook_limits_are_refused_at_start(tmp_path, change, expected):
    result = _load_settings({**GOOD, **change}, tmp_path)
    assert result.returncode != 0
    assert expected in result.stderr


def test_the_workbook_limits_are_read_from_the_environment(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SRS_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        SRS_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="srs.settings",
        SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES="1000000",
        SRS_XLSFORM_MAX_ROWS="300",
        SRS_XLSFORM_MAX_CELLS="4000",
    )
    code = (
        "from django.conf import settings as s; print(s.SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES, "
        "s.SRS_XLSFORM_MAX_ROWS, s.SRS_XLSFORM_MAX_CELLS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1000000", "300", "4000"]
