"""Loading Indonesia's administrative areas from the idn-area-data CSV files.

The files (registry/data/idn-area-data/, ODbL) hold every province, regency,
kecamatan and village with its Kemendagri code. Loading is idempotent: rows are
created when missing, updated when their name or parent changed, and otherwise
left alone, so running it again changes nothing.
"""

import csv
import gzip
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q, QuerySet

from areas.errors import AreaDataMissing, UnknownArea
from areas.models import Area, AreaLevel

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data" / "idn-area-data"

# (file, level, column holding the parent's code)
_FILES: tuple[tuple[str, AreaLevel, str | None], ...] = (
    ("provinces.csv.gz", AreaLevel.PROVINCE, None),
    ("regencies.csv.gz", AreaLevel.REGENCY, "province_code"),
    ("districts.csv.gz", AreaLevel.SUBDISTRICT, "regency_code"),
    ("villages.csv.gz", AreaLevel.VILLAGE, "district_code"),
)
_BATCH = 2000


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class AreaLoadResult:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def _in_scope(code: str, scope: str | None) -> bool:
    """Rows inside the scope, plus the scope's ancestors (so the tree stays whole)."""
    if scope is None:
        return True
    return code == scope or code.startswith(scope + ".") or scope.startswith(code + ".")


def read_area_rows(scope: str | None = None, data_dir: Path = DATA_DIR) -> Iterator[AreaRow]:
    """The rows of the data files, parents before children, limited to ``scope``."""
    for filename, level, parent_column in _FILES:
        path = data_dir / filename
        if not path.exists():
            raise AreaDataMissing(path=str(path))
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                code = record["code"].strip()
                if not _in_scope(code, scope):
                    continue
                yield AreaRow(
                    code=code,
                    name=record["name"].strip(),
                    level=level,
                    parent_code=record[parent_column].strip() if parent_column else None,
                )


def _existing_areas(scope: str | None) -> QuerySet[Area]:
    if scope is None:
        return Area.objects.all()
    parts = scope.split(".")
    ancestors = [".".join(parts[:i]) for i in range(1, len(parts))]
    return Area.objects.filter(
        Q(code=scope) | Q(code__startswith=scope + ".") | Q(code__in=ancestors)
    )


@transaction.atomic
def load_areas(*, scope: str | None = None, data_dir: Path = DATA_DIR) -> AreaLoadResult:
    """Create or update the areas in ``scope`` (a province or regency code; None: all).

    Raises UnknownArea when the scope matches no row of the data files.
    """
    rows = list(read_area_rows(scope, data_dir))
    if scope is not None and not any(row.code == scope for row in rows):
        raise UnknownArea(code=scope)
    existing = {
        code: (name, level, parent)
        for code, name, level, parent in _existing_areas(scope)
        .values_list("code", "name", "level", "parent_id")
        .iterator(chunk_size=_BATCH)
    }
    to_create: list[Area] = []
    to_update: list[Area] = []
    unchanged = 0
    for row in rows:
        wanted = (row.name, row.level, row.parent_code)
        current = existing.get(row.code)
        if current is None:
            to_create.append(
                Area(code=row.code, name=row.name, level=row.level, parent_id=row.parent_code)
            )
        elif current != wanted:
            to_update.append(
                Area(code=row.code, name=row.name, level=row.level, parent_id=row.parent_code)
            )
        else:
            unchanged += 1
    # Rows come parents first, so each batch's parents already exist.
    Area.objects.bulk_create(to_create, batch_size=_BATCH)
    Area.objects.bulk_update(to_update, ["name", "level", "parent"], batch_size=_BATCH)
    result = AreaLoadResult(created=len(to_create), updated=len(to_update), unchanged=unchanged)
    logger.info(
        "areas loaded scope=%s created=%s updated=%s unchanged=%s",
        scope or "all",
        result.created,
        result.updated,
        result.unchanged,
    )
    return result
