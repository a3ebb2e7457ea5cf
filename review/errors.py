"""The review queue's refusals: each a DomainError with a stable code and a message."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError


class ReviewError(DomainError):
    code = "review_error"


class ItemNotFound(ReviewError):
    """Unknown, or outside the reader's areas: the same answer, so that ids tell nothing."""

    code = "item_not_found"
    message = _("There is no such submission in your review queue.")
    http_status = 404


class AttachmentNotFound(ReviewError):
    code = "attachment_not_found"
    message = _("This submission has no such file.")
    http_status = 404


class ReviewMovedOn(ReviewError):
    """Someone decided (or corrected) since the reviewer loaded the item: the lost race."""

    code = "review_moved_on"
    message = _(
        "This submission changed while you were looking at it: %(who)s made it “%(state)s”. "
        "Look at it again before you decide."
    )
    http_status = 409

    def __init__(self, *, who: Any, state: Any, state_code: str, version: int) -> None:
        super().__init__(who=who, state=state)
        self.state_code = state_code
        self.version = version


class ApprovalIsFinal(ReviewError):
    """An approved submission is in the registry: it is changed there, not here."""

    code = "approval_is_final"
    message = _(
        "This submission is approved and merged into the registry: correct the household "
        "in the registry, where every change keeps its history."
    )
    http_status = 409


class RejectReasonUnknown(ReviewError):
    code = "reject_reason_unknown"
    message = _("Choose a reason for the rejection from the list.")


class CommentRequired(ReviewError):
    code = "comment_required"
    message = _("Say what the field agent should correct.")


class CommentTooLong(ReviewError):
    code = "comment_too_long"
    message = _("Keep the comment under %(limit)d characters; it has %(length)d.")

    def __init__(self, *, length: int) -> None:
        super().__init__(limit=COMMENT_LIMIT, length=length)


# The longest comment or reason a decision or correction keeps (the API says the same).
COMMENT_LIMIT = 2000


class CorrectionReasonRequired(ReviewError):
    code = "correction_reason_required"
    message = _("Give the reason for the correction.")


class FieldNotCorrectable(ReviewError):
    code = "field_not_correctable"
    message = _("“%(field)s” is not a question of this questionnaire that can be corrected.")


class MemberIndexInvalid(ReviewError):
    code = "member_index_invalid"
    message = _("Choose the row of “%(field)s” to correct.")


class NothingChanged(ReviewError):
    code = "nothing_changed"
    message = _("The answer already has that value.")


class CountChanged(ReviewError):
    """Approve all: the number the reviewer confirmed is no longer the number there is."""

    code = "count_changed"
    message = _(
        "The queue changed: %(count)s submissions without findings match now, not %(expected)s. "
        "Look at them again."
    )
    http_status = 409
