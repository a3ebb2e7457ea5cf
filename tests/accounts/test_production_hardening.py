"""Production settings pass Django's deployment check; pages carry a strict CSP; no URL
serves the media folder."""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import Resolver404, clear_url_caches, resolve

from accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "SRS_DEPLOYMENT": "production",
    "SRS_SECRET_KEY": "k" * 20 + "-random-production-secret-0123456789",
    "SRS_ALLOWED_HOSTS": "srs.malangkab.go.id",
    "DATABASE_URL": "postgis://srs@db.internal:5432/srs",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _manage(env: dict[str, str], tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SRS_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))
    }
    clean.update(env, SRS_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_check_is_clean_in_production(tmp_path):
    result = _manage(PRODUCTION, tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_redirects_to_https_sets_hsts_and_keeps_cookies_secure(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER[0], s.SRS_OPENROSA_ALLOW_HTTP)"
    )
    result = _manage(PRODUCTION, tmp_path, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "True", "31536000", "True", "True", "True", "HTTP_X_FORWARDED_PROTO", "False"
    ]  # fmt: skip


def test_media_inside_the_static_files_is_refused(tmp_path):
    env = {**PRODUCTION, "SRS_MEDIA_ROOT": str(tmp_path / "static" / "media")}
    result = _manage(env, tmp_path, "check")
    assert result.returncode != 0
    assert "SRS_MEDIA_ROOT must not overlap the static files" in result.stderr


def test_pages_and_phone_answers_carry_a_strict_content_security_policy(db):
    client = Client()
    for response in (client.get("/accounts/login/"), client.head("/submission")):
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_map_tile_origin_is_the_only_other_image_source(db, settings):
    from portal.security import content_security_policy

    settings.SRS_MAP_TILE_ORIGIN = "https://tile.openstreetmap.org"
    assert "img-src 'self' data: https://tile.openstreetmap.org" in content_security_policy()


INLINE = [
    re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),  # inline script
    re.compile(r"<style[\s>]", re.IGNORECASE),
    re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),  # onclick=, onchange=, …
    re.compile(r"\sstyle\s*=", re.IGNORECASE),
    re.compile(r"javascript:", re.IGNORECASE),
]


def test_no_template_holds_code_or_styles_the_policy_would_block():
    templates = [p for p in ROOT.glob("**/templates/**/*.html") if ".venv" not in p.parts]
    assert templates
    offending = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in templates
        for pattern in INLINE
        for match in pattern.finditer(path.read_text())
    ]
    assert offending == []


@pytest.fixture
def debug_urls(settings):
    import srs.urls

    settings.DEBUG = True
    clear_url_caches()
    importlib.reload(srs.urls)
    yield
    settings.DEBUG = False
    clear_url_caches()
    importlib.reload(srs.urls)


def test_no_url_serves_the_media_folder_even_with_debug(debug_urls, settings, db):
    media = Path(settings.MEDIA_ROOT) / "submissions"
    media.mkdir(parents=True)
    (media / "ktp.jpg").write_bytes(b"\xff\xd8 secret")
    with pytest.raises(Resolver404):
        resolve("/media-files/submissions/ktp.jpg")
    client = Client()
    client.force_login(User.objects.create_superuser("a"))
    assert client.get("/media-files/submissions/ktp.jpg").status_code == 404
    assert client.get("/static/../media/submissions/ktp.jpg").status_code == 404
