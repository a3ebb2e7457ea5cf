"""Every text a person reads exists in Indonesian."""

import subprocess
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parents[1] / "locale" / "id" / "LC_MESSAGES" / "django.po"


def test_the_indonesian_catalogue_is_complete_and_well_formed():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "translated message" in result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
