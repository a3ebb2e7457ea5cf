"""Compiling an XLSForm workbook into an XForm with pyxform.

``compile_xlsform`` is the only place where a questionnaire's workbook is read.
It either returns the compiled form or raises an error that says, in a
person's words and with sheet and row, what is wrong: every problem at once,
ours (settings, identifiers, the area question) and pyxform's.
"""

import hashlib
import logging
import re
import zipfile
from dataclasses import dataclass, fields
from io import BytesIO
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from pyxform import aliases
from pyxform.errors import PyXFormError
from pyxform.parsing.sheet_headers import to_snake_case
from pyxform.validators.odk_validate import ODKValidateError
from pyxform.xls2json_backends import DefinitionData, get_xlsform
from pyxform.xls2xform import convert

from forms.errors import CorruptWorkbook, EmptyWorkbook, NotAnXLSForm, Problem, XLSFormInvalid
from forms.identifiers import is_valid_form_id, is_valid_version
from forms.models import FormVersion, Questionnaire
from forms.workbook_limits import check_xls_limits, check_xlsx_limits, open_xlsx
from forms.xform_facts import XFormFacts, describe_xform
from forms.xlsform_messages import problem_from_pyxform, warnings_from_pyxform
from foundation.untrusted_xml import XmlRefused

logger = logging.getLogger(__name__)

_NODE_RE = re.compile(r"\$\{([^}\s]+)\}")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls format
# The settings column in which district staff name the question that places a submission.
AREA_QUESTION_SETTING = "srs_area_question"
# pyxform writes the external_choices sheet as this file; Collect reads it from the form media.
ITEMSETS_CSV = "itemsets.csv"
# How pyxform says that no reader could open the file at all.
_UNREADABLE = "Argument 'definition' was not recognized"


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
    # The path of the question whose answer places a submission in an area, if any.
    area_field: str | None
    # The itemsets.csv pyxform made from the external_choices sheet (select_one_external).
    itemsets_csv: bytes | None
    # ".xlsx" or ".xls": what the workbook is, by its content.
    file_type: str


@dataclass(frozen=True)
class _Identity:
    form_id: str
    version: str
    title: str
    submission_url: str
    public_key: str


def _file_type(data: bytes) -> str:
    """The file type, ".xlsx" or ".xls", by its first bytes (names lie), within the limits."""
    if not data:
        raise EmptyWorkbook()
    if data.startswith(_ZIP_MAGIC):
        with open_xlsx(data) as archive:
            check_xlsx_limits(archive)
        return ".xlsx"
    if data.startswith(_OLE_MAGIC):
        check_xls_limits(data)
        return ".xls"
    raise NotAnXLSForm()


def _read_definition(data: bytes, file_type: str) -> DefinitionData:
    try:
        definition = get_xlsform(xlsform=BytesIO(data), file_type=file_type)
    except PyXFormError as exc:
        if str(exc).startswith(_UNREADABLE):
            logger.warning("workbook cannot be read: %s", type(exc).__name__)
            raise CorruptWorkbook() from exc
        # pyxform refuses some sheets while reading them (a column header twice).
        raise XLSFormInvalid([problem_from_pyxform(str(exc))]) from exc
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        logger.warning("workbook cannot be opened: %s", type(exc).__name__)
        raise CorruptWorkbook() from exc
    except AttributeError as exc:  # a header cell that is a number (pyxform strips it)
        raise XLSFormInvalid(
            [
                Problem(
                    message=gettext("A column header in the first row is not text."),
                    original=str(exc),
                    code="header_not_text",
                )
            ]
        ) from exc
    return definition


def _has_sheet(definition: DefinitionData, name: str) -> bool:
    return any(sheet.lower() == name for sheet in definition.sheet_names or ())


def _settings_of(definition: DefinitionData) -> dict[str, str]:
    """The settings row with its columns named as pyxform names them (form_id → id_string)."""
    rows = definition.settings or []
    if not rows:
        return {}
    named: dict[str, str] = {}
    for column, value in rows[0].items():
        key = to_snake_case(str(column))
        alias = aliases.settings_header.get(key, key)
        key = alias if isinstance(alias, str) else key
        # pyxform keeps form_id when id_string is given too.
        if key == "id_string" and to_snake_case(str(column)) == "id_string" and key in named:
            continue
        named[key] = str(value).strip()
    return named


def _max_length(model: Any, field: str) -> int:
    return int(model._meta.get_field(field).max_length)


def _identity_problems(
    identity: _Identity, form_settings: dict[str, str], *, has_settings_sheet: bool
) -> list[Problem]:
    problems: list[Problem] = []

    def add(code: str, message: str, **params: object) -> None:
        problems.append(Problem(message=message % params, sheet="settings", code=code))

    if not has_settings_sheet:
        add(
            "settings_missing",
            gettext(
                "The workbook has no settings sheet. Add a sheet named “settings” with the "
                "columns form_id and version, and their values in the second row."
            ),
        )
        return problems
    form_id_limit = _max_length(Questionnaire, "form_id")
    if not form_settings.get("id_string"):
        add("form_id_missing", gettext("The settings sheet has no form_id."))
    elif not is_valid_form_id(identity.form_id):
        add(
            "form_id_invalid",
            gettext(
                "The form_id “%(form_id)s” is not allowed: it begins with a letter or _ and holds "
                "only letters, digits, _ and - (no spaces or dots)."
            ),
            form_id=identity.form_id,
        )
    if form_settings.get("id_string") and len(identity.form_id) > form_id_limit:
        add(
            "form_id_too_long",
            gettext("The form_id is %(length)s characters long; at most %(limit)s are allowed."),
            length=len(identity.form_id),
            limit=form_id_limit,
        )
    version_limit = _max_length(FormVersion, "version")
    if not form_settings.get("version"):
        add(
            "version_missing",
            gettext(
                "The settings sheet has no version. Give each version a number that increases."
            ),
        )
    elif not is_valid_version(identity.version):
        add(
            "version_invalid",
            gettext(
                "The version “%(version)s” is not allowed: use letters, digits, ., - and _ only, "
                "beginning with a letter or digit (for example 2026032701). Type it as text if "
                "the spreadsheet turns it into a date."
            ),
            version=identity.version,
        )
    if form_settings.get("version") and len(identity.version) > version_limit:
        add(
            "version_too_long",
            gettext("The version is %(length)s characters long; at most %(limit)s are allowed."),
            length=len(identity.version),
            limit=version_limit,
        )
    title_limit = min(_max_length(Questionnaire, "title"), _max_length(FormVersion, "title"))
    if len(identity.title) > title_limit:
        add(
            "title_too_long",
            gettext("The form_title is %(length)s characters long; at most %(limit)s are allowed."),
            length=len(identity.title),
            limit=title_limit,
        )
    if identity.submission_url:
        add(
            "submission_url_refused",
            gettext(
                "The settings sheet sends submissions to another server (submission_url "
                "“%(url)s”). Phones send them to this server: remove submission_url."
            ),
            url=identity.submission_url,
        )
    if identity.public_key:
        add(
            "encrypted_form_refused",
            gettext(
                "The form is encrypted (public_key on the settings sheet), and this server "
                "cannot decrypt encrypted forms yet: remove public_key."
            ),
        )
    return problems


def _area_question(facts: XFormFacts, named: str) -> tuple[str | None, list[Problem]]:
    """The path of the question that places a submission, and the problems with it.

    It is the question named in the settings column ``srs_area_question``, or else the
    one select of a village from ``srs_areas.csv`` (the PPLS cascade) outside repeats.
    A question is never the area question because of its name alone.
    """
    path_limit = _max_length(FormVersion, "area_field")

    def problem(code: str, message: str, **params: object) -> Problem:
        return Problem(message=message % params, sheet="settings", code=code)

    if named:
        question = facts.find_question(named.removeprefix("${").removesuffix("}").strip())
        if question is None:
            return None, [
                problem(
                    "area_question_unknown",
                    gettext(
                        "The settings column srs_area_question names “%(name)s”, but the form "
                        "has no question of that name."
                    ),
                    name=named,
                )
            ]
        if question.in_repeat:
            return None, [
                problem(
                    "area_question_in_repeat",
                    gettext(
                        "The area question “%(name)s” is inside a repeat: it must be asked once "
                        "per submission, outside every repeat."
                    ),
                    name=question.name,
                )
            ]
        usable = question.is_areas_select or (
            question.control in ("input", "select1") and question.data_type == "string"
        )
        if not usable:
            return None, [
                problem(
                    "area_question_unusable",
                    gettext(
                        "The area question “%(name)s” must be a select_one_from_file "
                        "srs_areas.csv, a select_one or a text question whose answer is an "
                        "area code."
                    ),
                    name=question.name,
                )
            ]
        candidates = [question]
    else:
        candidates = [q for q in facts.questions if q.is_village_of_areas and not q.in_repeat]
        if len(candidates) > 1:
            return None, [
                problem(
                    "area_question_ambiguous",
                    gettext(
                        "Several questions choose a village from srs_areas.csv (%(names)s). Name "
                        "the one that places the submission in the settings column "
                        "srs_area_question."
                    ),
                    names=", ".join(q.name for q in candidates),
                )
            ]
    if not candidates:
        return None, []
    if len(candidates[0].path) > path_limit:
        return None, [
            problem(
                "area_question_too_deep",
                gettext("The area question “%(name)s” is nested too deeply in groups."),
                name=candidates[0].name,
            )
        ]
    return candidates[0].path, []


def _survey_rows_by_name(definition: DefinitionData) -> dict[str, int]:
    """Row number (as the spreadsheet shows it) of each named question on the survey sheet."""
    found: dict[str, int] = {}
    for number, row in enumerate(definition.survey or [], start=2):
        name = next((v for k, v in row.items() if str(k).strip().lower() == "name"), None)
        if name:
            found.setdefault(str(name).strip(), number)
    return found


def _validate_problems(error: ODKValidateError, definition: DefinitionData) -> list[Problem]:
    """ODK Validate speaks of nodes; point at the survey row that defines each one."""
    rows = _survey_rows_by_name(definition)
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
        found = problem_from_pyxform(line, code="odk_validate")
        # The first ${name} is the question the message is about ("node [${b}]").
        name = next((n for n in _NODE_RE.findall(line) if n in rows), None)
        problems.append(
            Problem(
                message=found.message,
                sheet="survey" if name else found.sheet,
                row=rows[name] if name else found.row,
                original=found.original,
                code=found.code,
            )
        )
    return problems or [problem_from_pyxform(str(error), code="odk_validate")]


def _identity_of_settings(form_settings: dict[str, str]) -> _Identity:
    return _Identity(
        form_id=form_settings.get("id_string", ""),
        version=form_settings.get("version", ""),
        title=form_settings.get("title", "") or form_settings.get("id_string", ""),
        submission_url=form_settings.get("submission_url", ""),
        public_key=form_settings.get("public_key", ""),
    )


def _identity_of_xform(facts: XFormFacts) -> _Identity:
    return _Identity(
        form_id=facts.form_id,
        version=facts.version,
        title=facts.title,
        submission_url=facts.submission_url,
        public_key=facts.public_key,
    )


def _assign_version(definition: DefinitionData, version: str) -> Problem:
    """Write ``version`` into the settings row, where pyxform reads it; returns the warning.

    pyxform then writes it into the XForm exactly as it writes a version typed in the
    workbook (the ``version`` attribute of the primary instance's root).
    """

    def with_version(rows: Any, value: Any) -> list[dict[str, Any]]:
        rows = [dict(row) for row in rows or []] or [{}]
        rows[0] = {k: v for k, v in rows[0].items() if to_snake_case(str(k)) != "version"}
        rows[0]["version"] = value
        return rows

    definition.settings = with_version(definition.settings, version)
    # pyxform reads only the columns its header lists.
    definition.settings_header = with_version(definition.settings_header, None)
    return Problem(
        message=gettext(
            "The settings sheet has no version: this upload was given version %(version)s. "
            "Add a version to the settings sheet to choose it yourself."
        )
        % {"version": version},
        sheet="settings",
        code="version_assigned",
    )


def compile_xlsform(workbook_bytes: bytes, *, version_if_missing: str = "") -> CompiledForm:
    """Compile a workbook (.xlsx or .xls) into an XForm.

    A settings sheet without a version gets ``version_if_missing`` (with a warning
    that says so) when one is given; without one, that is a problem like any other.

    Raises EmptyWorkbook, NotAnXLSForm, CorruptWorkbook, the size errors of
    ``forms.workbook_limits``, or XLSFormInvalid with every problem found: the
    settings' (form_id, version, title, submission_url, public_key, the area
    question) and those pyxform or ODK Validate reported.
    """
    file_type = _file_type(workbook_bytes)
    definition = _read_definition(workbook_bytes, file_type)
    form_settings = _settings_of(definition)
    assigned: list[Problem] = []
    if (
        version_if_missing
        and _has_sheet(definition, "settings")
        and not form_settings.get("version")
    ):
        assigned.append(_assign_version(definition, version_if_missing))
        form_settings = _settings_of(definition)
    problems: list[Problem] = []
    facts: XFormFacts | None = None
    warnings: list[str] = []
    try:
        result = convert(
            xlsform={f.name: getattr(definition, f.name) for f in fields(definition)},
            warnings=warnings,
            validate=settings.SRS_ODK_VALIDATE,
        )
        facts = describe_xform(result.xform)
    except ODKValidateError as exc:
        problems.extend(_validate_problems(exc, definition))
    except PyXFormError as exc:
        problems.append(problem_from_pyxform(str(exc)))
    except XmlRefused as exc:
        logger.warning("pyxform produced an XForm that is not XML: %s", exc)
        problems.append(Problem(message=str(CorruptWorkbook().detail), code="xform_unreadable"))
    except (KeyError, ValueError, TypeError, AttributeError, IndexError) as exc:
        # pyxform occasionally fails on malformed sheets without a PyXFormError.
        logger.warning("pyxform failed without a PyXFormError: %s", type(exc).__name__)
        problems.append(Problem(message=f"{type(exc).__name__}: {exc}", code="pyxform_crash"))
    identity = _identity_of_xform(facts) if facts else _identity_of_settings(form_settings)
    own = _identity_problems(
        identity, form_settings, has_settings_sheet=_has_sheet(definition, "settings")
    )
    area_field = None
    if facts is not None:
        area_field, area_problems = _area_question(
            facts, form_settings.get(AREA_QUESTION_SETTING, "")
        )
        own.extend(area_problems)
    if own or problems or facts is None:
        raise XLSFormInvalid([*own, *problems])
    xml = result.xform
    itemsets = result.itemsets.encode("utf-8") if result.itemsets is not None else None
    required_media = set(facts.media) | ({ITEMSETS_CSV} if itemsets is not None else set())
    return CompiledForm(
        form_id=facts.form_id,
        version=facts.version,
        title=facts.title or facts.form_id,
        xform_xml=xml,
        xform_md5=hashlib.md5(xml.encode("utf-8")).hexdigest(),  # noqa: S324 (OpenRosa hash)
        languages=facts.languages,
        warnings=(*assigned, *warnings_from_pyxform(warnings)),
        required_media=tuple(sorted(required_media)),
        binary_fields=facts.binary_fields,
        area_field=area_field,
        itemsets_csv=itemsets,
        file_type=file_type,
    )
