"""The area list that the server generates as form media (``srs_areas.csv``).

Questionnaires offer the location cascade regency → kecamatan → village with
``select_one_from_file srs_areas.csv`` and choice filters on ``level`` and
``parent``. The file holds exactly the areas the questionnaire is deployed to,
with their ancestors, so a field agent can only pick a place the form is for.
"""

import csv
import hashlib
import io
from dataclasses import dataclass

from django.db.models import Q

from areas.models import Area
from forms.models import Questionnaire

AREAS_CSV = "srs_areas.csv"
# The registry's lists for follow-up questionnaires: made for each field agent from her
# villages' households and people (``registry.phone_lists``, served by collector_api).
HOUSEHOLDS_CSV = "households.csv"
PEOPLE_CSV = "people.csv"
REGISTRY_LISTS = frozenset({HOUSEHOLDS_CSV, PEOPLE_CSV})
GENERATED_MEDIA = frozenset({AREAS_CSV}) | REGISTRY_LISTS


@dataclass(frozen=True)
class GeneratedMedia:
    filename: str
    content: bytes
    content_type: str

    @property
    def md5(self) -> str:
        return hashlib.md5(self.content).hexdigest()  # noqa: S324 (OpenRosa manifest hash)


def _ancestor_codes(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def build_areas_csv(questionnaire: Questionnaire) -> GeneratedMedia:
    """The deployed areas, their descendants and their ancestors, ordered by code."""
    roots = list(questionnaire.deployments.values_list("area_id", flat=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "label", "level", "parent"])
    if roots:
        condition = Q(code__in={a for root in roots for a in _ancestor_codes(root)})
        for root in roots:
            condition |= Q(code=root) | Q(code__startswith=root + ".")
        rows = (
            Area.objects.filter(condition)
            .order_by("code")
            .values_list("code", "name", "level", "parent_id")
        )
        for code, name, level, parent in rows:
            writer.writerow([code, name, level, parent or ""])
    return GeneratedMedia(
        filename=AREAS_CSV, content=buffer.getvalue().encode("utf-8"), content_type="text/csv"
    )
