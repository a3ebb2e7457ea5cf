"""A mapped row read as an import row, or refused with its reasons; the areas table is
asked once per batch."""

import io
from datetime import date

import pytest
from django.utils import translation

from imports.columns import check_mapping, propose_mapping
from imports.models import SourceKind
from imports.readers import SourceRow, open_extract
from imports.rows import AreaBook, ImportRow, InvalidRow, parse_date, read_batch
from tests.imports.extracts import TODAY, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

# A woman born 5 January 1990 in Kepanjen (35.07.13): day 05 + 40.
NIK = "3507134501900001"
KK = "3507131203150004"
VILLAGE = "35.07.13.2011"  # Talangagung


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _ektp(**cells: str) -> dict[str, str]:
    row = {
        "NIK": NIK,
        "NO_KK": KK,
        "NAMA_LGKP": "SITI AMINAH",
        "JENIS_KLMIN": "PEREMPUAN",
        "TGL_LHR": "05-01-1990",
        "ALAMAT": "Jl. Mawar No. 5",
        "NO_RT": "005",
        "NO_RW": "002",
        "KODE_WILAYAH": "3507132011",
    }
    row.update(cells)
    return row


def _read(source: str, *rows: dict[str, str], scope: str = "35.07") -> list:
    columns = list(rows[0])
    mapping = check_mapping(
        SourceKind(source), propose_mapping(SourceKind(source), columns), columns
    )
    source_rows = [SourceRow(number=i + 2, cells=row) for i, row in enumerate(rows)]
    return read_batch(
        source=SourceKind(source),
        rows=source_rows,
        mapping=mapping,
        book=AreaBook(scope=scope),
        today=TODAY,
    )


def _codes(read) -> list[str]:
    assert isinstance(read, InvalidRow), read
    return [reason.code for reason in read.reasons]


def test_a_good_ektp_row_is_a_person_with_her_place_and_family_card():
    (read,) = _read("ektp", _ektp())

    assert isinstance(read, ImportRow)
    assert read.person.nik == NIK and read.person.kk == KK
    assert read.person.name == "SITI AMINAH" and read.person.name_key == "siti aminah"
    assert read.person.sex == "female" and read.person.birth_date == date(1990, 1, 5)
    assert read.household.place.village_code == VILLAGE
    assert (read.household.place.rt, read.household.place.rw) == ("5", "2")
    assert read.warnings == ()


def test_a_village_code_in_parts_is_completed_by_the_regency_and_the_imports_area():
    parts = _ektp(NO_PROP="35", NO_KAB="7", NO_KEC="13", NO_KEL="2011")
    del parts["KODE_WILAYAH"]
    only_kecamatan = dict(parts)
    del only_kecamatan["NO_PROP"], only_kecamatan["NO_KAB"]

    (read,) = _read("ektp", parts)
    (from_scope,) = _read("ektp", only_kecamatan, scope="35.07")

    assert read.household.place.village_code == VILLAGE
    assert from_scope.household.place.village_code == VILLAGE


def test_a_village_named_within_a_named_kecamatan_is_found():
    row = {
        "NO_KPS": "KPS1",
        "NIK": NIK,
        "NAMA_PENERIMA": "Siti",
        "NAMA_KEC": "KEPANJEN",
        "NAMA_DESA": "talang agung",
    }

    (read,) = _read("kps", row)

    assert read.household.place.village_code == VILLAGE
    assert read.household.card_number == "KPS1"


def test_missing_sex_and_birth_date_are_the_niks():
    (read,) = _read("ektp", _ektp(JENIS_KLMIN="", TGL_LHR=""))

    assert (read.person.sex, read.person.birth_date) == ("female", date(1990, 1, 5))


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"NIK": NIK[:-1]}, "nik.format"),
        ({"NIK": "3.50713E+15"}, "nik.scientific"),
        ({"NIK": ""}, "nik.missing"),
        ({"NIK": "3507137201900001"}, "nik.date"),  # day 72 - 40 = 32
        ({"NIK": "3507133102900001", "JENIS_KLMIN": "", "TGL_LHR": ""}, "nik.date"),  # 31 Feb
        ({"JENIS_KLMIN": "LAKI-LAKI"}, "nik.sex"),
        ({"TGL_LHR": "06-01-1990"}, "nik.birth_date"),
        ({"TGL_LHR": "32-01-1990"}, "birth_date.impossible"),
        ({"TGL_LHR": "31-02-1990"}, "birth_date.impossible"),
        ({"TGL_LHR": "kemarin"}, "birth_date.unreadable"),
        ({"NAMA_LGKP": "  "}, "name.missing"),
        ({"KODE_WILAYAH": "3507992001"}, "place.kecamatan_unknown"),
        ({"KODE_WILAYAH": "3507139999"}, "place.village_unknown"),
        ({"KODE_WILAYAH": "3578012001"}, "place.kecamatan_unknown"),
        ({"KODE_WILAYAH": ""}, "place.missing"),
    ],
)
def test_each_bad_value_is_a_reason_the_row_is_invalid(cells, code):
    (read,) = _read("ektp", _ektp(**cells))

    assert code in _codes(read)


def test_a_kk_not_16_digits_refuses_a_family_card_row_and_is_dropped_from_an_ektp_row():
    kk_row = {
        "NO_KK": KK[:-2],
        "NIK": NIK,
        "NAMA_LGKP": "Siti",
        "STAT_HBKEL": "ISTRI",
        "KODE_WILAYAH": "3507132011",
    }

    (kk_read,) = _read("kk", kk_row)
    (ektp_read,) = _read("ektp", _ektp(NO_KK=KK[:-2]))

    assert _codes(kk_read) == ["kk.format"]
    assert isinstance(ektp_read, ImportRow) and ektp_read.person.kk == ""
    assert [w.code for w in ektp_read.warnings] == ["kk.dropped"]


def test_a_village_outside_the_imports_area_is_refused():
    (read,) = _read("ektp", _ektp(), scope="35.07.33")

    assert _codes(read) == ["place.outside"]
    assert read.reasons[0].text == (
        "The village 35.07.13.2011 is outside the area of this import (35.07.33)."
    )


def test_reasons_are_read_in_the_readers_language():
    (read,) = _read("ektp", _ektp(NIK=NIK[:-1], NAMA_LGKP=""))

    texts = [reason.text for reason in read.reasons]
    assert texts == [
        "The name is empty.",
        "The NIK “350713450190000” is not 16 digits (it has 15 characters).",
    ]
    with translation.override("id"):
        assert read.reasons[0].text == "Nama kosong."


def test_warnings_do_not_refuse_a_row():
    (read,) = _read("ektp", _ektp(NIK="3507134501100001", TGL_LHR="05-01-2010", NO_HP="12"))

    assert isinstance(read, ImportRow)
    assert [w.code for w in read.warnings] == ["ektp.under_17", "phone.invalid"]


def test_family_card_relations_and_ppls_codes_become_the_questionnaires_choices():
    kk_rows = [
        {
            "NO_KK": KK,
            "NIK": NIK,
            "NAMA_LGKP": "Siti",
            "STAT_HBKEL": value,
            "KODE_WILAYAH": "3507132011",
        }
        for value in ("KEPALA KELUARGA", "Istri", "4", "cucu", "MERTUA")
    ]

    relations = [read.person.relation for read in _read("kk", *kk_rows)]

    assert relations == ["head", "spouse", "child", "grandchild", "parent"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05-01-1990", date(1990, 1, 5)),
        ("5/1/1990", date(1990, 1, 5)),
        ("1990-01-05", date(1990, 1, 5)),
        ("1990-01-05 00:00:00", date(1990, 1, 5)),
        ("19900105", date(1990, 1, 5)),
        ("05-JAN-90", date(1990, 1, 5)),
        ("17 Agustus 1945", date(1945, 8, 17)),
        ("05-01-10", date(2010, 1, 5)),
        ("32878", date(1990, 1, 5)),  # an Excel serial number, exported as text
        ("", None),
    ],
)
def test_dates_are_read_as_the_sources_write_them(text, expected):
    assert parse_date(text, today=TODAY) == expected


def test_a_batch_asks_the_areas_table_once_and_a_second_batch_not_at_all(
    django_assert_num_queries,
):
    data, _report = csv_bytes("ektp", 30, bad=False)
    extract = open_extract(io.BytesIO(data))
    mapping = propose_mapping(SourceKind.EKTP, extract.columns)
    rows = list(extract.rows())
    book = AreaBook(scope="35.07")

    with django_assert_num_queries(1):
        first = read_batch(
            source=SourceKind.EKTP, rows=rows, mapping=mapping, book=book, today=TODAY
        )
    with django_assert_num_queries(0):
        read_batch(source=SourceKind.EKTP, rows=rows, mapping=mapping, book=book, today=TODAY)

    assert all(isinstance(read, ImportRow) for read in first)


@pytest.mark.parametrize("source", ["ektp", "kk", "ppls", "kps"])
@pytest.mark.parametrize("maker", [csv_bytes, xlsx_bytes])
def test_every_good_row_of_a_real_looking_extract_is_read_and_each_planted_row_is_caught(
    source, maker
):
    data, report = maker(source, 40)
    extract = open_extract(io.BytesIO(data))
    mapping = check_mapping(
        SourceKind(source), propose_mapping(SourceKind(source), extract.columns), extract.columns
    )

    read = read_batch(
        source=SourceKind(source),
        rows=list(extract.rows()),
        mapping=mapping,
        book=AreaBook(scope="35.07"),
        today=TODAY,
    )

    by_row = {r.number: r for r in read}
    planted = {p.row: p for p in report.planted}
    expected = {
        "nik_15": "nik.format",
        "day_32": "birth_date.impossible",
        "unknown_kecamatan": "place.kecamatan_unknown",
    }
    for number, row in by_row.items():
        if number in planted and planted[number].kind in expected:
            assert expected[planted[number].kind] in _codes(row), (number, planted[number])
        else:
            assert isinstance(row, ImportRow), (number, row)
            assert row.warnings == (), (number, row.warnings)
    for plant in report.planted_of("duplicate_row"):
        assert by_row[plant.row].digest == by_row[plant.of_row].digest
    for plant in report.planted_of("two_kk"):
        twin, original = by_row[plant.row], by_row[plant.of_row]
        assert twin.person.nik == original.person.nik
        assert twin.person.kk != original.person.kk and twin.digest != original.digest
    assert len(read) == report.rows
