"""Compiling an XLSForm workbook into an XForm with pyxform.

``compile_xlsform`` is the only place where a questionnaire's workbook is read.
It either returns the compiled form or raises an error that says, in a
person's words and with sheet and row, what is wrong.
"""

import hashlib
import logging
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO

from defusedxml import ElementTree
from django.conf import settings
from openpyxl import load_workbook
from pyxform.errors import PyXFormError
from pyxform.validators.odk_validate import ODKValidateError
from pyxform.xls2xform import convert

from forms.errors import (
    CorruptWorkbook,
    FormIdMissing,
    NotAnXLSForm,
    Problem,
    VersionMissing,
    XLSFormInvalid,
)

logger = logging.getLogger(__name__)

_XFORMS_NS = "http://www.w3.org/2002/xforms"
_HTML_NS = "http://www.w3.org/1999/xhtml"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
_ROW_RE = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET_RE = re.compile(r"'(survey|choices|settings|entities|external_choices)' sheet", re.I)
_NODE_RE = re.compile(r"node \[(?:\$\{)?([^\]}]+)\}?\]")
_MEDIA_RE = re.compile(r"jr://(?:file|file-csv|images|audio|video)/([^\s\"'<>)]+)")


@dataclass(frozen=True)
class CompiledForm:
    form_id: str
    version: str
    title: str
    xform_xml: str
    xform_md5: str
    languages: tuple[str, ...]
    warnings: tuple[Problem, ...]
    required_media: tuple[str, ...]
    # File questions by path below the instance root ("members/photo") → accepted media type.
    binary_fields: dict[str, str]
    # The path of the question named ``village`` (the area check of submissions), if any.
    area_field: str | None


def _problem_from_text(text: str) -> Problem:
    row_match = _ROW_RE.search(text)
    sheet_match = _SHEET_RE.search(text)
    message = _ROW_RE.sub("", text).strip()
    return Problem(
        message=message,
        sheet=sheet_match.group(1).lower() if sheet_match else None,
        row=int(row_match.group(1)) if row_match else None,
    )


def _survey_rows_by_name(workbook_bytes: bytes) -> dict[str, int]:
    """Row number (as Excel shows it) of each named question on the survey sheet."""
    workbook = load_workbook(BytesIO(workbook_bytes), read_only=True, data_only=True)
    try:
        sheet = workbook["survey"]
        rows = sheet.iter_rows(values_only=True)
        header = [str(cell).strip().lower() if cell is not None else "" for cell in next(rows, ())]
        if "name" not in header:
            return {}
        name_index = header.index("name")
        found: dict[str, int] = {}
        for number, row in enumerate(rows, start=2):
            if name_index < len(row) and row[name_index]:
                found.setdefault(str(row[name_index]).strip(), number)
        return found
    finally:
        workbook.close()


def _validate_problems(error: ODKValidateError, workbook_bytes: bytes) -> list[Problem]:
    """ODK Validate speaks of nodes; point at the survey row that defines each one."""
    rows = _survey_rows_by_name(workbook_bytes)
    problems = []
    for line in str(error).splitlines():
        line = line.strip().lstrip(":>").strip()
        if (
            not line
            or line.startswith(("ODK Validate Errors", "XForm is invalid", "The following files"))
            or line.startswith("Result:")
            or line.startswith("${tmp")
        ):
            continue
        node = _NODE_RE.search(line)
        name = node.group(1).rsplit("/", 1)[-1] if node else None
        problems.append(
            Problem(
                message=line, sheet="survey" if name in rows else None, row=rows.get(name or "")
            )
        )
    return problems or [Problem(message=str(error))]


def _settings_of(workbook_bytes: bytes) -> dict[str, str]:
    workbook = load_workbook(BytesIO(workbook_bytes), read_only=True, data_only=True)
    try:
        if "survey" not in workbook.sheetnames:
            raise NotAnXLSForm()
        if "settings" not in workbook.sheetnames:
            return {}
        rows = list(workbook["settings"].iter_rows(values_only=True, max_row=2))
    finally:
        workbook.close()
    if len(rows) < 2:
        return {}
    header, values = rows[0], rows[1]
    return {
        str(key).strip(): str(value).strip()
        for key, value in zip(header, values, strict=False)
        if key is not None and value is not None and str(value).strip()
    }


def _open_checked(workbook_bytes: bytes) -> dict[str, str]:
    if workbook_bytes.startswith(_OLE_MAGIC) or not workbook_bytes.startswith(_ZIP_MAGIC):
        raise NotAnXLSForm()
    try:
        return _settings_of(workbook_bytes)
    except NotAnXLSForm:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        logger.warning("workbook cannot be opened: %s", type(exc).__name__)
        raise CorruptWorkbook() from exc


@dataclass(frozen=True)
class _XFormFacts:
    title: str
    languages: tuple[str, ...]
    media: tuple[str, ...]
    binary_fields: dict[str, str]
    area_field: str | None


def _relative_path(nodeset: str) -> str:
    """``/ppls_household/members/photo`` → ``members/photo`` (the root is the form)."""
    return "/".join(nodeset.strip("/").split("/")[1:])


def _describe_xform(xml: str) -> _XFormFacts:
    root = ElementTree.fromstring(xml.encode("utf-8"))
    title_el = root.find(f"{{{_HTML_NS}}}head/{{{_HTML_NS}}}title")
    title = title_el.text if title_el is not None and title_el.text else ""
    languages = tuple(el.get("lang", "") for el in root.iter(f"{{{_XFORMS_NS}}}translation"))
    media = tuple(sorted(set(_MEDIA_RE.findall(xml))))
    binds = [bind.attrib for bind in root.iter(f"{{{_XFORMS_NS}}}bind")]
    mediatypes = {
        _relative_path(upload.get("ref", "")): upload.get("mediatype", "*/*")
        for upload in root.iter(f"{{{_XFORMS_NS}}}upload")
    }
    binary = {
        path: mediatypes.get(path, "*/*")
        for path in (_relative_path(b["nodeset"]) for b in binds if b.get("type") == "binary")
    }
    villages = [
        _relative_path(b["nodeset"]) for b in binds if b.get("nodeset", "").endswith("/village")
    ]
    return _XFormFacts(
        title=title,
        languages=languages,
        media=media,
        binary_fields=binary,
        area_field=villages[0] if villages else None,
    )


def compile_xlsform(workbook_bytes: bytes) -> CompiledForm:
    """Compile a workbook into an XForm.

    Raises NotAnXLSForm, CorruptWorkbook, FormIdMissing, VersionMissing, or
    XLSFormInvalid with every problem pyxform or ODK Validate reported.
    """
    form_settings = _open_checked(workbook_bytes)
    if not form_settings.get("form_id"):
        raise FormIdMissing()
    if not form_settings.get("version"):
        raise VersionMissing()
    warnings: list[str] = []
    try:
        result = convert(
            xlsform=BytesIO(workbook_bytes),
            file_type=".xlsx",
            warnings=warnings,
            validate=settings.SRS_ODK_VALIDATE,
        )
    except ODKValidateError as exc:
        raise XLSFormInvalid(_validate_problems(exc, workbook_bytes)) from exc
    except PyXFormError as exc:
        raise XLSFormInvalid([_problem_from_text(str(exc))]) from exc
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        # pyxform occasionally fails on malformed sheets without a PyXFormError.
        logger.warning("pyxform failed without a PyXFormError: %s", type(exc).__name__)
        raise XLSFormInvalid([Problem(message=f"{type(exc).__name__}: {exc}")]) from exc
    xml = result.xform
    facts = _describe_xform(xml)
    return CompiledForm(
        form_id=form_settings["form_id"],
        version=form_settings["version"],
        title=facts.title or form_settings.get("form_title", form_settings["form_id"]),
        xform_xml=xml,
        xform_md5=hashlib.md5(xml.encode("utf-8")).hexdigest(),  # noqa: S324 (OpenRosa hash)
        languages=facts.languages,
        warnings=tuple(_problem_from_text(text) for text in warnings),
        required_media=facts.media,
        binary_fields=facts.binary_fields,
        area_field=facts.area_field,
    )
