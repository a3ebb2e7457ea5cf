"""How big a workbook may be, checked before pyxform reads it.

Reading a workbook costs far more than its size on disk: a 1 MB .xlsx can
unpack to a gigabyte, and pyxform with ODK Validate takes about 2 s per
thousand rows. Everything here is cheap (the zip's directory, one streaming
pass over the sheets pyxform reads, stopped at the limit), so that a web worker
never spends more than a few seconds on an upload it then refuses.

The limits are settings: ``SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES``,
``SRS_XLSFORM_MAX_ROWS`` and ``SRS_XLSFORM_MAX_CELLS`` (per sheet).
"""

import io
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from posixpath import join, normpath
from typing import Any

import xlrd
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from lxml import etree
from pyxform import constants as pyxform_constants
from xlrd.compdoc import CompDocError

from forms.errors import CorruptWorkbook, WorkbookTooBig, WorkbookTooManyCells, WorkbookTooManyRows
from foundation.untrusted_xml import XmlRefused, local_name, parse_untrusted_xml

logger = logging.getLogger(__name__)

# Spreadsheet XML packs about 10:1; a part packed a hundred times tighter is made to
# exhaust the reader (a gigabyte of spaces), not written by a spreadsheet program.
_MAX_RATIO = 100
_RATIO_APPLIES_ABOVE = 1024 * 1024
# pyxform stops reading a sheet after this many empty rows in a row (get_excel_rows).
_PYXFORM_EMPTY_ROWS_END = 60

# What xlrd raises on a damaged file: its own errors, and plain ones from its parser.
_XLS_ERRORS = (xlrd.XLRDError, CompDocError, ValueError, AssertionError, IndexError, KeyError)

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class _Limits:
    uncompressed_bytes: int
    rows: int
    cells: int


def _limits() -> _Limits:
    return _Limits(
        uncompressed_bytes=settings.SRS_XLSFORM_MAX_UNCOMPRESSED_BYTES,
        rows=settings.SRS_XLSFORM_MAX_ROWS,
        cells=settings.SRS_XLSFORM_MAX_CELLS,
    )


def _sheets_pyxform_reads(names: list[str]) -> list[str]:
    """The sheets pyxform reads: those it knows by name (any case), or the only one."""
    if len(names) == 1:
        return names
    return [n for n in names if n.lower() in pyxform_constants.SUPPORTED_SHEET_NAMES]


def check_xlsx_limits(archive: zipfile.ZipFile) -> None:
    """Refuse an .xlsx that unpacks too big or whose sheets are too long, before reading it.

    Raises WorkbookTooBig, WorkbookTooManyRows, WorkbookTooManyCells or CorruptWorkbook.
    The declared sizes can be trusted: zipfile never returns more bytes than declared.
    """
    limits = _limits()
    members = archive.infolist()
    total = sum(info.file_size for info in members)
    if total > limits.uncompressed_bytes:
        raise WorkbookTooBig(
            size=filesizeformat(total), limit=filesizeformat(limits.uncompressed_bytes)
        )
    for info in members:
        if info.file_size > _RATIO_APPLIES_ABOVE and info.file_size > _MAX_RATIO * max(
            info.compress_size, 1
        ):
            logger.warning(
                "workbook part packed %s:1 refused", info.file_size // info.compress_size
            )
            raise WorkbookTooBig(
                size=filesizeformat(total), limit=filesizeformat(limits.uncompressed_bytes)
            )
    for name, part in _worksheet_parts(archive):
        counter = _RowCounter(limits)
        with archive.open(part) as stream:
            _count_xlsx_rows(stream, counter)
        counter.check(name)


def _worksheet_parts(archive: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """(sheet name, zip member) of each sheet pyxform reads, from workbook.xml and its rels."""
    try:
        workbook = parse_untrusted_xml(archive.read("xl/workbook.xml"))
        rels = parse_untrusted_xml(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, XmlRefused, zipfile.BadZipFile) as exc:
        raise CorruptWorkbook() from exc
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter() if rel.get("Id")}
    sheets = [
        (el.get("name", ""), el.get(f"{{{_REL_NS}}}id"))
        for el in workbook.iter()
        if local_name(el.tag) == "sheet"
    ]
    names = set(archive.namelist())
    for name in _sheets_pyxform_reads([n for n, _rid in sheets]):
        target = targets.get(dict(sheets)[name], "")
        part = normpath(target.lstrip("/") if target.startswith("/") else join("xl", target))
        if part in names:
            yield name, part


class _RowCounter:
    """Rows and cells with a value, counted as far as pyxform reads a sheet."""

    def __init__(self, limits: _Limits) -> None:
        self.limits = limits
        self.rows = self.cells = 0
        self.last_row = self._empty_run = 0

    def add(self, number: int, filled: int) -> bool:
        """Count row ``number`` (1-based); True once counting further is pointless."""
        self._empty_run += max(number - self.last_row - 1, 0)
        self.last_row = number
        if filled:
            self.rows += 1
            self.cells += filled
            self._empty_run = 0
        else:
            self._empty_run += 1
        return (
            self._empty_run > _PYXFORM_EMPTY_ROWS_END
            or self.rows > self.limits.rows
            or self.cells > self.limits.cells
        )

    def check(self, sheet: str) -> None:
        if self.rows > self.limits.rows:
            raise WorkbookTooManyRows(sheet=sheet, limit=self.limits.rows)
        if self.cells > self.limits.cells:
            raise WorkbookTooManyCells(sheet=sheet, limit=self.limits.cells)


def _count_xlsx_rows(stream: Any, counter: _RowCounter) -> None:
    context = etree.iterparse(
        stream,
        events=("end",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    try:
        for _event, element in context:
            if local_name(element.tag) != "row":
                continue
            number = int(element.get("r") or counter.last_row + 1)
            filled = sum(1 for el in element.iter() if local_name(el.tag) in ("v", "is"))
            # Keep memory flat: drop the rows already counted.
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
            if counter.add(number, filled):
                break
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise CorruptWorkbook() from exc


def check_xls_limits(data: bytes) -> None:
    """Refuse an .xls (the binary format, not packed) whose sheets are too long.

    Raises WorkbookTooBig, WorkbookTooManyRows, WorkbookTooManyCells or CorruptWorkbook.
    """
    limits = _limits()
    if len(data) > limits.uncompressed_bytes:
        raise WorkbookTooBig(
            size=filesizeformat(len(data)), limit=filesizeformat(limits.uncompressed_bytes)
        )
    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except (*_XLS_ERRORS, OSError) as exc:
        raise CorruptWorkbook() from exc
    try:
        for name in _sheets_pyxform_reads(book.sheet_names()):
            sheet = book.sheet_by_name(name)
            counter = _RowCounter(limits)
            for index in range(sheet.nrows):
                filled = sum(1 for value in sheet.row_values(index) if value != "")
                if counter.add(index + 1, filled):
                    break
            counter.check(name)
            book.unload_sheet(name)
    except _XLS_ERRORS as exc:
        raise CorruptWorkbook() from exc
    finally:
        book.release_resources()


def open_xlsx(data: bytes) -> zipfile.ZipFile:
    """The zip archive of an .xlsx; raises CorruptWorkbook when it is not one."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise CorruptWorkbook() from exc
