from dataclasses import asdict, dataclass

from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError


@dataclass(frozen=True)
class Problem:
    """One problem found in an XLSForm, located where a person can find it."""

    message: str
    sheet: str | None = None
    row: int | None = None
    # pyxform's or ODK Validate's own words, when ``message`` says it in the user's language.
    original: str | None = None
    # Stable, for programs and tests: "form_id_invalid", "pyxform", "odk_validate", ...
    code: str = "pyxform"

    def as_dict(self) -> dict[str, str | int | None]:
        return asdict(self)


class FormsError(DomainError):
    code = "forms_error"


class NotAnXLSForm(FormsError):
    code = "not_an_xlsform"
    message = _(
        "This file is not an XLSForm. Upload an Excel workbook (.xlsx or .xls) with a “survey” "
        "sheet."
    )


class EmptyWorkbook(FormsError):
    code = "empty_workbook"
    message = _("The file is empty. Upload the XLSForm workbook (.xlsx or .xls).")


class CorruptWorkbook(FormsError):
    code = "corrupt_workbook"
    message = _(
        "The workbook cannot be opened: the file is damaged or not a real .xlsx or .xls file."
    )


class FileTooLarge(FormsError):
    code = "file_too_large"
    message = _("The file is %(size)s; the largest accepted is %(limit)s.")
    http_status = 413


class WorkbookTooBig(FormsError):
    code = "workbook_too_big"
    message = _(
        "The workbook unpacks to %(size)s; the largest accepted is %(limit)s. Remove unused "
        "sheets, pictures and formatting, or save it again from a spreadsheet program."
    )
    http_status = 413


class WorkbookTooManyRows(FormsError):
    code = "workbook_too_many_rows"
    message = _(
        "The “%(sheet)s” sheet has more than %(limit)s rows, the most this server accepts. "
        "Split the questionnaire, or put long choice lists into a CSV file attached as media "
        "(select_one_from_file)."
    )
    http_status = 413


class WorkbookTooManyCells(FormsError):
    code = "workbook_too_many_cells"
    message = _(
        "The “%(sheet)s” sheet has more than %(limit)s filled cells, the most this server "
        "accepts. Remove columns the form does not use, or split the questionnaire."
    )
    http_status = 413


class XLSFormInvalid(FormsError):
    code = "xlsform_invalid"
    message = _("The questionnaire has errors. Correct them in the workbook and upload it again.")

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__()
        self.problems = problems


class FormIdMismatch(FormsError):
    code = "form_id_mismatch"
    message = _(
        "This workbook is for the questionnaire “%(uploaded)s”, not “%(expected)s”. "
        "Check form_id on the settings sheet."
    )


class VersionNotIncreasing(FormsError):
    code = "version_not_increasing"
    message = _(
        "Version “%(version)s” is not higher than the published version “%(latest)s”. "
        "Increase the version on the settings sheet."
    )
    http_status = 409


class VersionExists(FormsError):
    code = "version_exists"
    message = _(
        "Version “%(version)s” of this questionnaire was already published. "
        "A published version never changes: increase the version on the settings sheet."
    )
    http_status = 409


class QuestionnaireExists(FormsError):
    code = "questionnaire_exists"
    message = _(
        "A questionnaire with form_id “%(form_id)s” already exists. Upload the workbook as a "
        "new version of it."
    )
    http_status = 409


class NotADraft(FormsError):
    code = "not_a_draft"
    message = _("Version “%(version)s” is published and can no longer be changed.")
    http_status = 409


class MediaMissing(FormsError):
    code = "media_missing"
    message = _("Attach the media files this form needs before publishing: %(files)s.")


class MediaInvalid(FormsError):
    code = "media_invalid"
    message = _("“%(filename)s” cannot be used as form media: %(reason)s")


class QuestionnaireArchived(FormsError):
    code = "questionnaire_archived"
    message = _("The questionnaire “%(title)s” is archived.")
    http_status = 409


class AreaOutsideScope(FormsError):
    code = "area_outside_scope"
    message = _("You cannot deploy to %(area)s: it is outside your areas.")
    http_status = 403


class DraftNotBeingTested(FormsError):
    """The draft of a test link was published, replaced or discarded, or the link is unknown."""

    code = "draft_not_being_tested"
    message = _("This draft is no longer being tested.")
    http_status = 404


class DraftTestMalformed(FormsError):
    code = "test_submission_malformed"
    message = _("The test submission is not a readable form instance: %(reason)s")
    http_status = 400


class DraftTestNotForDraft(FormsError):
    code = "test_submission_not_for_draft"
    message = _(
        "This submission is for “%(form_id)s” version %(version)s, not for the draft being "
        "tested. Get the forms again and fill the draft."
    )
    http_status = 400


class DraftTestConflict(FormsError):
    code = "test_submission_conflict"
    message = _("A different test submission with the same instanceID was already received.")
    http_status = 409


class DraftTestAttachmentRefused(FormsError):
    code = "test_attachment_name_refused"
    message = _("The attachment name “%(name)s” is not allowed.")
    http_status = 400
