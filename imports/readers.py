"""Reading a source database's extract, a row at a time: CSV or XLSX, never the whole file.

An extract comes from Dukcapil's SIAK (e-KTP, KK), the PPLS or the KPS database,
exported by someone with the tools at hand: Excel on Windows (cp1252 CSV with
semicolons, or .xlsx with NIKs as numbers), LibreOffice (UTF-8), a database
client (tabs or pipes). ``open_extract`` sniffs the kind of file, the encoding
and the delimiter from its first bytes, reads the header, and ``Extract.rows``
then streams the rows as text, the way a clerk sees them in a spreadsheet:

- a number keeps every digit (a NIK stored as a number is ``3507134501900001``,
  not ``3.5e15``), an integral number has no ``.0``;
- a date cell is ``YYYY-MM-DD`` (Excel keeps dates as serial numbers formatted as
  dates; the workbook's epoch is honoured), with the time when it has one;
- cells are stripped, and Excel's ``="…"`` trick to keep a number as text is undone.

The file must be seekable (an upload, a file in media storage): it is read once
to sniff and again from the start. Memory stays bounded by one row (CSV) or by
the workbook's shared strings (XLSX, as openpyxl reads them).

Raises the errors of ``imports.errors`` in the user's words: EmptyFile,
NoHeader, UnsupportedFile, OldExcelWorkbook, EncryptedWorkbook,
CorruptWorkbook, EmptyWorkbook, RowTooLong, TooManyColumns.
"""

import codecs
import csv
import datetime
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Literal

from django.template.defaultfilters import filesizeformat

from imports.errors import (
    CorruptWorkbook,
    EmptyFile,
    EmptyWorkbook,
    EncryptedWorkbook,
    NoHeader,
    OldExcelWorkbook,
    RowTooLong,
    TooManyColumns,
    UnsupportedFile,
)

logger = logging.getLogger(__name__)

# A row of an extract is a few hundred bytes; a megabyte is a file that is no CSV, or
# a quotation mark left open that swallows the rest of the file.
MAX_ROW_BYTES = 1024 * 1024
MAX_COLUMNS = 500
_SNIFF_BYTES = 256 * 1024
_SNIFF_ROWS = 50
_DELIMITERS = (",", ";", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: old .xls, or an encrypted .xlsx
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
# Bytes that no text file holds (a NUL, most control characters): a PDF, a photo, a .docx…
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# A zip part packed a hundred times tighter than spreadsheet XML packs is made to
# exhaust the reader; spreadsheets pack about 10:1.
_MAX_ZIP_RATIO = 100
_ZIP_RATIO_APPLIES_ABOVE = 10 * 1024 * 1024
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)
# A header cell that is data: a NIK or KK, a date, a number.
_DATA_LIKE = re.compile(r"^\d{6,}$|^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$|^-?\d+([.,]\d+)?$")

Format = Literal["csv", "xlsx"]


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row: its number as a spreadsheet shows it (the header is row 1 when it is
    the first), its cells by column name, and the cells past the header's last column."""

    number: int
    cells: dict[str, str]
    extra_cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extract:
    """An opened extract: what was sniffed, the header, and the rows to stream."""

    file: IO[bytes]
    format: Format
    columns: tuple[str, ...]
    header_row: int
    encoding: str = ""  # CSV only
    delimiter: str = ""  # CSV only
    sheet: str = ""  # XLSX only

    def rows(self, *, start_after: int = 0) -> Iterator[SourceRow]:
        """The data rows in order, without blank ones; ``start_after`` skips those numbered
        up to it (a run resumed after a crash)."""
        self.file.seek(0)
        if self.format == "csv":
            body = _csv_records(self.file, self.encoding, self.delimiter)
        else:
            body = _xlsx_records(self.file, self.sheet)
        for number, values in body:
            if number <= self.header_row or number <= start_after:
                continue
            if not any(values):
                continue
            if len(values) > MAX_COLUMNS:
                raise TooManyColumns(row=number, count=len(values), limit=MAX_COLUMNS)
            width = len(self.columns)
            cells = dict(zip(self.columns, values, strict=False))
            if len(values) < width:
                cells.update((column, "") for column in self.columns[len(values) :])
            extra = tuple(v for v in values[width:] if v)
            yield SourceRow(number=number, cells=cells, extra_cells=extra)


def open_extract(file: IO[bytes]) -> Extract:
    """Sniff ``file`` (CSV or XLSX, whatever its name says) and read its header."""
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    if not head.strip():
        raise EmptyFile()
    if head.startswith(_CFB_MAGIC):
        raise EncryptedWorkbook() if _is_encrypted(file) else OldExcelWorkbook()
    if head.startswith(_ZIP_MAGIC):
        return _open_xlsx(file)
    if _BINARY.search(head[:4096]) and not head.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        raise UnsupportedFile()
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text": UTF-16 with tabs. Rare in extracts; ask for CSV instead.
        raise UnsupportedFile()
    return _open_csv(file, head)


# --- CSV ------------------------------------------------------------------------------------


def sniff_encoding(head: bytes) -> str:
    """``utf-8-sig`` with a BOM, ``utf-8`` when the first bytes decode as UTF-8, else
    ``cp1252`` (Excel on Windows) when they decode as it, else ``latin-1``.

    Each line is decoded on its own with this one first (``_decoded_lines``), so that
    a file whose first part is plain ASCII and whose later rows are cp1252 still reads.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)  # a character cut at the end of the sample is fine
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _fallbacks(encoding: str) -> tuple[str, ...]:
    if encoding in ("utf-8", "utf-8-sig"):
        return ("utf-8", "cp1252", "latin-1")
    if encoding == "cp1252":
        return ("cp1252", "latin-1")
    return ("latin-1",)


def _raw_lines(file: IO[bytes]) -> Iterator[bytes]:
    """The file's lines as bytes, each at most MAX_ROW_BYTES (else RowTooLong)."""
    number = 0
    while True:
        line = file.readline(MAX_ROW_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_ROW_BYTES and not line.endswith(b"\n"):
            raise RowTooLong(row=number, limit=filesizeformat(MAX_ROW_BYTES))
        yield line


def _decoded_lines(file: IO[bytes], encoding: str) -> Iterator[str]:
    tried = _fallbacks(encoding)
    first = True
    for line in _raw_lines(file):
        if first:
            first = False
            if line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
        for candidate in tried:
            try:
                yield line.decode(candidate)
                break
            except UnicodeDecodeError:
                continue


def _csv_records(file: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of each CSV record; a record with a quoted line break counts as
    one row, numbered by its first line's record count (as a spreadsheet numbers it)."""
    reader = csv.reader(_decoded_lines(file, encoding), delimiter=delimiter)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The one csv.Error a well-formed line can still cause: a field past the csv
            # module's limit (131,072 characters), an open quotation mark at the end.
            raise RowTooLong(row=number + 1, limit=filesizeformat(csv.field_size_limit())) from exc
        number += 1
        yield number, [_csv_cell(value) for value in record]


def _csv_cell(value: str) -> str:
    value = value.strip()
    match = _EXCEL_TEXT.match(value)
    return match.group(1).strip() if match else value


def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header into the most columns and the rows after it
    into as many; ``,`` for a file of one column."""
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        records = [r for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r)]
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        agreeing = sum(1 for record in records[1:] if len(record) == width)
        score = (agreeing, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _open_csv(file: IO[bytes], head: bytes) -> Extract:
    encoding = sniff_encoding(head)
    # Whole lines of the sample only: the last one may be cut.
    sample = head.rsplit(b"\n", 1)[0] if b"\n" in head else head
    lines = list(_decoded_lines(io.BytesIO(sample), encoding))[:_SNIFF_ROWS]
    delimiter = _sniff_delimiter(lines)
    file.seek(0)
    for number, values in _csv_records(file, encoding, delimiter):
        if any(values):
            return Extract(
                file=file,
                format="csv",
                columns=_header(values, number),
                header_row=number,
                encoding=encoding,
                delimiter=delimiter,
            )
        if number > _SNIFF_ROWS:
            break
    raise EmptyFile()


# --- XLSX -----------------------------------------------------------------------------------


def _is_encrypted(file: IO[bytes]) -> bool:
    """An OLE2 file holding Office's EncryptionInfo stream: a workbook with a password.

    The stream names sit in the file's directory, which may be anywhere in it, so the
    whole file is scanned in chunks (memory stays one chunk)."""
    file.seek(0)
    tail = b""
    while chunk := file.read(1024 * 1024):
        window = tail + chunk
        if any(name in window for name in _ENCRYPTION_STREAMS):
            return True
        tail = window[-64:]
    return False


def _check_zip(file: IO[bytes]) -> None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorruptWorkbook() from exc
    if "xl/workbook.xml" not in names:
        # A .docx, an .ods, a zip of CSV files…
        raise UnsupportedFile()
    for info in infos:
        if info.file_size > _ZIP_RATIO_APPLIES_ABOVE and info.file_size > _MAX_ZIP_RATIO * max(
            info.compress_size, 1
        ):
            logger.warning(
                "extract workbook part packed %s:1 refused",
                info.file_size // max(info.compress_size, 1),
            )
            raise CorruptWorkbook()


def _load_workbook(file: IO[bytes]) -> Any:
    import openpyxl  # only for workbooks: a second of import the CSV path does not pay

    file.seek(0)
    try:
        return openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises anything from KeyError to lxml's errors
        raise CorruptWorkbook() from exc


def _open_xlsx(file: IO[bytes]) -> Extract:
    file.seek(0)
    _check_zip(file)
    workbook = _load_workbook(file)
    try:
        sheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]
        if not sheets:
            raise EmptyWorkbook()
        sheet = sheets[0]
        for number, values in _sheet_records(sheet):
            if any(values):
                return Extract(
                    file=file,
                    format="xlsx",
                    columns=_header(values, number),
                    header_row=number,
                    sheet=sheet.title,
                )
            if number > _SNIFF_ROWS:
                break
    finally:
        workbook.close()
    raise EmptyWorkbook()


def _xlsx_records(file: IO[bytes], sheet_name: str) -> Iterator[tuple[int, list[str]]]:
    workbook = _load_workbook(file)
    try:
        try:
            sheet = workbook[sheet_name]
        except KeyError as exc:
            raise CorruptWorkbook() from exc
        yield from _sheet_records(sheet)
    finally:
        workbook.close()


def _sheet_records(sheet: Any) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as text) of a read-only sheet. openpyxl yields an empty row for
    each row missing from the sheet's XML, so counting from 1 gives Excel's numbers."""
    sheet.reset_dimensions()  # the stored dimensions may be wrong; read what is there
    epoch = sheet.parent.epoch
    rows: Iterable[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
    number = 0
    iterator = iter(rows)
    while True:
        try:
            values = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # a damaged sheet part, found while streaming it
            logger.warning("extract workbook unreadable after row %s", number)
            raise CorruptWorkbook() from exc
        number += 1
        if len(values) > MAX_COLUMNS:
            raise TooManyColumns(row=number, count=len(values), limit=MAX_COLUMNS)
        yield number, [cell_text(value, epoch=epoch) for value in values]


def cell_text(value: object, *, epoch: datetime.datetime | None = None) -> str:
    """A workbook cell as the clerk sees it: every digit of a number, dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.timedelta):
        return str(value)
    return _csv_cell(str(value))


# --- the header -----------------------------------------------------------------------------


def _header(values: list[str], number: int) -> tuple[str, ...]:
    """Column names from the first row with a value: refused when it reads as data;
    blank names become ``column 3`` and repeated ones ``NAMA (2)``."""
    named = [value for value in values if value]
    if all(_DATA_LIKE.match(value) for value in named):
        raise NoHeader(first=", ".join(named[:4])[:80])
    seen: dict[str, int] = {}
    columns = []
    for index, value in enumerate(values, start=1):
        name = " ".join(value.split()) or f"column {index}"
        count = seen.get(name.casefold(), 0) + 1
        seen[name.casefold()] = count
        columns.append(name if count == 1 else f"{name} ({count})")
    while columns and columns[-1].startswith("column ") and not values[len(columns) - 1]:
        columns.pop()  # trailing empty header cells: spreadsheet padding
    return tuple(columns)
