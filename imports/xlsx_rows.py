"""Reading the rows of an .xlsx workbook's sheets as text, streamed, without openpyxl.

An extract of 2.6 million rows comes as a workbook of several sheets (a sheet holds
at most 1,048,576 rows); openpyxl reads about 5,000 rows a second, too slow for it.
Here the sheet XML is streamed with expat (``foundation.untrusted_xml``, hardened),
each cell turned into the text a clerk sees as it goes:

- a shared string (``t="s"``) from the workbook's table, loaded once and kept
  compact (a huge table is refused: it is itself a way to exhaust the reader);
- an inline string, a formula's cached text, a boolean (TRUE/FALSE), an error
  (``#N/A``), an ISO date (``t="d"``);
- a number with every digit (``3507134501900001``, never ``3.5e15``), an integral
  one without ``.0``; a number whose style formats it as a date or time (the styles'
  numFmt, built-in or custom) as ``YYYY-MM-DD``, honouring the 1904 epoch;
- a cell in the column its reference says (``r="C5"``: sparse rows keep their
  places), a row with the number its ``r`` says (missing rows keep the numbering).

Memory stays one chunk of XML, one row and the shared strings. Raises
CorruptWorkbook for a damaged part, TooManyColumns, WorkbookTooMuchText.
"""

import datetime
import logging
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format

from foundation.untrusted_xml import (
    XmlRefused,
    local_name,
    parse_untrusted_xml,
    stream_untrusted_xml,
)
from imports.errors import CorruptWorkbook, TooManyColumns, WorkbookTooMuchText

logger = logging.getLogger(__name__)

MAX_COLUMNS = 500
# A shared string is kept as its characters plus four bytes; 5 million of them (every
# NIK and KK of a regency typed as text) and 120 million characters stay near 150 MB.
MAX_SHARED_STRINGS = 5_000_000
MAX_SHARED_STRING_CHARS = 120_000_000
# workbook.xml, its relationships and styles.xml are read whole; real ones are kilobytes.
_MAX_SMALL_PART_BYTES = 32 * 1024 * 1024
# A sheet part is streamed; zipfile never returns more than the size the zip declares,
# which the reader's ratio check has already bounded.
_MAX_SHEET_BYTES = 1 << 40
EXCEL_MAX_ROWS = 1_048_576

_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "Strict Open XML"
)
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.S)
_DIGITS = "0123456789"
_WINDOWS_EPOCH = datetime.datetime(1899, 12, 30)
_MAC_EPOCH = datetime.datetime(1904, 1, 1)


def clean_text(value: str) -> str:
    """A text cell as the clerk means it: stripped, Excel's ``="…"`` trick undone."""
    value = value.strip()
    if value[:2] != '="':
        return value
    match = _EXCEL_TEXT.match(value)
    return match.group(1).strip() if match else value


def _column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# Excel's 16,384 columns, A → 0: a dictionary is the fastest way from "C5" to 2.
_COLUMNS = {_column_letters(n): n - 1 for n in range(1, 16_385)}


# --- the workbook's parts -------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """A worksheet: its name as its tab shows it, its place among the sheets, its part."""

    name: str
    index: int
    part: str


@dataclass(frozen=True)
class Workbook:
    """What is needed to read a workbook's cells, from its small parts."""

    sheets: tuple[Sheet, ...]
    namespace: str
    shared_strings_part: str
    date_styles: frozenset[str]  # the ``s`` of cells whose numbers are dates or times
    duration_styles: frozenset[str]  # … elapsed times ([h]:mm)
    is_1904: bool


def _read_small(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        info = archive.getinfo(name)
        if info.file_size > _MAX_SMALL_PART_BYTES:
            raise CorruptWorkbook()
        return parse_untrusted_xml(archive.read(info))
    except (KeyError, XmlRefused, zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise CorruptWorkbook() from exc


def _part_path(target: str) -> str:
    return posixpath.normpath(target.lstrip("/") if target.startswith("/") else "xl/" + target)


def read_workbook(archive: zipfile.ZipFile) -> Workbook:
    """The worksheets in their tabs' order (chart sheets left out), the styles that make
    numbers dates, the epoch. Raises CorruptWorkbook."""
    root = _read_small(archive, "xl/workbook.xml")
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace not in _MAIN_NS:
        raise CorruptWorkbook()
    rels = _read_small(archive, "xl/_rels/workbook.xml.rels")
    targets: dict[str, tuple[str, str]] = {}
    for rel in rels.iter():
        if local_name(rel.tag) == "Relationship" and rel.get("Id"):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            targets[rel.get("Id")] = (kind, _part_path(rel.get("Target", "")))
    names = set(archive.namelist())
    is_1904 = False
    sheets: list[Sheet] = []
    for element in root.iter():
        tag = local_name(element.tag)
        if tag == "workbookPr":
            is_1904 = element.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            rid = next(
                (element.get(f"{{{ns}}}id") for ns in _REL_NS if element.get(f"{{{ns}}}id")), ""
            )
            kind, part = targets.get(rid or "", ("", ""))
            if kind == "worksheet":
                if part not in names:
                    raise CorruptWorkbook()
                sheets.append(Sheet(name=element.get("name", ""), index=len(sheets), part=part))
    shared = next((p for k, p in targets.values() if k == "sharedStrings" and p in names), "")
    styles = next((p for k, p in targets.values() if k == "styles" and p in names), "")
    dates, durations = _date_styles(archive, styles, namespace) if styles else (set(), set())
    return Workbook(
        sheets=tuple(sheets),
        namespace=namespace,
        shared_strings_part=shared,
        date_styles=frozenset(dates),
        duration_styles=frozenset(durations),
        is_1904=is_1904,
    )


# Built-in number formats that are dates or times (ECMA-376 18.8.30): 14-22 and 45-47,
# and those of the East Asian editions (27-36, 50-58).
_BUILTIN_DATES = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_BUILTIN_DURATIONS = frozenset([46])
# As openpyxl tells a date format (styles.numbers.is_date_format): quoted text and
# [bracketed] colours or locales aside, a d, m, y, h or s not escaped.
_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_CODE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_DURATION_CODE = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)


def _date_styles(archive: zipfile.ZipFile, part: str, namespace: str) -> tuple[set[str], set[str]]:
    root = _read_small(archive, part)
    custom: dict[str, str] = {}
    dates: set[str] = set()
    durations: set[str] = set()
    for element in root.iter(f"{{{namespace}}}numFmt"):
        custom[element.get("numFmtId", "")] = element.get("formatCode", "")
    for cell_xfs in root.iter(f"{{{namespace}}}cellXfs"):
        for index, xf in enumerate(cell_xfs.iter(f"{{{namespace}}}xf")):
            format_id = xf.get("numFmtId", "0")
            if format_id in custom:
                code = custom[format_id].split(";")[0]
                is_date = _DATE_CODE.search(_LITERALS.sub("", code)) is not None
                is_duration = _DURATION_CODE.search(code) is not None
            else:
                number = int(format_id) if format_id.isdigit() else 0
                is_date, is_duration = number in _BUILTIN_DATES, number in _BUILTIN_DURATIONS
            if is_date:
                dates.add(str(index))
            if is_duration:
                durations.add(str(index))
        break
    return dates, durations


# --- shared strings -------------------------------------------------------------------------

_CHUNK = 4096  # strings per joined chunk
_PLAIN_UP_TO = 250_000


class SharedStrings:
    """The workbook's shared strings, cleaned as cells are (``clean_text``).

    A table of a few hundred thousand (names, addresses, places) is a plain list. A
    bigger one (every NIK typed as text) is kept as joined chunks of 4,096 and their
    end offsets: a string then costs its characters and four bytes, not the sixty of
    a Python string of its own, and 3.6 million NIKs and KKs take 70 MB, not 290.
    """

    def __init__(self) -> None:
        self._plain: list[str] | None = []
        self._texts: list[str] = []
        self._ends: list[array[int]] = []
        self._pending: list[str] = []
        self.count = 0
        self.chars = 0

    def add(self, value: str) -> None:
        self.count += 1
        self.chars += len(value)
        if self._plain is not None:
            self._plain.append(value)
            if len(self._plain) < _PLAIN_UP_TO:
                return
            self._pending, self._plain = self._plain, None
            while len(self._pending) >= _CHUNK:
                self._pending, rest = self._pending[:_CHUNK], self._pending[_CHUNK:]
                self._seal()
                self._pending = rest
            return
        self._pending.append(value)
        if len(self._pending) == _CHUNK:
            self._seal()

    def _seal(self) -> None:
        ends = array("I", [0])
        total = 0
        for value in self._pending:
            total += len(value)
            ends.append(total)
        self._texts.append("".join(self._pending))
        self._ends.append(ends)
        self._pending = []

    def lookup(self) -> Callable[[int], str]:
        """The fastest ``index → text`` this table has (a list's own, when it is one)."""
        return self._plain.__getitem__ if self._plain is not None else self.__getitem__

    def __getitem__(self, index: int) -> str:
        if self._plain is not None:
            return self._plain[index]
        chunk, at = divmod(index, _CHUNK)
        if chunk < len(self._ends):
            ends = self._ends[chunk]
            return self._texts[chunk][ends[at] : ends[at + 1]]
        if chunk == len(self._ends):
            return self._pending[at]
        raise IndexError(index)


def read_shared_strings(
    archive: zipfile.ZipFile, workbook: Workbook, *, up_to: int | None = None
) -> SharedStrings:
    """The shared strings, all of them or those numbered up to ``up_to`` (a header needs
    only its first few). Raises WorkbookTooMuchText past the limits, CorruptWorkbook."""
    strings = SharedStrings()
    if not workbook.shared_strings_part:
        return strings
    ns = workbook.namespace + "}"
    si, t, rph = ns + "si", ns + "t", ns + "rPh"
    parts: list[str] = []
    state = {"capture": False, "phonetic": False}

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == t:
            state["capture"] = not state["phonetic"]
        elif name == si:
            state["phonetic"] = False
        elif name == rph:  # the phonetic reading of East Asian text: not the text
            state["phonetic"] = True

    def end(name: str) -> None:
        state["capture"] = False
        if name == si:
            strings.add(clean_text("".join(parts)))
            parts.clear()
            if strings.count > MAX_SHARED_STRINGS or strings.chars > MAX_SHARED_STRING_CHARS:
                logger.warning("extract workbook with %s shared strings refused", strings.count)
                raise _too_much_text()

    def text(characters: str) -> None:
        if state["capture"]:
            parts.append(characters)

    try:
        with archive.open(workbook.shared_strings_part) as stream:
            for _read in stream_untrusted_xml(
                stream, start=start, end=end, text=text, max_bytes=_MAX_SHEET_BYTES
            ):
                if up_to is not None and strings.count > up_to:
                    break
    except (XmlRefused, zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise CorruptWorkbook() from exc
    return strings


def _too_much_text() -> WorkbookTooMuchText:
    return WorkbookTooMuchText(
        count=number_format(MAX_SHARED_STRINGS, force_grouping=True),
        size=filesizeformat(MAX_SHARED_STRING_CHARS),
    )


# --- a sheet's rows -------------------------------------------------------------------------


def sheet_records(
    archive: zipfile.ZipFile, workbook: Workbook, sheet: Sheet, shared: Callable[[int], str]
) -> Generator[tuple[int, list[str]], None, None]:
    """(row number, cells as text) of each row the sheet's XML holds, in order; a cell
    missing from a row is "" and a row missing from the sheet is not yielded.

    ``shared`` gives a shared string's text from its index (``SharedStrings.lookup()``). Raises CorruptWorkbook (a damaged part, a cell no spreadsheet
    writes), TooManyColumns.
    """
    try:
        with archive.open(sheet.part) as stream:
            yield from _records(stream, workbook, shared)
    except (ValueError, IndexError, zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        # XmlRefused is a ValueError, as is a shared string's index that is no number;
        # IndexError: a shared string the table does not have.
        logger.warning("extract workbook sheet %s unreadable", sheet.index)
        raise CorruptWorkbook() from exc


def _records(  # noqa: C901 - the handlers, kept together for speed
    stream: IO[bytes], workbook: Workbook, shared: Callable[[int], str]
) -> Iterator[tuple[int, list[str]]]:
    # The handlers run some fifty million times for a million rows. State lives in
    # closure cells and every test on the way to the common case is as cheap as it
    # can be. There is no end-of-element handler (a third of the calls): a cell is
    # finished when the next cell or row starts or the sheet ends, and text is taken
    # from the start of a <v> or <t> until the next element starts, so that the
    # indentation of a pretty-printed sheet may trail a value (stripped: values are).
    ns = workbook.namespace + "}"
    tag_c, tag_v, tag_t, tag_row, tag_rph = (ns + n for n in ("c", "v", "t", "row", "rPh"))
    dates, durations = workbook.date_styles, workbook.duration_styles
    epoch = _MAC_EPOCH if workbook.is_1904 else _WINDOWS_EPOCH
    columns = _COLUMNS
    max_rows, max_columns = EXCEL_MAX_ROWS, MAX_COLUMNS
    done: list[tuple[int, list[str]]] = []
    parts: list[str] = []
    row: list[str] | None = None
    number = 0
    column = -1
    kind: str | None = None
    style: str | None = None
    capture = False
    phonetic = False

    def finish_cell() -> None:
        # The cell that ``parts`` holds the text of, placed in ``row``.
        raw = parts[0] if len(parts) == 1 else _runs_text(parts)
        parts.clear()
        if kind is None or kind == "n":
            if style in dates:
                value = _serial_text(raw, epoch, is_duration=style in durations)
            elif raw.isdigit() and (raw[0] != "0" or len(raw) == 1):
                value = raw
            else:
                value = _number_text(raw)
        elif kind == "s":
            index = int(raw)
            if index < 0:
                raise XmlRefused("shared string index")
            value = shared(index)
        elif kind == "inlineStr" or kind == "str":
            value = raw.strip()
            if value[:2] == '="':
                value = clean_text(value)
        elif kind == "b":
            value = "TRUE" if raw.strip() in ("1", "true") else "FALSE"
        elif kind == "d":
            value = _iso_text(raw)
        else:  # "e": the error Excel shows (#N/A, #DIV/0!), or a type of the future
            value = raw.strip()
        if not value or row is None:
            return
        width = len(row)
        if column == width:
            row.append(value)
        elif column > width:
            row.extend([""] * (column - width))
            row.append(value)
        else:  # a reference repeated or out of order: the later cell wins, as in Excel
            row[column] = value

    def finish_row() -> None:
        assert row is not None
        if len(row) > max_columns:
            raise TooManyColumns(row=number, count=len(row), limit=max_columns)
        done.append((number, row))

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal column, kind, style, capture, phonetic, number, row
        if name == tag_c:
            capture = False
            if parts:
                finish_cell()
            ref = attributes.get("r")
            if ref:
                at = columns.get(ref.rstrip(_DIGITS))
                if at is None:
                    raise XmlRefused("cell reference")
                column = at
            else:
                column += 1
            kind = attributes.get("t")
            style = attributes.get("s")
            phonetic = False
        elif name == tag_v or name == tag_t:
            capture = not phonetic
        elif name == tag_row:
            capture = False
            if parts:
                finish_cell()
            if row is not None:
                finish_row()
            ref = attributes.get("r")
            if ref:
                if not ref.isdigit():
                    raise XmlRefused("row reference")
                number = int(ref)
            else:
                number += 1
            if number > max_rows:
                raise XmlRefused("row reference")
            row = []
            column = -1
        else:
            capture = False
            if name == tag_rph:  # the phonetic reading of East Asian text: not the text
                phonetic = True

    def text(characters: str) -> None:
        if capture:
            parts.append(characters)

    for _read in stream_untrusted_xml(
        stream,
        start=start,
        text=text,
        max_bytes=_MAX_SHEET_BYTES,
        names=(tag_c, tag_v, tag_t, tag_row, tag_rph),
    ):
        if done:
            yield from done
            done.clear()
    if parts:
        finish_cell()
    if row is not None:
        finish_row()
    yield from done


# What a pretty-printed sheet puts after a rich text's run, before the next element.
_INDENTATION = re.compile(r"\n[ \t\r\n]*\Z")


def _runs_text(parts: list[str]) -> str:
    """The text of a cell given in pieces: the runs of a rich text, each but the last
    without the indentation that followed it."""
    return "".join(_INDENTATION.sub("", part) for part in parts[:-1]) + parts[-1]


def _number_text(raw: str) -> str:
    """Every digit of a number cell: ``3507134501900001`` for ``3.507134501900001E+15``."""
    raw = raw.strip()
    try:
        if "." in raw or "e" in raw or "E" in raw:
            number = float(raw)
            if number.is_integer() and abs(number) < 1e21:
                return str(int(number))
            return repr(number)
        return str(int(raw))
    except ValueError:
        return raw  # no number: what the cell holds


def _serial_text(raw: str, epoch: datetime.datetime, *, is_duration: bool) -> str:
    """A serial number formatted as a date, as openpyxl's from_excel reads it: the date
    (``1990-01-05``), with the time when it has one, a time of day alone below 1."""
    try:
        serial = float(raw)
        if is_duration:
            elapsed = datetime.timedelta(days=serial)
            if elapsed.microseconds:
                elapsed = datetime.timedelta(
                    seconds=elapsed.total_seconds() // 1,
                    microseconds=round(elapsed.microseconds, -3),
                )
            return str(elapsed)
        day, fraction = divmod(serial, 1)
        time = datetime.timedelta(milliseconds=round(fraction * 86_400_000))
        if 0 <= serial < 1 and time.days == 0:
            return (datetime.datetime.min + time).time().isoformat(timespec="seconds")
        if 0 < serial < 60 and epoch == _WINDOWS_EPOCH:
            day += 1  # Excel's 29 February 1900, a day that never was
        moment = epoch + datetime.timedelta(days=day) + time
    except (ValueError, OverflowError):
        return "#VALUE!"  # as Excel shows a date out of its range
    return _moment_text(moment)


def _moment_text(moment: datetime.datetime) -> str:
    if moment.time() == datetime.time(0, 0):
        return moment.date().isoformat()
    return moment.isoformat(sep=" ", timespec="seconds")


def _iso_text(raw: str) -> str:
    """A ``t="d"`` cell (ISO 8601, as Strict Open XML keeps dates) as a date cell reads."""
    raw = raw.strip()
    try:
        if "T" not in raw and ":" in raw:
            return datetime.time.fromisoformat(raw.rstrip("Z")).isoformat(timespec="seconds")
        moment = datetime.datetime.fromisoformat(raw.rstrip("Z"))
    except ValueError:
        return raw
    return _moment_text(moment)
