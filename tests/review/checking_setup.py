"""Fixtures of the checking, decision and correction tests: the PPLS questionnaire
published and deployed to Kepanjen and Pagelaran, agents of both, and households sent
through intake (``tests/review/review_households.py``) and then processed."""

import functools

import pytest

from areas.models import Area
from forms import versions
from forms.questionnaire_source import build_xlsx, source_files
from forms.roles import forget_form_roles
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from forms.xlsform import compile_xlsform
from intake.models import Submission
from intake.processing import process_submission
from review.models import ReviewItem
from tests.factories import make_user
from tests.review.review_households import Household, send_household

KEPANJEN = "35.07.13"
TALANGAGUNG = "35.07.13.2011"
KEPANJEN_TOWN = "35.07.13.1010"
PAGELARAN = "35.07.33"
PAGELARAN_VILLAGE = "35.07.33.2001"


@functools.lru_cache(maxsize=8)
def _compiled(workbook: bytes, version_if_missing: str):  # type: ignore[no-untyped-def]
    return compile_xlsform(workbook, version_if_missing=version_if_missing)


def _compile_once(workbook: bytes, *, version_if_missing: str = ""):  # type: ignore[no-untyped-def]
    # pyxform and ODK Validate take seconds; the same workbook compiles the same every time.
    return _compiled(workbook, version_if_missing)


@functools.lru_cache(maxsize=1)
def _ppls_workbook() -> bytes:
    return build_xlsx(next(s for s in source_files() if s.stem == "ppls_household"))


@pytest.fixture(autouse=True)
def fresh_roles():
    forget_form_roles()
    yield
    forget_form_roles()


@pytest.fixture
def district(malang):
    return make_user("district", "district_staff", ["35.07"])


@pytest.fixture
def ppls(district, monkeypatch):
    monkeypatch.setattr(versions, "compile_xlsform", _compile_once)
    version = create_questionnaire(
        workbook=_ppls_workbook(),
        filename="ppls_household.xlsx",
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


@pytest.fixture
def agent(ppls):
    return make_user("agent", "field_agent", [KEPANJEN_TOWN, TALANGAGUNG])


@pytest.fixture
def pagelaran_agent(ppls):
    return make_user("agent_pagelaran", "field_agent", [PAGELARAN_VILLAGE])


@pytest.fixture
def reviewer(ppls):
    return make_user("reviewer", "reviewer", [KEPANJEN])


@pytest.fixture
def pagelaran_reviewer(ppls):
    return make_user("reviewer_pagelaran", "reviewer", [PAGELARAN])


def send_processed(agent, household: Household, settings) -> Submission:
    """Stored and processed as the worker does, but not checked (the signal's callbacks
    run only where a test captures them)."""
    settings.SRS_PROCESS_IN_REQUEST = False
    submission = send_household(agent, household)
    process_submission(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def send_checked(agent, household: Household, settings) -> ReviewItem:
    from review.checking import check_submissions

    submission = send_processed(agent, household, settings)
    check_submissions([submission.pk])
    return ReviewItem.objects.get(submission=submission)


def unchecked_item(agent, household: Household, settings) -> ReviewItem:
    """An item as the checking makes it, without running the checks (decisions' tests)."""
    submission = send_processed(agent, household, settings)
    steps = (submission.area_id or "").split(".")
    return ReviewItem.objects.create(
        submission=submission,
        questionnaire_id=submission.questionnaire_id,
        form_version_id=submission.form_version_id,
        kecamatan_code=".".join(steps[:3]),
        village_code=submission.area_id or "",
        area_id=submission.area_id,
        agent_id=submission.submitted_by_id,
        received_at=submission.received_at,
        head_name=household.head[0],
        head_nik=household.head[1],
        checks_version=1,
    )
