"""Reading extracts: encodings, delimiters, workbook cells as a clerk sees them, and the
files that are refused in the user's words."""

import datetime
import io
import tracemalloc
import zipfile

import openpyxl
import pytest

from imports.errors import (
    CorruptWorkbook,
    EmptyFile,
    EncryptedWorkbook,
    NoHeader,
    OldExcelWorkbook,
    RowTooLong,
    TooManyColumns,
    UnsupportedFile,
)
from imports.readers import MAX_ROW_BYTES, open_extract
from tests.imports.extracts import write_csv

NIK = "3507134501900001"


def _read(data: bytes):
    extract = open_extract(io.BytesIO(data))
    return extract, list(extract.rows())


@pytest.mark.parametrize(
    ("encoding", "prefix", "sniffed"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
        ("latin-1", b"", "latin-1"),
    ],
)
def test_each_encoding_is_sniffed_and_names_keep_their_letters(encoding, prefix, sniffed):
    # "\x81" (a control character in latin-1) is undefined in cp1252: the file is latin-1.
    name = "Siti Aminah Hernández" + ("\x81" if encoding == "latin-1" else "")
    data = prefix + f"NIK,NAMA_LGKP\n{NIK},{name}\n".encode(encoding)

    extract, rows = _read(data)

    assert extract.encoding == sniffed
    assert extract.columns == ("NIK", "NAMA_LGKP")
    assert rows[0].cells == {"NIK": NIK, "NAMA_LGKP": name}


def test_a_cp1252_row_deep_in_a_utf8_file_is_still_read():
    lines = [b"NIK,NAMA_LGKP\n"] + [f"{NIK},Budi\n".encode()] * 20_000
    data = b"".join(lines) + f"{NIK},Jos\u00e9 Ram\u00edrez\n".encode("cp1252")

    extract, rows = _read(data)

    assert extract.encoding == "utf-8"
    assert rows[-1].cells["NAMA_LGKP"] == "José Ramírez"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_each_delimiter_is_sniffed_and_quoted_fields_keep_delimiters_and_line_breaks(delimiter):
    d = delimiter
    data = (
        f'NIK{d}NAMA_LGKP{d}ALAMAT\n{NIK}{d}Siti{d}"Jl. Mawar{d} No. 5\nDusun Krajan"\n'
        f'{NIK}{d}"Budi ""Bud"" Santoso"{d}Jl. Melati\n'
    ).encode()

    extract, rows = _read(data)

    assert extract.delimiter == delimiter
    assert rows[0].cells["ALAMAT"] == f"Jl. Mawar{d} No. 5\nDusun Krajan"
    assert rows[1].cells["NAMA_LGKP"] == 'Budi "Bud" Santoso'
    assert [row.number for row in rows] == [2, 3]


def test_rows_are_numbered_as_a_spreadsheet_numbers_them_and_blank_rows_are_skipped():
    data = b"NIK;NAMA\n\n" + f'{NIK};Siti\n;\n="{NIK}";Budi;extra\n'.encode()

    _extract, rows = _read(data)

    assert [row.number for row in rows] == [3, 5]
    assert rows[1].cells == {"NIK": NIK, "NAMA": "Budi"}  # Excel's ="…" is undone
    assert rows[1].extra_cells == ("extra",)


def test_a_short_row_has_empty_cells_and_a_resumed_read_starts_after_its_row():
    data = f"NIK,NAMA,ALAMAT\n{NIK},Siti\n{NIK},Budi,x\n{NIK},Ani,y\n".encode()
    extract = open_extract(io.BytesIO(data))

    assert list(extract.rows())[0].cells["ALAMAT"] == ""
    assert [row.number for row in extract.rows(start_after=3)] == [4]


def test_repeated_and_blank_header_names_are_made_distinct():
    extract, _rows = _read(f"NIK,NAMA,,NAMA\n{NIK},a,b,c\n".encode())

    assert extract.columns == ("NIK", "NAMA", "column 3", "NAMA (2)")


def _workbook(rows: list[list[object]], *, epoch_1904: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if epoch_1904:
        workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_workbook_numbers_keep_every_digit_and_dates_read_as_dates():
    data = _workbook(
        [
            ["NIK", "NO_KK", "TGL_LHR", "LUAS", "RT", "JAM"],
            [3507134501900001, 3.507130101090001e15, datetime.date(1990, 1, 5), 36.5, 1.0, None],
            [NIK, "3507130101090001", datetime.datetime(1990, 1, 5, 7, 30), 0, 12, True],
        ]
    )

    extract, rows = _read(data)

    assert extract.format == "xlsx"
    assert rows[0].cells == {
        "NIK": NIK,
        "NO_KK": "3507130101090001",
        "TGL_LHR": "1990-01-05",
        "LUAS": "36.5",
        "RT": "1",
        "JAM": "",
    }
    assert rows[1].cells["TGL_LHR"] == "1990-01-05 07:30:00"
    assert rows[1].cells["JAM"] == "TRUE"


def test_dates_of_a_1904_workbook_are_read_with_its_epoch():
    data = _workbook([["TGL_LHR", "NAMA"], [datetime.date(1990, 1, 5), "Siti"]], epoch_1904=True)

    _extract, rows = _read(data)

    assert rows[0].cells["TGL_LHR"] == "1990-01-05"


def test_workbook_rows_keep_their_numbers_across_empty_rows():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "NIK", "NAMA"
    sheet["A2"], sheet["B2"] = NIK, "Siti"
    sheet["A7"], sheet["B7"] = NIK, "Budi"
    buffer = io.BytesIO()
    workbook.save(buffer)

    _extract, rows = _read(buffer.getvalue())

    assert [row.number for row in rows] == [2, 7]


@pytest.mark.parametrize("data", [b"", b"   \r\n\n"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(EmptyFile):
        open_extract(io.BytesIO(data))


def test_a_file_without_column_names_is_refused_with_its_first_row():
    with pytest.raises(NoHeader) as refused:
        open_extract(io.BytesIO(f"{NIK},3507130101090001,05-01-1990\n".encode()))
    assert NIK in refused.value.detail


def test_a_password_protected_workbook_and_an_old_xls_are_told_apart():
    cfb = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(3000)
    encrypted = cfb + "EncryptedPackage".encode("utf-16-le") + bytes(600)

    with pytest.raises(EncryptedWorkbook):
        open_extract(io.BytesIO(encrypted))
    with pytest.raises(OldExcelWorkbook):
        open_extract(io.BytesIO(cfb + "Workbook".encode("utf-16-le")))


def test_a_damaged_workbook_is_refused():
    data = _workbook([["NIK", "NAMA"], [NIK, "Siti"]])

    with pytest.raises(CorruptWorkbook):
        open_extract(io.BytesIO(data[: len(data) // 2]))


def test_a_damaged_sheet_found_while_streaming_is_refused():
    source = zipfile.ZipFile(io.BytesIO(_workbook([["NIK", "NAMA"], [NIK, "Siti"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", b"<row r='3'><c r='A3'")
            target.writestr(info, content)

    with pytest.raises(CorruptWorkbook):
        extract = open_extract(io.BytesIO(buffer.getvalue()))
        list(extract.rows())


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
)
def test_a_file_that_is_no_table_is_refused(data):
    with pytest.raises(UnsupportedFile):
        open_extract(io.BytesIO(data))


def test_a_zip_that_is_no_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")

    with pytest.raises(UnsupportedFile):
        open_extract(io.BytesIO(buffer.getvalue()))


def test_an_oversized_row_is_refused_with_its_number():
    data = f"NIK,NAMA\n{NIK},Siti\n{NIK},".encode() + b"x" * (MAX_ROW_BYTES + 10) + b"\n"

    with pytest.raises(RowTooLong) as refused:
        list(open_extract(io.BytesIO(data)).rows())
    assert refused.value.params["row"] == 3


def test_a_quotation_mark_left_open_is_refused_instead_of_swallowing_the_file():
    lines = "".join(f"{NIK},Budi,x\n" for _ in range(20_000))
    data = f'NIK,NAMA,ALAMAT\n{NIK},"Siti,x\n{lines}'.encode()

    with pytest.raises(RowTooLong):
        list(open_extract(io.BytesIO(data)).rows())


def test_a_row_with_too_many_columns_is_refused():
    data = b"NIK,NAMA\n" + b",".join([b"1"] * 600) + b"\n"

    with pytest.raises(TooManyColumns):
        list(open_extract(io.BytesIO(data)).rows())


def test_a_large_extract_is_streamed_in_bounded_memory(tmp_path):
    path = tmp_path / "ektp.csv"
    with path.open("wb") as handle:
        made = write_csv(handle, "ektp", 6000, delimiter=";", encoding="cp1252")
    assert path.stat().st_size > 1_500_000

    tracemalloc.start()
    with path.open("rb") as handle:
        extract = open_extract(handle)
        count = sum(1 for _row in extract.rows())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert count == made.rows
    assert peak < 3_000_000
