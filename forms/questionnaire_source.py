"""The questionnaires' sources: YAML files that read well in a diff, built into .xlsx.

Each file in ``forms/questionnaires/`` has the three XLSForm sheets as keys:
``settings`` (a mapping), ``survey`` (a list of rows, one question a block) and
``choices`` (list name → list of choices). ``build_xlsx`` writes the workbook
that is uploaded and published like any other.

Text that people read is given in both languages as a two-item list,
Indonesian first: ``label: [Nama kepala rumah tangga, Name of household head]``
becomes the columns ``label::Indonesian (id)`` and ``label::English (en)``.
"""

import io
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

QUESTIONNAIRES_DIR = Path(__file__).resolve().parent / "questionnaires"
LANGUAGES = ("Indonesian (id)", "English (en)")
TRANSLATED = frozenset(
    {"label", "hint", "guidance_hint", "constraint_message", "required_message", "image"}
)


def source_files() -> list[Path]:
    """The four questionnaires' sources, sorted by name."""
    return sorted(QUESTIONNAIRES_DIR.glob("*.yaml"))


def _expand(row: dict[str, Any]) -> dict[str, Any]:
    """``label: [id, en]`` → ``label::Indonesian (id)``, ``label::English (en)``."""
    expanded: dict[str, Any] = {}
    for key, value in row.items():
        if key in TRANSLATED and isinstance(value, list):
            if len(value) != len(LANGUAGES):
                raise ValueError(f"{row.get('name')}: {key} needs one text per language")
            for language, text in zip(LANGUAGES, value, strict=True):
                expanded[f"{key}::{language}"] = text
        else:
            expanded[key] = value
    return expanded


def _columns(rows: list[dict[str, Any]], first: tuple[str, ...] = ()) -> list[str]:
    columns = list(first)
    for row in rows:
        columns += [key for key in row if key not in columns]
    return columns


def _cell(value: Any) -> Any:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value


def _sheet(
    workbook: Workbook, title: str, rows: list[dict[str, Any]], first: tuple[str, ...] = ()
) -> None:
    sheet = workbook.create_sheet(title)
    columns = _columns(rows, first)
    sheet.append(columns)
    for row in rows:
        sheet.append([_cell(row.get(column)) for column in columns])


def build_xlsx(source: Path) -> bytes:
    """The XLSForm workbook of one YAML source."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    if data.get("survey"):
        _sheet(workbook, "survey", [_expand(row) for row in data["survey"]])
    choices = [
        {"list_name": list_name, **_expand(choice)}
        for list_name, items in (data.get("choices") or {}).items()
        for choice in items
    ]
    if choices:
        _sheet(workbook, "choices", choices, first=("list_name",))
    if data.get("settings"):
        _sheet(workbook, "settings", [data["settings"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
