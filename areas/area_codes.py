"""Whether an area code exists: asked for the village of every submission.

Areas are reference data: ``load_areas`` adds and renames them and nothing
deletes one (the admin is read-only; roles and submissions protect them), so a
code found once stays valid, and each process remembers the codes it has seen.
"""

import csv
import functools
import gzip
from pathlib import Path
from threading import Lock

from areas.models import Area

_DISTRICTS = Path(__file__).resolve().parent / "data/idn-area-data/districts.csv.gz"

_known: set[str] = set()
_lock = Lock()


def area_exists(code: str) -> bool:
    """Is ``code`` a known area (province, regency, kecamatan or village)?"""
    if code in _known:
        return True
    if not Area.objects.filter(code=code).exists():
        return False  # not remembered: it may be loaded a moment from now
    with _lock:
        _known.add(code)
    return True


def forget_known_areas() -> None:
    """Drop what this process remembers (tests, which load and drop areas)."""
    with _lock:
        _known.clear()


def common_ancestor(codes: list[str]) -> str:
    """The deepest area code that holds every one of ``codes`` ('' when none does).

    ``35.07.13.1010`` and ``35.07.13.2011`` have ``35.07.13``; ``35.07.13`` and
    ``35.07.33`` have ``35.07``; codes of two provinces have none.
    """
    if not codes:
        return ""
    common = codes[0].split(".")
    for code in codes[1:]:
        steps = code.split(".")
        length = 0
        while length < min(len(common), len(steps)) and common[length] == steps[length]:
            length += 1
        common = common[:length]
    return ".".join(common)


@functools.cache
def kecamatan_codes() -> frozenset[str]:
    """Every kecamatan code of Indonesia as six digits (``350713``), from the data the
    project ships (``areas/data/idn-area-data``), not only the areas loaded; read once."""
    with gzip.open(_DISTRICTS, "rt", encoding="utf-8") as handle:
        return frozenset(row["code"].replace(".", "") for row in csv.DictReader(handle))


@functools.cache
def province_codes() -> frozenset[str]:
    """Every province code of Indonesia as two digits."""
    return frozenset(code[:2] for code in kecamatan_codes())
