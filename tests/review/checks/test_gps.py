"""GPS points: parsed as ODK writes them, on Indonesia's land, near the village."""

import pytest

from forms.geopoint import GeoPoint, parse_geopoint
from review.checks.base import ERROR, WARNING
from review.checks.gps import check_gps, distance_m, far_from_neighbours, on_indonesian_land


def test_odk_geopoints_are_parsed():
    point = parse_geopoint("-8.1307 112.5712 420 5")
    assert point == GeoPoint(lat=-8.1307, lon=112.5712, altitude=420.0, accuracy=5.0)
    assert parse_geopoint("-8.13 112.57") == GeoPoint(-8.13, 112.57)
    for bad in ("", "abc", "-8.13", "95 112 0 5", "nan 1 0 0"):
        assert parse_geopoint(bad) is None


@pytest.mark.parametrize(
    ("where", "lat", "lon", "on_land"),
    [
        ("Kepanjen", -8.13, 112.57, True),
        ("Jakarta", -6.2, 106.85, True),
        ("Jayapura", -2.53, 140.71, True),
        ("Denpasar", -8.65, 115.2, True),
        ("the Java Sea", -5.5, 110.0, False),
        ("the Indian Ocean south of Malang", -9.5, 112.6, False),
        ("Singapore", 1.35, 103.82, False),
        ("Kuala Lumpur", 3.139, 101.687, False),
        ("Dili", -8.556, 125.57, False),
    ],
)
def test_on_indonesian_land(where, lat, lon, on_land):
    assert on_indonesian_land(GeoPoint(lat, lon)) is on_land, where


def test_a_good_point_has_no_finding():
    assert check_gps(parse_geopoint("-8.1307 112.5712 420 5"), field="gps", max_accuracy_m=50) == []


def test_zero_zero_is_an_error():
    (finding,) = check_gps(GeoPoint(0.0, 0.0, 0.0, 0.0), field="place/gps")
    assert (finding.check, finding.severity, finding.field) == (
        "gps.outside_indonesia",
        ERROR,
        "place/gps",
    )


def test_a_point_in_the_sea_is_a_warning():
    (finding,) = check_gps(GeoPoint(-5.5, 110.0, 0, 4), field="gps")
    assert (finding.check, finding.severity) == ("gps.outside_indonesia", WARNING)


def test_missing_and_inaccurate_points():
    assert [f.check for f in check_gps(None, field="gps")] == ["gps.missing"]
    (finding,) = check_gps(GeoPoint(-8.13, 112.57, 400, 120), field="gps", max_accuracy_m=50)
    assert finding.check == "gps.accuracy" and "120" in finding.message_en


def test_distance():
    kepanjen, malang = GeoPoint(-8.13, 112.57), GeoPoint(-7.98, 112.63)
    assert 17_000 < distance_m(kepanjen, malang) < 18_500


def test_far_from_the_villages_other_households():
    village = [GeoPoint(-8.130 + i * 0.001, 112.571 + i * 0.001) for i in range(6)]
    assert far_from_neighbours(GeoPoint(-8.131, 112.572), village, field="gps") == []
    (finding,) = far_from_neighbours(GeoPoint(-7.98, 112.63), village, field="gps")
    assert finding.check == "gps.far_from_village" and finding.severity == WARNING
    # Too few neighbours to tell.
    assert far_from_neighbours(GeoPoint(-7.98, 112.63), village[:2], field="gps") == []
