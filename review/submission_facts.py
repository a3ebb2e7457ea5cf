"""What the pure checks find in one submission, before the database is asked.

The checks of ``review.checks`` (NIK, KK, GPS, photos, phones, values the
current version would refuse) need nothing but the answers, the form's roles
(``forms.roles``) and the photo files; they run before any lock is
taken. What they read on the way (the head's name and NIK, the KK, the GPS
point, every NIK, the photos' hashes) is kept for the checks that compare
with the rest of the queue (``review.queue_checks``) and for the item's columns.
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from forms.geopoint import parse_geopoint
from forms.models import FormVersion
from forms.roles import FormRoles, roles_of_version, rows_at, value_at
from intake.models import Attachment, Submission
from intake.processing import TRANSIENT_ERRORS
from review.checks import form_values, gps, nik, phones, photos
from review.checks.base import WARNING, FindingDraft, make_finding

logger = logging.getLogger(__name__)

_CHECKS_FAILED = _("The automatic checks could not run on this submission: check it by hand.")


@dataclass
class SubmissionFacts:
    """What the pure checks found in one submission, before the database is asked."""

    drafts: list[FindingDraft] = field(default_factory=list)
    head_name: str = ""
    head_nik: str = ""
    kk: str = ""
    point: Any = None  # forms.geopoint.GeoPoint
    niks: list[tuple[str, int | None, str, str]] = field(default_factory=list)
    # (nik, member_index, field, name)
    hashes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, filename, phash)
    error: str = ""
    roles: FormRoles = field(default_factory=FormRoles)
    questionnaire_id: int = 0


def is_plausible(point: Any) -> bool:
    """A point worth comparing with others (not 0,0, within the globe)."""
    return (
        point is not None
        and -90 <= point.lat <= 90
        and -180 <= point.lon <= 180
        and (point.lat, point.lon) != (0, 0)
    )


# --- the pure part ---------------------------------------------------------------------


def as_list(found: Any) -> list[FindingDraft]:
    if found is None:
        return []
    if isinstance(found, FindingDraft):
        return [found]
    return list(found)


def _submitted_at(answers: dict[str, Any], received_at: datetime) -> datetime:
    """When the form was filled: its ``end`` (or ``start``) metadata, else its arrival."""
    for name in ("end", "start"):
        text = answers.get(name)
        if isinstance(text, str) and text:
            try:
                moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            if moment.tzinfo is not None:
                return moment
    return received_at


def _digits(text: str) -> str:
    return text.strip().replace(" ", "")


def _person_checks(roles: FormRoles, answers: dict[str, Any], facts: SubmissionFacts) -> None:
    facts.head_nik = _digits(value_at(answers, roles.head_nik)) if roles.head_nik else ""
    facts.head_name = value_at(answers, roles.head_name) if roles.head_name else ""
    facts.kk = _digits(value_at(answers, roles.kk)) if roles.kk else ""
    member_niks: set[str] = set()
    for repeat in roles.repeats:
        rows = rows_at(answers, repeat.path)
        entries: list[tuple[int | None, str]] = []
        for index, row in enumerate(rows):
            if repeat.nik:
                number = _digits(str(row.get(repeat.nik) or ""))
                if number:
                    member_niks.add(number)
                    entries.append((index, number))
                    facts.niks.append(
                        (
                            number,
                            index,
                            f"{repeat.path}/{repeat.nik}",
                            str(row.get(repeat.name) or ""),
                        )
                    )
                    facts.drafts += as_list(
                        nik.check_nik(
                            number,
                            field=f"{repeat.path}/{repeat.nik}",
                            member_index=index,
                            sex=str(row.get(repeat.sex) or "") or None if repeat.sex else None,
                            birth_date=str(row.get(repeat.birth_date) or "") or None
                            if repeat.birth_date
                            else None,
                        )
                    )
            if repeat.kk:
                number = _digits(str(row.get(repeat.kk) or ""))
                if number:
                    facts.drafts += [
                        replace(draft, member_index=index)
                        for draft in as_list(
                            nik.check_kk(number, field=f"{repeat.path}/{repeat.kk}")
                        )
                    ]
        if repeat.nik and entries:
            facts.drafts += as_list(
                nik.duplicates_in_household(entries, field=f"{repeat.path}/{repeat.nik}")
            )
    if facts.head_nik:
        facts.niks.append((facts.head_nik, None, roles.head_nik, facts.head_name))
        # The head is usually also a member row: that row's findings already tell it.
        if facts.head_nik not in member_niks:
            facts.drafts += as_list(
                nik.check_nik(
                    facts.head_nik,
                    field=roles.head_nik,
                    sex=value_at(answers, roles.head_sex) or None if roles.head_sex else None,
                    birth_date=value_at(answers, roles.head_birth_date) or None
                    if roles.head_birth_date
                    else None,
                )
            )
    if facts.kk:
        facts.drafts += as_list(nik.check_kk(facts.kk, field=roles.kk))


def _place_checks(
    roles: FormRoles,
    answers: dict[str, Any],
    attachments: dict[str, Attachment],
    submitted_at: datetime,
    facts: SubmissionFacts,
) -> None:
    for path in roles.geopoints:
        text = value_at(answers, path)
        point = parse_geopoint(text) if text else None
        if path == roles.gps:
            facts.point = point
        facts.drafts += as_list(
            gps.check_gps(point, field=path, max_accuracy_m=roles.max_accuracy_m)
        )
    for path in roles.phones:
        text = value_at(answers, path)
        if text:
            facts.drafts += as_list(phones.check_phone(text, field=path))
    for path in roles.images:
        filename = value_at(answers, path)
        attachment = attachments.get(filename) if filename else None
        if attachment is None:
            continue
        # The original's header (size, EXIF); the pixels from intake's thumbnail, when made.
        inspected = photos.inspect_photo(
            attachment.file.path,
            field=path,
            submitted_at=submitted_at,
            point=facts.point,
            thumbnail=attachment.thumbnail.path if attachment.thumbnail else None,
        )
        facts.drafts += list(inspected.findings)
        if inspected.phash:
            facts.hashes.append((path, filename, inspected.phash))


def _value_checks(
    submission: Submission,
    answers: dict[str, Any],
    current: FormVersion | None,
    corrected: bool,
    facts: SubmissionFacts,
) -> None:
    # Answers sent to the current version passed the phone's own form engine; those to an
    # older version, and a reviewer's corrections, did not.
    if current is not None and (corrected or current.pk != submission.form_version_id):
        facts.drafts += as_list(form_values.check_values(answers, current.xform_xml))


def pure_facts(
    submission: Submission,
    attachments: dict[str, Attachment],
    current: FormVersion | None,
    corrected: dict[str, Any] | None,
) -> SubmissionFacts:
    facts = SubmissionFacts(questionnaire_id=submission.questionnaire_id)
    answers = corrected if corrected is not None else (submission.answers or {})
    try:
        roles = roles_of_version(submission.form_version_id)
        facts.roles = roles
        _person_checks(roles, answers, facts)
        _place_checks(
            roles, answers, attachments, _submitted_at(answers, submission.received_at), facts
        )
        _value_checks(submission, answers, current, corrected is not None, facts)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # noqa: BLE001 (a bug or a file the libraries choke on)
        logger.exception("checks failed submission_id=%s", submission.pk)
        facts.error = f"{type(exc).__name__}: {exc}"[:2000]
        facts.drafts.append(make_finding("checks.failed", WARNING, "", None, _CHECKS_FAILED))
    return facts
