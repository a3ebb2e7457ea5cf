"""The pages load no unused script, and static files are served compressed."""

import gzip

from django.core.management import call_command
from django.test import Client


def test_no_page_loads_htmx(reviewer_client):
    html = reviewer_client.get("/").content.decode()
    assert "htmx" not in html
    assert "hx-" not in html


def test_the_stylesheet_is_served_gzipped_by_the_embedded_default(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    plain = (settings.BASE_DIR / "static" / "css" / "srs.css").read_bytes()

    response = Client().get("/static/css/srs.css", headers={"accept-encoding": "gzip"})

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    body = b"".join(response.streaming_content)
    assert len(body) < len(plain) / 2
    assert gzip.decompress(body) == plain


def test_production_collects_every_static_file_with_its_hashed_name(settings, tmp_path):
    """Production's manifest storage follows every url() and sourceMappingURL of the CSS
    and JavaScript it collects (the vendored Leaflet's included): one missing file and
    collectstatic, hence the deployment and ``make demo``, fails."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    collected = {path.name for path in (tmp_path / "static").rglob("*")}
    assert "leaflet.js" in collected
    assert any(name.startswith("leaflet.") and name.endswith(".js.map") for name in collected)
