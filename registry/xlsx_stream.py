"""An .xlsx workbook of one sheet, written as it is sent: constant memory, first bytes at once.

openpyxl's write-only mode and XlsxWriter's constant-memory mode both keep
memory flat, but write the sheet to a temporary file and zip it only when
the workbook is closed: the first byte of a regency's export would leave
after the last row was read, past a proxy's read timeout. Here the sheet is
deflated into the zip as its rows come (``zipfile`` writes to a stream that
cannot seek with data descriptors), and each batch's bytes are handed on
at once. Text cells are inline strings (no shared-strings table to keep in
memory); numbers are numbers. A workbook this small needs no styles: Excel,
LibreOffice and openpyxl open it as it is.
"""

import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

Cell = str | int | float | None

# Characters XML 1.0 cannot carry at all (a stray control character in a typed name).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ROWS_PER_WRITE = 500

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    "<sheetData>"
)
_SHEET_END = "</sheetData></worksheet>"


class _Sink:
    """A write-only file for ``zipfile``: it keeps what was written until taken."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell_xml(reference: str, value: Cell) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    text = escape(_NOT_IN_XML.sub("", value))
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row_xml(number: int, values: Sequence[Cell], letters: Sequence[str]) -> str:
    cells = "".join(_cell_xml(f"{letters[i]}{number}", value) for i, value in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def stream_xlsx(
    *, header: Sequence[str], rows: Iterable[Sequence[Cell]], sheet_name: str = "Sheet1"
) -> Iterator[bytes]:
    """The bytes of a workbook whose one sheet holds ``header`` then ``rows``, in pieces.

    ``rows`` is read once, lazily; each piece holds a few hundred rows,
    deflated. Cells are written as given: a caller that writes what people
    typed neutralises formulas first (text cells are never formulas here, but
    a cell copied out of the sheet may become one).
    """
    sink = _Sink()
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
    archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
    archive.writestr("_rels/.rels", _ROOT_RELS)
    safe_name = escape(_NOT_IN_XML.sub("", sheet_name))[:31] or "Sheet1"
    archive.writestr("xl/workbook.xml", _WORKBOOK.format(name=safe_name))
    archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
    yield sink.take()
    letters = [column_letter(i) for i in range(max(len(header), 1) + 64)]
    with archive.open("xl/worksheets/sheet1.xml", mode="w") as sheet:
        sheet.write((_SHEET_START + _row_xml(1, header, letters)).encode("utf-8"))
        batch: list[str] = []
        for number, values in enumerate(rows, start=2):
            if len(values) > len(letters):
                letters = [column_letter(i) for i in range(len(values))]
            batch.append(_row_xml(number, values, letters))
            if len(batch) >= _ROWS_PER_WRITE:
                sheet.write("".join(batch).encode("utf-8"))
                batch.clear()
                yield sink.take()
        sheet.write(("".join(batch) + _SHEET_END).encode("utf-8"))
    archive.close()
    yield sink.take()
