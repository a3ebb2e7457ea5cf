"""ODK's geopoint answers (``lat lon [altitude [accuracy]]``), read in one place.

Collect sends a geopoint as four numbers separated by spaces; a geotrace or
geoshape is a list of them separated by semicolons. Every layer that reads
one (intake's answers, review's checks and pages, the registry's merge)
calls ``parse_geopoint``.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float
    altitude: float | None = None
    accuracy: float | None = None


def parse_geopoint(text: str | None) -> GeoPoint | None:
    """The point of ``text``; None when it is not a point on Earth."""
    parts = (text or "").split()
    if len(parts) < 2:
        return None
    try:
        numbers = [float(part) for part in parts[:4]]
    except ValueError:
        return None
    lat, lon = numbers[0], numbers[1]
    if any(map(math.isnan, numbers)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return GeoPoint(
        lat=lat,
        lon=lon,
        altitude=numbers[2] if len(numbers) > 2 else None,
        accuracy=numbers[3] if len(numbers) > 3 else None,
    )
