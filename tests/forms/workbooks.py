"""Workbooks built cell by cell, for the tests of what people actually upload."""

import io

from openpyxl import Workbook

SURVEY = [
    ["type", "name", "label"],
    ["text", "hh_head_name", "Head's name"],
]


def raw_xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx with these sheets, in this order; cells keep their Python type (10.0, dates)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_settings(settings: dict[str, object], survey: list[list[object]] | None = None) -> bytes:
    return raw_xlsx(
        {"survey": survey or SURVEY, "settings": [list(settings), list(settings.values())]}
    )
