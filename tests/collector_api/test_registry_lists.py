"""The registry's lists on the phone: ``households.csv`` and ``people.csv`` as form media.

Through ../shared/odk-client against a live test server, as ODK Collect does:
each field agent gets only her villages' households and people, NIKs masked;
the manifest's hash is that of her own file, the same while nothing changes,
and a new one when the registry does (Collect then downloads it again).
"""

import csv
import hashlib
import io
import re
from datetime import date

import pytest
from django.test import Client

from areas.models import Area
from collector_api.draft_links import create_draft_test_link
from forms.errors import MediaInvalid
from forms.versions import (
    attach_form_media,
    create_questionnaire,
    publish_form_version,
    set_deployment,
    upload_form_version,
)
from intake.models import Submission
from intake.processing import process_submission
from registry.models import Assessment
from review.checking import check_submissions
from review.decisions import approve
from review.models import ReviewItem
from tests.factories import make_user, xlsform_bytes
from tests.odk import Collector, fill
from tests.registry.export_data import (
    PAGELARAN_VILLAGE,
    HouseholdData,
    Member,
    kepanjen_and_pagelaran,
    make_household,
    make_source,
)
from tests.registry.registry_data import FOUR, household_of, merge_household
from tests.review.checking_setup import *  # noqa: F403 (the fixtures of a real merge)

pytestmark = pytest.mark.odk

FOLLOW_UP_SURVEY = [
    {
        "type": "select_one_from_file households.csv",
        "name": "household",
        "label::Indonesian (id)": "Rumah tangga",
        "label::English (en)": "Household",
        "required": "yes",
    },
    {
        "type": "select_one_from_file people.csv",
        "name": "person",
        "label::Indonesian (id)": "Orang",
        "label::English (en)": "Person",
        "choice_filter": "household=${household}",
        "required": "yes",
    },
    {
        "type": "text",
        "name": "needs",
        "label::Indonesian (id)": "Kebutuhan",
        "label::English (en)": "Needs",
    },
]


def _follow_up_workbook(version: str) -> bytes:
    return xlsform_bytes(
        form_id="follow_up", version=version, title="Follow-up", survey=FOLLOW_UP_SURVEY
    )


@pytest.fixture
def lists_setup(transactional_db):
    district = make_user("district", "district_staff", ["35.07"])
    agent = make_user("agent", "field_agent", ["35.07.13.1010", "35.07.13.2011"])
    other = make_user("agent_pagelaran", "field_agent", [PAGELARAN_VILLAGE])
    for user, password in ((agent, "rahasia-agen"), (other, "rahasia-lain")):
        user.set_password(password)
        user.save()
    version = create_questionnaire(
        workbook=_follow_up_workbook("1"),
        filename="follow_up.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code__in=["35.07.13", "35.07.33"]),
        user=district,
    )
    households = kepanjen_and_pagelaran(district)
    return {"district": district, "version": version, **households}


@pytest.fixture
def kepanjen_phone(live_server, lists_setup) -> Collector:
    return Collector(server=live_server.url, username="agent", password="rahasia-agen")


@pytest.fixture
def pagelaran_phone(live_server, lists_setup) -> Collector:
    return Collector(server=live_server.url, username="agent_pagelaran", password="rahasia-lain")


def _fetch(phone: Collector, out) -> dict[str, dict[str, object]]:
    """The form's media as the phone fetched it (every hash checked): by file name."""
    result = phone.fetch("follow_up", out)
    assert result.returncode == 0, result.stderr
    media = {}
    for file in result.json["media"]:
        name = str(file["path"]).rsplit("/", 1)[-1]
        content = (out / "follow_up-media" / name).read_bytes()
        media[name] = {"hash": file["hash"], "content": content}
    return media


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_an_agent_gets_only_her_villages_households_with_nik_masked(
    kepanjen_phone, lists_setup, tmp_path
):
    media = _fetch(kepanjen_phone, tmp_path / "forms")

    households = _rows(media["households.csv"]["content"])
    budi = lists_setup["budi"]
    assert households == [
        {
            "name": str(budi.pk),
            "label": "Budi Santoso · RT 001/RW 002 · 350713••••••0001",
            "village": "35.07.13.2011",
            "rt": "001",
            "rw": "002",
        }
    ]
    people = _rows(media["people.csv"]["content"])
    assert [person["label"] for person in people] == [
        "Budi Santoso · RT 001/RW 002 · 350713••••••0001",
        "Siti Aminah · RT 001/RW 002 · 350713••••••0002",
        "Putri Lestari · RT 001/RW 002",
    ]
    assert {person["household"] for person in people} == {str(budi.pk)}
    assert [person["birth_year"] for person in people] == ["1980", "1983", "2025"]
    assert [person["sex"] for person in people] == ["male", "female", "female"]
    for content in (media["households.csv"]["content"], media["people.csv"]["content"]):
        assert b"Wati" not in content
        assert not re.search(rb"\d{16}", content)  # no whole NIK or KK number
    assert media["households.csv"]["hash"] == (
        "md5:" + hashlib.md5(media["households.csv"]["content"]).hexdigest()  # noqa: S324
    )


def test_an_agent_of_another_village_never_gets_them(pagelaran_phone, lists_setup, tmp_path):
    media = _fetch(pagelaran_phone, tmp_path / "forms")

    households = _rows(media["households.csv"]["content"])
    assert [row["label"] for row in households] == [
        "Wati Pagelaran · RT 003/RW 004 · 350733••••••0005"
    ]
    people = _rows(media["people.csv"]["content"])
    assert [row["name"] for row in people] == [str(lists_setup["wati"].head_id)]
    for content in (media["households.csv"]["content"], media["people.csv"]["content"]):
        assert b"Budi" not in content
        assert b"Siti" not in content


def test_the_hash_stays_while_nothing_changes_and_changes_with_the_registry(
    kepanjen_phone, pagelaran_phone, lists_setup, tmp_path
):
    first = _fetch(kepanjen_phone, tmp_path / "first")
    again = _fetch(kepanjen_phone, tmp_path / "again")
    theirs = _fetch(pagelaran_phone, tmp_path / "theirs")
    assert again["households.csv"]["hash"] == first["households.csv"]["hash"]
    assert again["people.csv"]["hash"] == first["people.csv"]["hash"]

    make_household(
        make_source(lists_setup["district"], "merged later"),
        HouseholdData(
            head=Member("Joko Widodo", "3507131708800011", "male", date(1961, 6, 21), "head"),
            kk="3507130101090011",
            rt="005",
        ),
    )
    after = _fetch(kepanjen_phone, tmp_path / "after")
    theirs_after = _fetch(pagelaran_phone, tmp_path / "theirs-after")

    assert after["households.csv"]["hash"] != first["households.csv"]["hash"]
    assert after["people.csv"]["hash"] != first["people.csv"]["hash"]
    assert b"Joko Widodo" in after["households.csv"]["content"]
    # Nothing changed in Pagelaran: that phone downloads nothing again.
    assert theirs_after["households.csv"]["hash"] == theirs["households.csv"]["hash"]
    assert theirs_after["people.csv"]["hash"] == theirs["people.csv"]["hash"]


def test_the_phone_picks_a_household_and_a_member_and_the_submission_names_them(
    kepanjen_phone, lists_setup, tmp_path
):
    forms_dir = tmp_path / "forms"
    _fetch(kepanjen_phone, forms_dir)
    budi = lists_setup["budi"]
    siti = budi.members.get(name="Siti Aminah")

    instance = tmp_path / "instance"
    filled = fill(
        forms_dir, {"household": str(budi.pk), "person": str(siti.pk), "needs": "x"}, instance
    )
    assert filled.returncode == 0, filled.stderr
    sent = kepanjen_phone.submit(instance)
    assert sent.returncode == 0, sent.stderr

    submission = Submission.objects.get()
    assert submission.form_version_id == lists_setup["version"].pk
    assert f"<household>{budi.pk}</household>" in bytes(submission.xml).decode()
    assert f"<person>{siti.pk}</person>" in bytes(submission.xml).decode()


def _approved(phone: Collector, instance, reviewer) -> Submission:
    """Send the filled ``instance`` and approve it as a reviewer of Kepanjen does."""
    sent = phone.submit(instance)
    assert sent.returncode == 0, sent.stderr
    submission = Submission.objects.order_by("-pk").first()
    assert submission is not None
    if submission.answers is None:
        process_submission(submission_id=submission.pk)
    check_submissions([submission.pk])
    item = ReviewItem.objects.get(submission=submission)
    approve(user=reviewer, item_id=item.pk, version=item.version)
    submission.refresh_from_db()
    return submission


def test_an_approved_follow_up_is_linked_to_the_household_and_person_the_phone_picked(
    kepanjen_phone, lists_setup, tmp_path
):
    reviewer = make_user("reviewer", "reviewer", ["35.07.13"])
    forms_dir = tmp_path / "forms"
    _fetch(kepanjen_phone, forms_dir)
    budi = lists_setup["budi"]
    siti = budi.members.get(name="Siti Aminah")
    instance = tmp_path / "instance"
    filled = fill(
        forms_dir, {"household": str(budi.pk), "person": str(siti.pk), "needs": "x"}, instance
    )
    assert filled.returncode == 0, filled.stderr

    submission = _approved(kepanjen_phone, instance, reviewer)

    assessment = Assessment.objects.get(source__submission=submission)
    assert (assessment.household, assessment.person) == (budi, siti)
    assert [p["outcome"] for p in assessment.source.summary["picks"]] == ["linked", "linked"]


def test_a_tampered_phone_that_answers_a_pagelaran_household_is_not_linked_to_it(
    kepanjen_phone, lists_setup, tmp_path
):
    reviewer = make_user("reviewer", "reviewer", ["35.07.13"])
    forms_dir = tmp_path / "forms"
    _fetch(kepanjen_phone, forms_dir)
    budi, wati = lists_setup["budi"], lists_setup["wati"]
    siti = budi.members.get(name="Siti Aminah")
    instance = tmp_path / "instance"
    filled = fill(
        forms_dir, {"household": str(budi.pk), "person": str(siti.pk), "needs": "x"}, instance
    )
    assert filled.returncode == 0, filled.stderr
    xml = instance / "submission.xml"
    honest = xml.read_text()
    assert f"<household>{budi.pk}</household>" in honest
    xml.write_text(honest.replace(f"<household>{budi.pk}<", f"<household>{wati.pk}<"))

    submission = _approved(kepanjen_phone, instance, reviewer)

    assert f"<household>{wati.pk}</household>" in bytes(submission.xml).decode()
    assessment = Assessment.objects.get(source__submission=submission)
    assert assessment.household != wati and not wati.assessments.exists()
    assert assessment.household == budi  # Siti's own, whom the phone picked
    assert assessment.source.summary["picks"][0] == {
        "question": "household",
        "answer": str(wati.pk),
        "outcome": "out_of_scope",
    }


def test_a_person_of_another_household_is_not_a_choice(kepanjen_phone, lists_setup, tmp_path):
    forms_dir = tmp_path / "forms"
    _fetch(kepanjen_phone, forms_dir)
    wati = lists_setup["wati"]

    filled = fill(
        forms_dir,
        {"household": str(wati.pk), "person": str(wati.head_id)},
        tmp_path / "instance",
    )

    assert filled.returncode != 0  # Pagelaran's household is not in her list


def test_a_draft_test_link_gets_an_example_row_and_nobodys_data(lists_setup):
    district = lists_setup["district"]
    draft = upload_form_version(
        questionnaire=lists_setup["version"].questionnaire,
        workbook=_follow_up_workbook("2"),
        filename="follow_up-2.xlsx",
        user=district,
    )
    token = create_draft_test_link(version=draft, created_by=district).token
    client = Client()
    base = f"/draft/{token}/forms/follow_up/2"

    manifest = client.get(f"{base}/manifest", secure=True)
    households = client.get(f"{base}/media/households.csv", secure=True)
    people = client.get(f"{base}/media/people.csv", secure=True)

    assert manifest.status_code == 200
    assert b"households.csv" in manifest.content
    assert households.status_code == 200
    rows = _rows(households.content)
    assert [row["name"] for row in rows] == ["0"]
    assert b"Budi" not in households.content + people.content
    assert b"Wati" not in households.content + people.content


def test_a_registry_list_cannot_be_uploaded_as_media(lists_setup):
    district = lists_setup["district"]
    draft = upload_form_version(
        questionnaire=lists_setup["version"].questionnaire,
        workbook=_follow_up_workbook("3"),
        filename="follow_up-3.xlsx",
        user=district,
    )

    with pytest.raises(MediaInvalid):
        attach_form_media(
            version=draft, filename="households.csv", content=b"name,label\n1,x\n", user=district
        )


def test_an_approved_merge_gives_the_phone_a_new_list_and_then_the_same_again(
    live_server, transactional_db, ppls, agent, reviewer, district, settings, tmp_path
):
    agent.set_password("rahasia-agen")
    agent.save()
    version = create_questionnaire(
        workbook=_follow_up_workbook("1"),
        filename="follow_up.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code="35.07.13"),
        user=district,
    )
    phone = Collector(server=live_server.url, username="agent", password="rahasia-agen")
    before = _fetch(phone, tmp_path / "before")
    assert _rows(before["households.csv"]["content"]) == []

    household = household_of(merge_household(agent, reviewer, FOUR, settings))
    after = _fetch(phone, tmp_path / "after")
    again = _fetch(phone, tmp_path / "again")

    assert after["households.csv"]["hash"] != before["households.csv"]["hash"]
    rows = _rows(after["households.csv"]["content"])
    assert [row["name"] for row in rows] == [str(household.pk)]
    assert "Budi Santoso" in rows[0]["label"]
    assert "350713••••••0001" in rows[0]["label"]
    assert len(_rows(after["people.csv"]["content"])) == 4
    assert again["households.csv"]["hash"] == after["households.csv"]["hash"]
    assert again["people.csv"]["hash"] == after["people.csv"]["hash"]
