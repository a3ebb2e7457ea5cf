"""The imports' refusals: each a DomainError with a stable code and a message in the
words of the district officer who uploaded the file."""

from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError


class ImportsError(DomainError):
    code = "imports_error"


# --- the file -------------------------------------------------------------------------------


class EmptyFile(ImportsError):
    code = "empty_file"
    message = _("The file is empty. Upload the extract as a CSV or XLSX file.")


class NoHeader(ImportsError):
    code = "no_header"
    message = _(
        "The first row of the file holds no column names (it reads “%(first)s”). "
        "Add a row of column names, such as NIK and NAMA_LGKP, above the data."
    )


class UnsupportedFile(ImportsError):
    code = "unsupported_file"
    message = _(
        "This file is neither a CSV file nor an Excel workbook (.xlsx). Save the extract "
        "as CSV or .xlsx and upload it again."
    )


class OldExcelWorkbook(ImportsError):
    code = "old_excel_workbook"
    message = _(
        "This is an old Excel workbook (.xls). Open it in Excel or LibreOffice, save it as "
        ".xlsx or CSV and upload it again."
    )


class EncryptedWorkbook(ImportsError):
    code = "encrypted_workbook"
    message = _(
        "This workbook is protected by a password and cannot be read. Open it, remove the "
        "password (or save a copy without one) and upload it again."
    )


class CorruptWorkbook(ImportsError):
    code = "corrupt_workbook"
    message = _(
        "This Excel workbook is damaged and cannot be read. Open it in Excel or LibreOffice, "
        "save it again and upload the new copy."
    )


class EmptyWorkbook(ImportsError):
    code = "empty_workbook"
    message = _("The workbook has no sheet with data.")


class SheetColumnsDiffer(ImportsError):
    code = "sheet_columns_differ"
    message = _(
        "The sheet “%(sheet)s” does not start with the same column names as the sheet "
        "“%(first)s”. Every sheet of the workbook is read as part of one table: give each "
        "the same first row of column names, or move the sheet to a workbook of its own."
    )


class TooManySheets(ImportsError):
    code = "too_many_sheets"
    message = _(
        "The workbook has %(count)s sheets; an extract may have at most %(limit)s. Split it "
        "into several workbooks, or save it as CSV."
    )


class WorkbookTooMuchText(ImportsError):
    code = "workbook_too_much_text"
    message = _(
        "The workbook holds too much text to be read (more than %(count)s different texts, "
        "or more than %(size)s of them). Save the extract as CSV and upload that instead."
    )


class RowTooLong(ImportsError):
    code = "row_too_long"
    message = _(
        "Row %(row)s is longer than %(limit)s. Is a quotation mark left open in the row "
        "before it? Check the file, or save it again as CSV."
    )


class TooManyColumns(ImportsError):
    code = "too_many_columns"
    message = _("Row %(row)s has %(count)s columns; an extract may have at most %(limit)s.")


# --- the mapping ----------------------------------------------------------------------------


class MappingInvalid(ImportsError):
    """A mapping that cannot be used; ``problems`` lists every reason, in the user's words."""

    code = "mapping_invalid"
    message = _("The columns cannot be imported this way: %(problems)s")

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems="; ".join(problems))


# --- runs -----------------------------------------------------------------------------------


class ImportStateError(ImportsError):
    code = "import_state"
    message = _("This import is in the state “%(state)s”: that cannot be done now.")
    http_status = 409
