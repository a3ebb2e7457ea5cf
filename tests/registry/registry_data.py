"""Households merged into the registry the way approval merges them, for the registry's tests.

A real submission of the real PPLS questionnaire goes through intake
(``tests/review/review_households.py``, processed as the worker does), then
``registry.merge.merge_submission`` merges its answers. Use with the fixtures of
``tests/review/checking_setup.py`` (``from tests.review.checking_setup import *``):
``ppls``, ``agent``, ``reviewer``, ``pagelaran_reviewer``, and pytest's ``settings``.

    source = merge_household(agent, reviewer, FOUR, settings)
    household = household_of(source)
"""

import uuid
from dataclasses import replace
from typing import Any

from accounts.models import User
from areas.models import Area
from forms.models import FormVersion
from forms.questionnaire_source import build_xlsx, source_files
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from intake.demo_submissions import instance_xml
from intake.ingest import IncomingFile, ingest_submission
from intake.models import Submission
from intake.processing import process_submission
from registry.merge import merge_submission
from registry.models import Household, Source
from tests.review.checking_setup import (
    KEPANJEN,
    KEPANJEN_TOWN,
    PAGELARAN,
    TALANGAGUNG,
    send_processed,
)
from tests.review.review_households import Household as SentHousehold
from tests.review.review_households import _answers, house_photo

__all__ = [
    "FOUR",
    "KEPANJEN_TOWN",
    "TALANGAGUNG",
    "SentHousehold",
    "answers_of",
    "assessment_answers",
    "household_of",
    "merge_household",
    "merge_sent",
    "moved_child_household",
    "publish",
    "send_answers",
]

# Budi's household of four in Talangagung: Budi, Siti, their son Andi and baby Putri,
# who has no NIK yet.
FOUR = SentHousehold(
    instance="registry-budi",
    village=TALANGAGUNG,
    head=("Budi Santoso", "3507131708800001", "male", "1980-08-17"),
    members=[
        ("Siti Aminah", "3507135205830002", "female", "1983-05-12", "spouse"),
        ("Andi Saputra", "3507130309080003", "male", "2008-09-03", "child"),
        ("Putri Lestari", "", "female", "2025-06-01", "child"),
    ],
    kk="3507130101090001",
    phone="081234567890",
)


def moved_child_household() -> SentHousehold:
    """Andi (of FOUR), grown up, heads a household of his own in Kepanjen town."""
    return SentHousehold(
        instance="registry-andi",
        village=KEPANJEN_TOWN,
        head=("Andi Saputra", "3507130309080003", "male", "2008-09-03"),
        members=[("Rina Wati", "3507136101070004", "female", "2007-01-21", "spouse")],
        kk="3507130101250009",
        phone="081298765432",
        gps="-8.1290 112.5720 410 6",
    )


def answers_of(household: SentHousehold) -> dict[str, Any]:
    """The answers dict intake stores for ``household`` (as its phone sends them)."""
    return _answers(household)


def assessment_answers(
    name: str,
    nik: str,
    sex: str,
    born: str,
    *,
    village: str = TALANGAGUNG,
    phone: str = "081377778888",
    **picks: str,
) -> dict[str, Any]:
    """The answers of a needs assessment (``near_poor_assessment``); ``picks``: the
    registry's ids picked on the phone (``registry_household``, ``registry_person``)."""
    return {
        "place": {
            "regency": "35.07",
            "subdistrict": ".".join(village.split(".")[:3]),
            "village": village,
            "address": "Jl. Raya 12",
            "gps": "-8.1307 112.5712 420 5",
        },
        "applicant": {
            **picks,
            "name": name,
            "nik": nik,
            "sex": sex,
            "birth_date": born,
            "phone": phone,
            "household_size": "4",
        },
        "needs_group": {"needs": "health food", "health_condition": "chronic"},
        "community": {
            "recommended": "yes",
            "recommended_by": "Pak RT",
            "recommendation_reason": "x",
        },
    }


def merge_sent(submission: Submission, approved_by: User) -> Source:
    """Merge a stored submission with its own answers, as an approval does."""
    assert submission.answers is not None, "process the submission first"
    return merge_submission(
        submission=submission, answers=submission.answers, approved_by=approved_by
    )


def merge_household(
    agent: User, approved_by: User, household: SentHousehold, settings: Any, **changes: Any
) -> Source:
    """Send ``household`` (with ``changes`` to its fields) through intake and merge it."""
    if changes:
        household = replace(household, **changes)
    submission = send_processed(agent, household, settings)
    return merge_sent(submission, approved_by)


def household_of(source: Source) -> Household:
    """The registry household a merge created or updated."""
    return Household.objects.get(pk=source.summary["household_id"])


def publish(stem: str, district: User) -> FormVersion:
    """Publish one of our questionnaires (``forms/questionnaires/<stem>.yaml``) and deploy
    it to Kepanjen and Pagelaran; use inside a test with the ``ppls`` fixture, whose
    compilation cache it shares."""
    source = next(s for s in source_files() if s.stem == stem)
    version = create_questionnaire(
        workbook=build_xlsx(source),
        filename=f"{stem}.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code__in=[KEPANJEN, PAGELARAN]),
        user=district,
    )
    return version


def send_answers(
    agent: User,
    version: FormVersion,
    answers: dict[str, Any],
    *,
    instance: str,
    settings: Any,
    files: tuple[str, ...] = (),
) -> Submission:
    """Send ``answers`` of ``version`` as a phone would, processed as the worker does."""
    settings.SRS_PROCESS_IN_REQUEST = False
    instance_id = f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'srs-registry-' + instance)}"
    ingest_submission(
        user=agent,
        xml=instance_xml(version, answers, instance_id),
        files=[IncomingFile(name, house_photo(len(instance) + 7)) for name in files],
        device_id="collect:test-phone",
        is_incomplete=False,
    )
    submission = Submission.objects.get(instance_id=instance_id)
    process_submission(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission
