"""Reading extracts: encodings, delimiters, workbook cells as a clerk sees them, and the
files that are refused in the user's words."""

import datetime
import io
import re
import tracemalloc
import zipfile

import openpyxl
import pytest

from imports import xlsx_rows
from imports.errors import (
    CorruptWorkbook,
    EmptyFile,
    EncryptedWorkbook,
    NoHeader,
    OldExcelWorkbook,
    RowTooLong,
    SheetColumnsDiffer,
    TooManyColumns,
    UnsupportedFile,
    WorkbookTooMuchText,
)
from imports.readers import MAX_ROW_BYTES, open_extract
from tests.imports.extracts import workbook_bytes, write_csv, xlsx_bytes

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


# --- workbooks read by streaming their XML: several sheets, every kind of cell -------------

HEADER = ["NIK", "NAMA", "TGL_LHR"]


def _sheets(*sheets: tuple[str, list[list[object]]], **options: object) -> bytes:
    """A workbook of the given sheets (name, rows), written as Excel writes one."""
    return workbook_bytes("kps", 0, bad=False, sheet_rows=dict(sheets), **options)[0]


def _without_first_sheet(data: bytes) -> bytes:
    # workbook_bytes always writes the source's own sheet first; with no households it
    # holds the header only: drop it from the workbook so the given sheets are all.
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                content = re.sub(rb'<sheet name="KPS"[^>]*/>', b"", content)
            target.writestr(info, content)
    return buffer.getvalue()


def _book(*sheets: tuple[str, list[list[object]]], **options: object) -> bytes:
    return _without_first_sheet(_sheets(*sheets, **options))


def test_the_sheets_of_a_workbook_are_read_in_order_as_one_table_that_names_each_sheet():
    data = _book(
        ("Januari", [HEADER, [NIK, "Siti", None], [NIK, "Budi", None]]),
        ("Kosong", []),
        ("Februari", [[], HEADER, [NIK, "Ani", None]]),
    )

    extract, rows = _read(data)

    assert extract.columns == ("NIK", "NAMA", "TGL_LHR")
    assert [s.name for s in extract.sheets] == ["Januari", "Februari"]
    assert [(row.sheet, row.number, row.cells["NAMA"]) for row in rows] == [
        ("Januari", 2, "Siti"),
        ("Januari", 3, "Budi"),
        ("Februari", 3, "Ani"),
    ]
    assert rows[0].position < rows[1].position < rows[2].position


def test_a_read_resumed_in_the_second_sheet_starts_after_its_row():
    data = _book(
        ("A", [HEADER, [NIK, "Siti"], [NIK, "Budi"]]),
        ("B", [HEADER, [NIK, "Ani"], [NIK, "Joko"], [NIK, "Eko"]]),
    )
    extract = open_extract(io.BytesIO(data))
    ani = next(row for row in extract.rows() if row.cells["NAMA"] == "Ani")

    resumed = list(extract.rows(start_after=ani.position))

    assert [(row.sheet, row.number, row.cells["NAMA"]) for row in resumed] == [
        ("B", 3, "Joko"),
        ("B", 4, "Eko"),
    ]
    assert list(extract.rows(start_after=3)) == list(extract.rows())[2:]  # first sheet: numbers


@pytest.mark.parametrize(
    "second",
    [
        ["NIK", "NAMA", "TGL_LAHIR"],  # another name
        ["NAMA", "NIK", "TGL_LHR"],  # another order
        [NIK, "Ani", "1990-01-05"],  # no header: the data starts at once
    ],
)
def test_a_sheet_with_other_columns_is_refused_naming_it(second):
    data = _book(("EKTP", [HEADER, [NIK, "Siti"]]), ("EKTP (2)", [second, [NIK, "Budi"]]))

    with pytest.raises(SheetColumnsDiffer) as refused:
        open_extract(io.BytesIO(data))

    assert refused.value.params == {"sheet": "EKTP (2)", "first": "EKTP"}
    assert "EKTP (2)" in str(refused.value.message % refused.value.params)


def test_a_sheet_whose_header_differs_only_in_case_and_spacing_is_read():
    data = _book(
        ("A", [HEADER, [NIK, "Siti"]]), ("B", [["nik", " nama ", "tgl_lhr"], [NIK, "Ani"]])
    )

    _extract, rows = _read(data)

    assert [row.cells["NAMA"] for row in rows] == ["Siti", "Ani"]


def _raw_workbook(sheet_xml: str, *, shared: str | None = None, styles: str = "") -> bytes:
    """A one-sheet workbook around ``sheet_xml`` (the sheetData's rows), as given."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            f'<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        rels = f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        if shared is not None:
            rels += (
                f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            )
            archive.writestr("xl/sharedStrings.xml", f'<sst xmlns="{ns}">{shared}</sst>')
        if styles:
            rels += f'<Relationship Id="rId3" Type="{rel}/styles" Target="styles.xml"/>'
            archive.writestr("xl/styles.xml", f'<styleSheet xmlns="{ns}">{styles}</styleSheet>')
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{ns}"><sheetData>{sheet_xml}</sheetData></worksheet>',
        )
    return buffer.getvalue()


def test_sparse_rows_keep_each_cell_in_its_column_and_each_row_its_number():
    data = _raw_workbook(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>NIK</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>NAMA</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>RT</t></is></c></row>'
        '<row r="4"><c r="C4"><v>7</v></c></row>'
        '<row r="9"><c r="B9" t="inlineStr"><is><t>Siti</t></is></c><c><v>3</v></c>'
        '<c r="E9" t="inlineStr"><is><t>catatan</t></is></c></row>'
    )

    _extract, rows = _read(data)

    assert [(row.number, row.cells, row.extra_cells) for row in rows] == [
        (4, {"NIK": "", "NAMA": "", "RT": "7"}, ()),
        (9, {"NIK": "", "NAMA": "Siti", "RT": "3"}, ("catatan",)),
    ]


def test_shared_inline_rich_and_formula_strings_read_the_same():
    shared = (
        "<si><t>NIK</t></si><si><t>NAMA</t></si><si><t> Siti Aminah </t></si>"
        '<si><r><t xml:space="preserve">Budi </t></r><r><rPr><b/></rPr><t>Santoso</t></r>'
        "<rPh><t>ブディ</t></rPh></si>"
    )
    data = _raw_workbook(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        f'<row r="2"><c r="A2"><v>{NIK}</v></c><c r="B2" t="s"><v>2</v></c></row>'
        f'<row r="3"><c r="A3"><v>{NIK}</v></c><c r="B3" t="s"><v>3</v></c></row>'
        f'<row r="4"><c r="A4" t="inlineStr"><is><t>{NIK}</t></is></c>'
        '<c r="B4" t="inlineStr"><is><r><t>Ani </t></r><r><t>Lestari</t></r></is></c></row>'
        '<row r="5"><c r="A5" t="str"><f>A4</f><v>="3507134501900001"</v></c>'
        '<c r="B5" t="str"><f>UPPER("eko")</f><v>EKO</v></c></row>',
        shared=shared,
    )

    _extract, rows = _read(data)

    assert [row.cells for row in rows] == [
        {"NIK": NIK, "NAMA": "Siti Aminah"},
        {"NIK": NIK, "NAMA": "Budi Santoso"},
        {"NIK": NIK, "NAMA": "Ani Lestari"},
        {"NIK": NIK, "NAMA": "EKO"},
    ]


def test_a_nik_stored_as_a_number_keeps_all_sixteen_digits_and_booleans_and_errors_read():
    data = _raw_workbook(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>NIK</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>AKTIF</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>LUAS</t></is></c>'
        '<c r="D1" t="inlineStr"><is><t>USIA</t></is></c></row>'
        '<row r="2"><c r="A2"><v>3.507134501900001E+15</v></c><c r="B2" t="b"><v>1</v></c>'
        '<c r="C2"><v>36.5</v></c><c r="D2" t="e"><v>#N/A</v></c></row>'
        '<row r="3"><c r="A3" t="n"><v>3507134501900001</v></c><c r="B3" t="b"><v>0</v></c>'
        '<c r="C3"><v>12.0</v></c><c r="D3" t="e"><v>#DIV/0!</v></c></row>'
    )

    _extract, rows = _read(data)

    assert [row.cells for row in rows] == [
        {"NIK": NIK, "AKTIF": "TRUE", "LUAS": "36.5", "USIA": "#N/A"},
        {"NIK": NIK, "AKTIF": "FALSE", "LUAS": "12", "USIA": "#DIV/0!"},
    ]


_STYLES = (
    '<numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="165" formatCode="&quot;Rp&quot; #,##0"/></numFmts>'
    '<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/>'
    '<xf numFmtId="22"/><xf numFmtId="20"/></cellXfs>'
)


def test_numbers_styled_as_dates_read_as_dates_and_other_styles_as_numbers():
    data = _raw_workbook(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>BUILTIN</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>CUSTOM</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>RUPIAH</t></is></c>'
        '<c r="D1" t="inlineStr"><is><t>WAKTU</t></is></c>'
        '<c r="E1" t="inlineStr"><is><t>JAM</t></is></c>'
        '<c r="F1" t="inlineStr"><is><t>ISO</t></is></c></row>'
        '<row r="2"><c r="A2" s="1"><v>32878</v></c><c r="B2" s="2"><v>32878</v></c>'
        '<c r="C2" s="3"><v>32878</v></c><c r="D2" s="4"><v>32878.3125</v></c>'
        '<c r="E2" s="5"><v>0.5</v></c><c r="F2" t="d"><v>1990-01-05T00:00:00</v></c></row>',
        styles=_STYLES,
    )

    _extract, rows = _read(data)

    assert rows[0].cells == {
        "BUILTIN": "1990-01-05",
        "CUSTOM": "1990-01-05",
        "RUPIAH": "32878",
        "WAKTU": "1990-01-05 07:30:00",
        "JAM": "12:00:00",
        "ISO": "1990-01-05",
    }


def test_dates_of_a_1904_workbook_written_as_excel_writes_it_are_read_with_its_epoch():
    born = datetime.date(1990, 1, 5)
    data = _book(("Data", [HEADER, [NIK, "Siti", born]]), epoch_1904=True)
    plain = _book(("Data", [HEADER, [NIK, "Siti", born]]))

    assert _read(data)[1][0].cells["TGL_LHR"] == "1990-01-05"
    assert _read(plain)[1][0].cells["TGL_LHR"] == "1990-01-05"
    assert data != plain  # the serials differ by 1,462 days


def test_an_extract_made_by_openpyxl_and_one_made_as_excel_makes_it_read_alike():
    by_openpyxl, made = xlsx_bytes("kk", 12)
    as_excel, _made = workbook_bytes("kk", 12, rows_per_sheet=10)

    old = [(row.number, row.cells) for row in open_extract(io.BytesIO(by_openpyxl)).rows()]
    new = list(open_extract(io.BytesIO(as_excel)).rows())

    assert len(new) == made.rows
    assert [row.cells for row in new] == [cells for _number, cells in old]
    assert new[10].sheet == "KK (2)"
    assert new[10].number == 2


def test_a_huge_shared_strings_table_is_refused(monkeypatch):
    monkeypatch.setattr(xlsx_rows, "MAX_SHARED_STRINGS", 50)
    data, _made = workbook_bytes("ektp", 30)

    with pytest.raises(WorkbookTooMuchText):
        list(open_extract(io.BytesIO(data)).rows())


def test_a_shared_string_the_table_lacks_and_a_bad_cell_reference_are_a_damaged_workbook():
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>NIK</t></is></c></row>'
    for row in (
        '<row r="2"><c r="A2" t="s"><v>7</v></c></row>',
        '<row r="2"><c r="2A"><v>1</v></c></row>',
    ):
        with pytest.raises(CorruptWorkbook):
            list(
                open_extract(
                    io.BytesIO(_raw_workbook(header + row, shared="<si><t>x</t></si>"))
                ).rows()
            )


def test_a_sheet_with_a_dtd_is_refused():
    data = _raw_workbook('<row r="1"><c r="A1" t="inlineStr"><is><t>NIK</t></is></c></row>')
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = b'<!DOCTYPE w [<!ENTITY e "NIK">]>' + content.replace(b">NIK<", b">&e;<")
            target.writestr(info, content)

    with pytest.raises(CorruptWorkbook):
        open_extract(io.BytesIO(buffer.getvalue()))


def test_a_large_workbook_is_streamed_in_bounded_memory():
    data, made = workbook_bytes("ektp", 3000, rows_per_sheet=2500)

    tracemalloc.start()
    extract = open_extract(io.BytesIO(data))
    count = sum(1 for _row in extract.rows())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert count == made.rows
    assert len(extract.sheets) == 3
    assert peak < 3_000_000
