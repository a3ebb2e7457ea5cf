"""pyxform's and ODK Validate's messages, said in the user's language, with sheet and row.

Both tools speak English. The common messages are recognised by their wording
(as in pyxform 4's source and ODK Validate's output) and said again through
gettext; the original text stays beside the translation (``Problem.original``),
so that nothing is lost when the wording changes or a message is not known here.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from forms.errors import Problem

_ROW_RE = re.compile(r"\[row\s*:\s*(\d+)\]")
_SHEET_RE = re.compile(
    r"'(survey|choices|settings|entities|external_choices)' sheet|sheet: '(\w+)'", re.I
)
_NODE_RE = re.compile(r"\$\{([^}\s]+)\}")


@dataclass(frozen=True)
class _Known:
    pattern: re.Pattern[str]
    message: Promise


def _known(pattern: str, message: Promise) -> _Known:
    return _Known(re.compile(pattern, re.S), message)


# Named groups fill the placeholders of the same name.
_KNOWN_ERRORS = (
    _known(
        r"the '(?P<column>[^']+)' value is invalid\. Reference variables must contain a name "
        r"from the '\w+' sheet\. Could not find the name '(?P<name>[^']+)'",
        _("The %(column)s column refers to ${%(name)s}, but no question is named “%(name)s”."),
    ),
    _known(
        r"the 'name' value '(?P<name>[^']+)' is invalid\. Questions, groups, and repeats must "
        r"be unique",
        _(
            "The name “%(name)s” is used twice in the same group: each question, group and "
            "repeat needs a name of its own."
        ),
    ),
    _known(
        r"the 'name' value is invalid\. Choice names must be unique for each choice list",
        _("This choice name is used twice in the same choice list."),
    ),
    _known(
        r"the 'name' value is invalid\. Names must begin with a letter or underscore",
        _(
            "This name is not allowed: a name begins with a letter or _ and holds only "
            "letters, digits, _, - and . (no spaces)."
        ),
    ),
    _known(
        r"List name not in (?:choices|columns) sheet: (?P<list_name>\S+)",
        _("The choice list “%(list_name)s” is not on the choices sheet."),
    ),
    _known(
        r"List name not in external choices sheet: (?P<list_name>\S+)",
        _("The choice list “%(list_name)s” is not on the external_choices sheet."),
    ),
    _known(
        r"There should be a choices sheet in this xlsform",
        _(
            "The form has select questions but no choices sheet. Add a “choices” sheet with "
            "the columns list_name, name and label."
        ),
    ),
    _known(
        r"Invalid headers provided for sheet: '(?P<sheet>\w+)'\. One or more required column "
        r"headers were not found: (?P<columns>.+?)\. Learn more",
        _("The %(sheet)s sheet has no column %(columns)s: add it in the first row."),
    ),
    _known(r"Question with no type", _("This row has a name or label but no type.")),
    _known(r"Question or group with no name", _("This question or group has no name.")),
    _known(
        r"The survey element named '(?P<name>[^']+)' has no label or hint",
        _("The question “%(name)s” has no label or hint."),
    ),
    _known(
        r"Unknown question type '(?P<type>[^']+)'",
        _(
            "Unknown question type “%(type)s”. Check its spelling, and that a select names its "
            "choice list after a space (select_one list_name)."
        ),
    ),
    _known(
        r"Duplicate column header: (?P<column>.+)",
        _("The column “%(column)s” appears twice in the first row."),
    ),
    _known(
        r"Unmatched '(?P<begin>[^']+)'\. No matching '(?P<end>[^']+)' was found for the name "
        r"'(?P<name>[^']+)'",
        _("“%(name)s” is opened with %(begin)s but never closed with %(end)s."),
    ),
    _known(
        r"You must have a sheet named 'survey'",
        _("The workbook has no sheet named “survey”."),
    ),
    # ODK Validate: pyxform has already replaced the paths by ${name}.
    _known(
        r"mismatched brackets or parentheses",
        _("The expression of ${%(node)s} has a bracket or parenthesis that is not closed."),
    ),
    _known(
        r"(?:Couldn't understand the expression|invalid \w+ expression|Invalid calculate|"
        r"Encountered a problem with display condition|Bad node|in expression)",
        _(
            "The expression of ${%(node)s} cannot be read: check its brackets, quotes, "
            "operators and ${…} references."
        ),
    ),
    _known(
        r"<label> node for itemset doesn't exist",
        _("A choice list has no label column (or a choice without a label)."),
    ),
)

_KNOWN_WARNINGS = (
    _known(
        r"Choices should have a label",
        _("This choice has no label: the phone will show its name."),
    ),
    _known(
        r"Use the max-pixels parameter",
        _(
            "Set max-pixels in the parameters of this photo (for example max-pixels=1024): "
            "smaller photos upload faster and take less space."
        ),
    ),
    _known(
        r"Language '(?P<language>[^']+)' is missing the (?P<sheet>survey|choices) "
        r"(?:columns?) (?P<columns>[^.]+)\.",
        _("The language %(language)s has no %(columns)s columns on the %(sheet)s sheet."),
    ),
)

# Warnings about what this server does not do: it does not run Enketo or serve web forms,
# for which the machine-readable language codes matter.
_IRRELEVANT_WARNINGS = (
    re.compile(r"do not contain valid machine-readable codes"),
    re.compile(r"Enketo", re.I),
)


def _locate(text: str) -> tuple[str | None, int | None]:
    row = _ROW_RE.search(text)
    sheet = _SHEET_RE.search(text)
    sheet_name = (sheet.group(1) or sheet.group(2)).lower() if sheet else None
    return sheet_name, int(row.group(1)) if row else None


def _translated(text: str, known: Iterable[_Known]) -> str | None:
    for entry in known:
        match = entry.pattern.search(text)
        if match is None:
            continue
        params = {key: value.strip() for key, value in match.groupdict().items()}
        node = _NODE_RE.search(text)
        params.setdefault("node", node.group(1) if node else "?")
        return str(entry.message) % params
    return None


def problem_from_pyxform(text: str, *, code: str = "pyxform") -> Problem:
    """One pyxform error or ODK Validate line as a Problem in the user's language."""
    sheet, row = _locate(text)
    original = _ROW_RE.sub("", text).strip()
    translated = _translated(original, _KNOWN_ERRORS)
    return Problem(
        message=translated or original,
        sheet=sheet,
        row=row,
        original=original if translated else None,
        code=code,
    )


def warnings_from_pyxform(texts: Iterable[str]) -> list[Problem]:
    """pyxform's warnings that apply here, each line a Problem in the user's language."""
    problems = []
    for text in texts:
        if any(pattern.search(text) for pattern in _IRRELEVANT_WARNINGS):
            continue
        for line in text.splitlines() if text.startswith("Language '") else [text]:
            if not line.strip():
                continue
            sheet, row = _locate(line)
            original = _ROW_RE.sub("", line).strip()
            translated = _translated(original, _KNOWN_WARNINGS)
            problems.append(
                Problem(
                    message=translated or original,
                    sheet=sheet,
                    row=row,
                    original=original if translated else None,
                    code="pyxform_warning",
                )
            )
    return problems
