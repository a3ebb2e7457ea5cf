"""Which submissions the duplicate checks compare: every household roster together, any
other questionnaire within itself."""

import tempfile
from pathlib import Path

import pytest
import yaml

from areas.models import Area
from forms.questionnaire_source import build_xlsx, source_files
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from intake.demo_submissions import instance_xml
from intake.ingest import IncomingFile, ingest_submission
from intake.models import Submission
from intake.processing import process_submission
from review.checking import check_submissions
from review.models import Finding, ReviewItem
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import KEPANJEN, PAGELARAN, send_checked
from tests.review.review_households import Household, _answers, house_photo


def _variant(stem: str, form_id: str) -> bytes:
    """One of our questionnaires under another form_id: a district's own copy of it."""
    source = next(s for s in source_files() if s.stem == stem)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["settings"]["form_id"] = form_id
    data["settings"]["form_title"] = f"{data['settings']['form_title']} ({form_id})"
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / f"{form_id}.yaml"
        copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return build_xlsx(copy)


@pytest.fixture
def second_roster(ppls, district):
    version = create_questionnaire(
        workbook=_variant("ppls_household", "ppls_household_2027"),
        filename="ppls_household_2027.xlsx",
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


def _send_to(version, agent, household: Household, settings) -> ReviewItem:
    settings.SRS_PROCESS_IN_REQUEST = False
    ingest_submission(
        user=agent,
        xml=instance_xml(version, _answers(household), household.instance_id),
        files=[IncomingFile("house.jpg", house_photo(len(household.instance) + 40))],
        device_id="collect:test-phone",
        is_incomplete=False,
    )
    submission = Submission.objects.get(instance_id=household.instance_id)
    process_submission(submission_id=submission.pk)
    check_submissions([submission.pk])
    return ReviewItem.objects.get(submission=submission)


def _checks(item: ReviewItem) -> set[str]:
    return set(Finding.objects.filter(item=item).values_list("check_name", flat=True))


def test_the_same_head_in_two_household_rosters_is_a_possible_duplicate(
    agent, settings, second_roster
):
    first = send_checked(agent, Household(instance="budi"), settings)
    again = _send_to(second_roster, agent, Household(instance="budi-2027"), settings)

    assert first.questionnaire_id != again.questionnaire_id
    assert {"nik.duplicate_in_queue", "household.duplicate"} <= _checks(again)
    duplicate = Finding.objects.filter(item=again, check_name="household.duplicate").get()
    assert duplicate.related_item_id == first.pk


@pytest.fixture
def assessment(ppls, district):
    source = next(s for s in source_files() if s.stem == "near_poor_assessment")
    version = create_questionnaire(
        workbook=build_xlsx(source),
        filename="near_poor_assessment.xlsx",
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


def test_a_person_of_a_roster_assessed_in_another_questionnaire_is_no_duplicate(
    agent, settings, assessment
):
    budi = Household(instance="budi")
    send_checked(agent, budi, settings)
    name, nik, sex, born = budi.head
    settings.SRS_PROCESS_IN_REQUEST = False
    answers = {
        "place": {
            "regency": "35.07",
            "subdistrict": KEPANJEN,
            "village": budi.village,
            "address": "Jl. Raya 12",
            "gps": budi.gps,
        },
        "applicant": {"name": name, "nik": nik, "sex": sex, "birth_date": born},
    }
    ingest_submission(
        user=agent,
        xml=instance_xml(assessment, answers, "uuid:assessment-budi"),
        files=[],
        device_id="collect:test-phone",
        is_incomplete=False,
    )
    submission = Submission.objects.get(instance_id="uuid:assessment-budi")
    process_submission(submission_id=submission.pk)
    check_submissions([submission.pk])
    item = ReviewItem.objects.get(submission=submission)

    assert item.checks_version > 0
    assert not {"nik.duplicate_in_queue", "household.duplicate"} & _checks(item)


def test_the_registry_preview_costs_the_same_queries_for_a_household_of_one_or_seven(
    agent, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from review.registry_preview import registry_preview

    small = send_checked(agent, Household(instance="alone"), settings)
    children = [
        (f"Anak {n}", f"350713{10 + n:02d}0110{n:04d}", "male", f"2010-01-{10 + n:02d}", "child")
        for n in range(6)
    ]
    large = send_checked(
        agent,
        Household(
            instance="seven",
            head=("Joko Susilo", "3507130101700009", "male", "1970-01-01"),
            kk="3507130101090077",
            members=children,
        ),
        settings,
    )
    counts = []
    for item in (small, large):
        item = ReviewItem.objects.get(pk=item.pk)
        with CaptureQueriesContext(connection) as queries:
            preview = registry_preview(item)
        assert len([row for row in preview.rows if row.kind == "create"]) >= 2
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
