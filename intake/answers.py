"""Structured answers derived from a submission's raw XML (which never changes)."""

import functools
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from forms.models import FormVersion
from intake.models import Submission
from intake.submission_xml import answers_of, parse_xml

logger = logging.getLogger(__name__)

_XFORMS_NS = "http://www.w3.org/2002/xforms"


def repeat_paths(xform_xml: str) -> set[str]:
    """Paths below the instance root of the form's repeats (``members``)."""
    root = parse_xml(xform_xml.encode("utf-8"))
    return {
        "/".join(repeat.get("nodeset", "").strip("/").split("/")[1:])
        for repeat in root.iter(f"{{{_XFORMS_NS}}}repeat")
    }


def answers_from_xml(xml: bytes, repeats: frozenset[str]) -> dict[str, Any]:
    """The instance as nested dicts; repeats are lists, every value a string as sent.

    The same reading as the request's (``intake.submission_xml``): what the
    area check read is what the answers hold.
    """
    return answers_of(parse_xml(xml), repeats)


@functools.lru_cache(maxsize=256)
def repeats_of_version(form_version_id: int) -> frozenset[str]:
    """The repeats of a form version: a published version never changes, so read it once."""
    xform_xml = FormVersion.objects.values_list("xform_xml", flat=True).get(pk=form_version_id)
    return frozenset(repeat_paths(xform_xml))


def forget_form_repeats() -> None:
    """Drop what this process remembers (tests, where ids repeat between databases)."""
    repeats_of_version.cache_clear()


@dataclass(frozen=True)
class Derived:
    done: list[int]
    failed: dict[int, str]  # submission id -> what went wrong


@transaction.atomic
def derive_answers(*, submission_ids: list[int]) -> Derived:
    """Parse these submissions' XML into ``answers`` and mark them processed; idempotent.

    A submission whose XML cannot be read is not changed and comes back in
    ``failed`` (with the reason); the others are written in one statement.
    """
    # Only the submission rows are locked, not their form versions (which every worker reads).
    rows = list(
        Submission.objects.select_for_update()
        .filter(pk__in=submission_ids)
        .values_list("pk", "xml", "form_version_id")
    )
    now = timezone.now()
    derived: list[Submission] = []
    failed: dict[int, str] = {}
    for pk, xml, form_version_id in rows:
        try:
            answers = answers_from_xml(bytes(xml), repeats_of_version(form_version_id))
        except Exception as exc:  # noqa: BLE001 (whatever is wrong with this one XML)
            failed[pk] = f"{type(exc).__name__}: {exc}"
            continue
        derived.append(Submission(pk=pk, answers=answers, processed_at=now, processing_error=""))
    Submission.objects.bulk_update(derived, ["answers", "processed_at", "processing_error"])
    logger.info("answers derived submissions=%s failed=%s", len(derived), len(failed))
    return Derived(done=[row.pk for row in derived], failed=failed)


def record_processing_failure(*, submission_id: int, error: str) -> None:
    """Note on the submission that its answers could not be derived (after every retry)."""
    Submission.objects.filter(pk=submission_id).update(processing_error=error[:2000])
    logger.warning("answers could not be derived submission_id=%s", submission_id)
