"""Phone numbers as written on a phone's keyboard, normalised to E.164 with phonenumbers."""

import phonenumbers
from django.utils.translation import gettext_lazy as _

from review.checks.base import WARNING, FindingDraft, make_finding


def normalise_phone(text: str | None, region: str = "ID") -> str | None:
    """``0812-3456-7890`` → ``+6281234567890``; None when it is no valid number."""
    if not text or not text.strip():
        return None
    written = text.strip()
    # "6281234567890" is often written for +62 812…: try it as international first.
    attempts = [f"+{written}", written] if written.startswith("62") else [written]
    for attempt in attempts:
        try:
            number = phonenumbers.parse(attempt, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def check_phone(text: str | None, *, field: str) -> list[FindingDraft]:
    """A finding for a phone number that is no valid number of Indonesia (or abroad)."""
    if not text or not text.strip() or normalise_phone(text) is not None:
        return []
    return [
        make_finding(
            "phone.invalid",
            WARNING,
            field,
            None,
            _("The phone number “%(number)s” is not a valid phone number."),
            number=text.strip()[:40],
        )
    ]
