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

A workbook's sheets are one table, read in their tabs' order: an extract longer
than a sheet (1,048,576 rows) is split over several, each starting with the same
header (``SheetColumnsDiffer`` names a sheet that does not). A row says its sheet
and its number there; ``SourceRow.position`` orders the rows across sheets, for
resuming. ``imports.xlsx_rows`` streams the sheets' XML.

The file must be seekable (an upload, a file in media storage): it is read once
to sniff and again from the start. Memory stays bounded by one row (CSV) or by
one chunk of XML, one row and the workbook's shared strings (XLSX).

Raises the errors of ``imports.errors`` in the user's words: EmptyFile,
NoHeader, UnsupportedFile, OldExcelWorkbook, EncryptedWorkbook,
CorruptWorkbook, EmptyWorkbook, SheetColumnsDiffer, TooManySheets,
WorkbookTooMuchText, RowTooLong, TooManyColumns.
"""

import codecs
import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Literal

from django.template.defaultfilters import filesizeformat

from imports.errors import (
    CorruptWorkbook,
    EmptyFile,
    EmptyWorkbook,
    EncryptedWorkbook,
    NoHeader,
    OldExcelWorkbook,
    RowTooLong,
    SheetColumnsDiffer,
    TooManyColumns,
    TooManySheets,
    UnsupportedFile,
)
from imports.xlsx_rows import (
    EXCEL_MAX_ROWS,
    MAX_COLUMNS,
    SharedStrings,
    Sheet,
    Workbook,
    clean_text,
    read_shared_strings,
    read_workbook,
    sheet_records,
)

logger = logging.getLogger(__name__)

# A row of an extract is a few hundred bytes; a megabyte is a file that is no CSV, or
# a quotation mark left open that swallows the rest of the file.
MAX_ROW_BYTES = 1024 * 1024
# A workbook's sheets are read as one table; more than a few is no extract.
MAX_SHEETS = 100
# SourceRow.position: a sheet's rows come after all the rows a sheet before it can hold.
SHEET_POSITIONS = EXCEL_MAX_ROWS
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
# A header cell that is data: a NIK or KK, a date, a number.
_DATA_LIKE = re.compile(r"^\d{6,}$|^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$|^-?\d+([.,]\d+)?$")

Format = Literal["csv", "xlsx"]


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row: its number as a spreadsheet shows it (the header is row 1 when it is
    the first), the sheet it is on ("" in a CSV file), its cells by column name, and the
    cells past the header's last column.

    ``position`` orders the rows of the whole extract, across sheets: it is the number
    itself in a CSV file and on a workbook's first sheet, and what ``Extract.rows``
    takes as ``start_after`` to resume after a row.
    """

    number: int
    cells: dict[str, str]
    extra_cells: tuple[str, ...] = ()
    sheet: str = ""
    sheet_ordinal: int = 0  # the sheet's place among the workbook's worksheets, from 0

    @property
    def position(self) -> int:
        return self.sheet_ordinal * SHEET_POSITIONS + self.number


@dataclass(frozen=True)
class ExtractSheet:
    """A worksheet read as part of the extract: its name, its zip part, its place among
    the workbook's worksheets and the number of its header row."""

    name: str
    part: str
    ordinal: int
    header_row: int


@dataclass(frozen=True)
class Extract:
    """An opened extract: what was sniffed, the header, and the rows to stream."""

    file: IO[bytes]
    format: Format
    columns: tuple[str, ...]
    header_row: int
    encoding: str = ""  # CSV only
    delimiter: str = ""  # CSV only
    sheet: str = ""  # XLSX only: the first sheet read
    sheets: tuple[ExtractSheet, ...] = ()  # XLSX only: every sheet read, in order

    def rows(self, *, start_after: int = 0) -> Iterator[SourceRow]:
        """The data rows in order (a workbook's sheets one after the other), without
        blank ones and header rows; ``start_after`` skips the rows up to that
        ``SourceRow.position`` (a run resumed after a crash), sheets before it unread."""
        self.file.seek(0)
        if self.format == "csv":
            first = ExtractSheet(name="", part="", ordinal=0, header_row=self.header_row)
            body: Iterable[tuple[ExtractSheet, int, list[str]]] = (
                (first, number, values)
                for number, values in _csv_records(self.file, self.encoding, self.delimiter)
            )
        else:
            body = _xlsx_records(self.file, self.sheets, start_after)
        columns = self.columns
        width = len(columns)
        for sheet, number, values in body:
            if (
                number <= sheet.header_row
                or sheet.ordinal * SHEET_POSITIONS + number <= start_after
            ):
                continue
            if not any(values):
                continue
            if len(values) > MAX_COLUMNS:
                raise TooManyColumns(row=number, count=len(values), limit=MAX_COLUMNS)
            cells = dict(zip(columns, values, strict=False))
            if len(values) < width:
                cells.update((column, "") for column in columns[len(values) :])
            extra = tuple(v for v in values[width:] if v) if len(values) > width else ()
            yield SourceRow(
                number=number,
                cells=cells,
                extra_cells=extra,
                sheet=sheet.name,
                sheet_ordinal=sheet.ordinal,
            )


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
        yield number, [clean_text(value) for value in record]


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


def _zip(file: IO[bytes]) -> zipfile.ZipFile:
    file.seek(0)
    try:
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise CorruptWorkbook() from exc


class _SharedStringsSoFar:
    """The shared strings a header needs: read up to the index asked for, again from
    the start when a later one is asked (headers use the table's first few)."""

    def __init__(self, archive: zipfile.ZipFile, workbook: Workbook) -> None:
        self._archive, self._workbook = archive, workbook
        self._strings: SharedStrings | None = None

    def __getitem__(self, index: int) -> str:
        if self._strings is None or index >= self._strings.count:
            up_to = max(index, 2 * (self._strings.count if self._strings else 0) + 64)
            self._strings = read_shared_strings(self._archive, self._workbook, up_to=up_to)
        return self._strings[index]


def _sheet_header(
    archive: zipfile.ZipFile, workbook: Workbook, sheet: Sheet, shared: _SharedStringsSoFar
) -> tuple[int, list[str]] | None:
    """The sheet's first row with a value and its number; None for an empty sheet."""
    records = sheet_records(archive, workbook, sheet, shared.__getitem__)
    try:
        return next(((n, values) for n, values in records if any(values)), None)
    finally:
        records.close()


def _open_xlsx(file: IO[bytes]) -> Extract:
    """The first sheet with data gives the columns; every later sheet with data must
    start with the same ones (a long extract split over sheets) and is read after it."""
    _check_zip(file)
    with _zip(file) as archive:
        workbook = read_workbook(archive)
        if len(workbook.sheets) > MAX_SHEETS:
            raise TooManySheets(count=len(workbook.sheets), limit=MAX_SHEETS)
        shared = _SharedStringsSoFar(archive, workbook)
        columns: tuple[str, ...] = ()
        parts: list[ExtractSheet] = []
        for sheet in workbook.sheets:
            found = _sheet_header(archive, workbook, sheet, shared)
            if found is None:
                continue  # an empty tab ("Sheet2", "Sheet3")
            number, values = found
            if not parts:
                columns = _header(values, number)
            elif _header_of(values) != tuple(c.casefold() for c in columns):
                raise SheetColumnsDiffer(sheet=sheet.name, first=parts[0].name)
            parts.append(
                ExtractSheet(
                    name=sheet.name, part=sheet.part, ordinal=sheet.index, header_row=number
                )
            )
    if not parts:
        raise EmptyWorkbook()
    return Extract(
        file=file,
        format="xlsx",
        columns=columns,
        header_row=parts[0].header_row,
        sheet=parts[0].name,
        sheets=tuple(parts),
    )


def _header_of(values: list[str]) -> tuple[str, ...]:
    """A later sheet's header as compared with the first's: the same names in the same
    order, whatever their case and spacing."""
    try:
        return tuple(c.casefold() for c in _header(values, 0))
    except NoHeader:  # its first row is data: the header was not copied to this sheet
        return ()


def _xlsx_records(
    file: IO[bytes], sheets: tuple[ExtractSheet, ...], start_after: int
) -> Iterator[tuple[ExtractSheet, int, list[str]]]:
    with _zip(file) as archive:
        workbook = read_workbook(archive)
        by_part = {sheet.part: sheet for sheet in workbook.sheets}
        todo = [s for s in sheets if (s.ordinal + 1) * SHEET_POSITIONS > start_after]
        if not todo:
            return
        shared = read_shared_strings(archive, workbook).lookup()
        for part in todo:
            sheet = by_part.get(part.part)
            if sheet is None:
                raise CorruptWorkbook()  # the file changed since it was opened
            for number, values in sheet_records(archive, workbook, sheet, shared):
                yield part, number, values


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
