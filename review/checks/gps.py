"""GPS points of ODK geopoints: present, accurate enough, on Indonesia's land, near the village.

Indonesia's land is Natural Earth's 1:10m country outline (public domain),
from the npm package world-atlas, rounded to about 110 m
(``data/indonesia_land.geojson``, made by ``data/make_indonesia_land.py``). A
point on a small island or a stilt house just off the coast may fall outside
that outline: the finding is a warning for the reviewer, never a refusal.
"""

import functools
import json
import math
import statistics
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from forms.geopoint import GeoPoint
from review.checks.base import ERROR, WARNING, FindingDraft, make_finding

_LAND = Path(__file__).with_name("data") / "indonesia_land.geojson"
EARTH_RADIUS_M = 6_371_000.0
# Households of one village lie within a few kilometres of each other.
FAR_FROM_NEIGHBOURS_M = 5_000.0
_MIN_NEIGHBOURS = 3


def distance_m(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in metres (haversine)."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlon = lat2 - lat1, math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


Ring = tuple[tuple[float, float], ...]
# (bounding box (min lon, min lat, max lon, max lat), outer ring, holes)
Polygon = tuple[tuple[float, float, float, float], Ring, tuple[Ring, ...]]


@functools.cache
def _land() -> tuple[tuple[float, float, float, float], tuple[Polygon, ...]]:
    geometry = json.loads(_LAND.read_text())["geometry"]
    polygons = []
    for rings in geometry["coordinates"]:
        outer = tuple((float(x), float(y)) for x, y in rings[0])
        holes = tuple(tuple((float(x), float(y)) for x, y in ring) for ring in rings[1:])
        xs, ys = [x for x, _ in outer], [y for _, y in outer]
        polygons.append(((min(xs), min(ys), max(xs), max(ys)), outer, holes))
    box = (
        min(p[0][0] for p in polygons),
        min(p[0][1] for p in polygons),
        max(p[0][2] for p in polygons),
        max(p[0][3] for p in polygons),
    )
    return box, tuple(polygons)


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
        x1, y1 = x2, y2
    return inside


def on_indonesian_land(point: GeoPoint) -> bool:
    """Is the point inside Indonesia's land outline (bounding boxes first, then rings)?"""
    box, polygons = _land()
    lon, lat = point.lon, point.lat
    if not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
        return False
    for (x0, y0, x1, y1), outer, holes in polygons:
        if x0 <= lon <= x1 and y0 <= lat <= y1 and _in_ring(lon, lat, outer):
            return not any(_in_ring(lon, lat, hole) for hole in holes)
    return False


def check_gps(
    point: GeoPoint | None, *, field: str, max_accuracy_m: float | None = None
) -> list[FindingDraft]:
    """Missing, 0,0, not accurate enough, or not on Indonesia's land."""
    if point is None:
        return [
            make_finding(
                "gps.missing", WARNING, field, None, _("The household's GPS point is missing.")
            )
        ]
    if abs(point.lat) < 1e-6 and abs(point.lon) < 1e-6:
        return [
            make_finding(
                "gps.outside_indonesia",
                ERROR,
                field,
                None,
                _(
                    "The GPS point is 0,0 (in the Atlantic Ocean): the phone had no position "
                    "when it was taken."
                ),
            )
        ]
    found = []
    if (
        max_accuracy_m is not None
        and point.accuracy is not None
        and point.accuracy > max_accuracy_m
    ):
        found.append(
            make_finding(
                "gps.accuracy",
                WARNING,
                field,
                None,
                _(
                    "The GPS point is accurate to %(accuracy)s m only; the questionnaire asks "
                    "for %(limit)s m or better."
                ),
                accuracy=f"{point.accuracy:.0f}",
                limit=f"{max_accuracy_m:.0f}",
            )
        )
    if not on_indonesian_land(point):
        found.append(
            make_finding(
                "gps.outside_indonesia",
                WARNING,
                field,
                None,
                _(
                    "The GPS point (%(lat)s, %(lon)s) is not on Indonesia's land: in the sea "
                    "or in another country."
                ),
                lat=f"{point.lat:.5f}",
                lon=f"{point.lon:.5f}",
            )
        )
    return found


def far_from_neighbours(
    point: GeoPoint | None, neighbours: list[GeoPoint], *, field: str
) -> list[FindingDraft]:
    """A point much farther from the village's other households than they are from each
    other (the median distance to them over 5 km, or over three times their own spread)."""
    if point is None or len(neighbours) < _MIN_NEIGHBOURS:
        return []
    centre = GeoPoint(
        lat=statistics.median(p.lat for p in neighbours),
        lon=statistics.median(p.lon for p in neighbours),
    )
    spread = statistics.median(distance_m(p, centre) for p in neighbours)
    away = distance_m(point, centre)
    if away <= max(FAR_FROM_NEIGHBOURS_M, 3 * spread):
        return []
    return [
        make_finding(
            "gps.far_from_village",
            WARNING,
            field,
            None,
            _(
                "The GPS point is %(km)s km from the middle of the village's other "
                "households (%(count)s of them)."
            ),
            km=f"{away / 1000:.1f}",
            count=len(neighbours),
        )
    ]
