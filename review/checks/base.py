"""What a check finds: a finding draft with its message in Indonesian and English."""

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

INFO = 1
WARNING = 2
ERROR = 3


@dataclass(frozen=True)
class FindingDraft:
    """One finding before it is stored: which check, how bad, which question (and row)."""

    check: str
    severity: int
    field: str
    member_index: int | None
    message_id: str
    message_en: str
    related_submission_id: int | None = None


def render(message: Promise | str, language: str, params: dict[str, Any]) -> str:
    """``message`` (a lazy gettext string with ``%(name)s`` params) in ``language``."""
    with translation.override(language):
        text = str(message)
        return text % params if params else text


def make_finding(
    check: str,
    severity: int,
    field: str,
    member_index: int | None,
    message: Promise | str,
    *,
    related_submission_id: int | None = None,
    **params: Any,
) -> FindingDraft:
    """A finding whose message is rendered now in both languages of the site."""
    return FindingDraft(
        check=check,
        severity=severity,
        field=field,
        member_index=member_index,
        message_id=render(message, "id", params),
        message_en=render(message, "en", params),
        related_submission_id=related_submission_id,
    )
