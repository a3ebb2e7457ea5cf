"""Loading the areas of Indonesia from idn-area-data."""

import csv
import gzip

import pytest

from areas.area_import import DATA_DIR, load_areas
from areas.errors import UnknownArea
from areas.models import Area, AreaLevel


def _rows_in(filename: str) -> int:
    with gzip.open(DATA_DIR / filename, "rt", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


@pytest.mark.usefixtures("no_areas")
def test_loading_kabupaten_malang_gives_its_real_areas():
    result = load_areas(scope="35.07")
    assert result.created == 1 + 1 + 33 + 390  # East Java, Malang, kecamatan, villages
    assert Area.objects.get(code="35.07").name == "Kabupaten Malang"
    assert Area.objects.get(code="35.07.13").name == "Kepanjen"
    assert Area.objects.get(code="35.07.33").name == "Pagelaran"
    assert Area.objects.filter(level=AreaLevel.SUBDISTRICT).count() == 33
    assert Area.objects.filter(level=AreaLevel.VILLAGE, code__startswith="35.07.13.").count() == 18
    village = Area.objects.get(code="35.07.13.2011")
    assert (village.parent_id, village.parent.parent_id, village.parent.parent.parent_id) == (
        "35.07.13",
        "35.07",
        "35",
    )


@pytest.mark.usefixtures("no_areas")
def test_loading_twice_changes_nothing():
    load_areas(scope="35.07")
    again = load_areas(scope="35.07")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 425)


@pytest.mark.usefixtures("no_areas")
def test_a_renamed_area_is_updated_not_duplicated():
    load_areas(scope="35.07")
    Area.objects.filter(code="35.07.13").update(name="Old name")
    result = load_areas(scope="35.07")
    assert (result.created, result.updated) == (0, 1)
    assert Area.objects.get(code="35.07.13").name == "Kepanjen"


@pytest.mark.usefixtures("no_areas")
def test_unknown_scope_is_refused_and_nothing_written():
    with pytest.raises(UnknownArea):
        load_areas(scope="99.99")
    assert Area.objects.count() == 0


@pytest.mark.usefixtures("no_areas")
def test_loading_all_of_indonesia_counts_every_area():
    result = load_areas()
    assert (
        Area.objects.filter(level=AreaLevel.PROVINCE).count() == _rows_in("provinces.csv.gz") == 38
    )
    assert (
        Area.objects.filter(level=AreaLevel.REGENCY).count() == _rows_in("regencies.csv.gz") == 514
    )
    assert (
        Area.objects.filter(level=AreaLevel.SUBDISTRICT).count()
        == _rows_in("districts.csv.gz")
        == 7285
    )
    assert (
        Area.objects.filter(level=AreaLevel.VILLAGE).count() == _rows_in("villages.csv.gz") == 83762
    )
    assert result.total == Area.objects.count()
    assert not Area.objects.filter(level=AreaLevel.VILLAGE, parent__isnull=True).exists()
