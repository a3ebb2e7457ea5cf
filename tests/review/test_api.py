"""The review queue's API, as a reviewer's script or QGIS would use it (token or session).

The households are stored as intake and the checks leave them (submission, answers,
photo, review item, findings); the decisions and corrections go through the API to the
services. The PPLS questionnaire is compiled once per test process.
"""

import functools
import hashlib
import itertools
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

import forms.versions
from accounts.api_tokens import issue_api_token
from accounts.models import Role
from areas.models import Area
from audit.models import AuditRecord
from forms.models import FormVersion, Questionnaire
from forms.questionnaire_source import build_xlsx
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from forms.xlsform import CompiledForm, compile_xlsform
from intake.demo_submissions import instance_xml
from intake.models import Attachment, Submission
from review.errors import ItemNotFound
from review.models import Finding, PersonKey, ReviewItem
from tests.factories import make_user
from tests.review.review_households import (
    KEPANJEN,
    KEPANJEN_TOWN,
    PAGELARAN,
    TALANGAGUNG,
    Household,
    _answers,
    house_photo,
    send_household,
    the_bar_households,
)

PAGELARAN_VILLAGE = "35.07.33.2001"
PPLS = Path(__file__).resolve().parents[2] / "forms" / "questionnaires" / "ppls_household.yaml"
_photos = itertools.count(20)


@functools.cache
def _ppls_workbook() -> bytes:
    return build_xlsx(PPLS)


@functools.cache
def _ppls_compiled() -> CompiledForm:
    """pyxform and ODK Validate take seconds: the PPLS workbook is compiled once a process."""
    return compile_xlsform(_ppls_workbook())


def _ppls_xform() -> tuple[str, str, str]:
    compiled = _ppls_compiled()
    return compiled.xform_xml, compiled.xform_md5, compiled.version


@pytest.fixture
def ppls(malang) -> Questionnaire:
    district = make_user("district", Role.DISTRICT_STAFF, ["35.07"])
    xform_xml, xform_md5, version = _ppls_xform()
    questionnaire = Questionnaire.objects.create(
        form_id="ppls_household",
        title="PPLS",
        owner_area=Area.objects.get(code="35.07"),
        created_by=district,
    )
    FormVersion.objects.create(
        questionnaire=questionnaire,
        version=version,
        status=FormVersion.Status.PUBLISHED,
        title="PPLS",
        xlsform="forms/ppls_household.xlsx",
        xlsform_filename="ppls_household.xlsx",
        xlsform_sha256="0" * 64,
        xform_xml=xform_xml,
        xform_md5=xform_md5,
        created_by=district,
    )
    return questionnaire


@pytest.fixture
def agent(malang):
    return make_user("agent", Role.FIELD_AGENT, [KEPANJEN_TOWN, TALANGAGUNG])


@pytest.fixture
def pagelaran_agent(malang):
    return make_user("agent_pagelaran", Role.FIELD_AGENT, [PAGELARAN_VILLAGE])


def _api(user) -> APIClient:
    key, _expires = issue_api_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def reviewer(malang):
    return make_user("reviewer", Role.REVIEWER, [KEPANJEN])


@pytest.fixture
def kepanjen(reviewer) -> APIClient:
    return _api(reviewer)


@pytest.fixture
def pagelaran(malang) -> APIClient:
    return _api(make_user("reviewer2", Role.REVIEWER, [PAGELARAN]))


# (check, severity, field, member_index, Indonesian, English)
Found = tuple[str, int, str, int | None, str, str]
SAME_NIK: Found = (
    "nik.duplicate_in_queue",
    3,
    "head/hh_head_nik",
    None,
    "NIK ini juga ada di rumah tangga lain dalam antrean.",
    "This NIK is also in another household of the queue.",
)


def _store(
    questionnaire: Questionnaire, agent, household: Household, findings: tuple[Found, ...] = ()
) -> ReviewItem:
    """A household as intake and the checks leave it: submission, answers, photo, item."""
    version = questionnaire.versions.get()
    answers = _answers(household)
    xml = instance_xml(version, answers, household.instance_id)
    submission = Submission.objects.create(
        questionnaire=questionnaire,
        form_version=version,
        instance_id=household.instance_id,
        xml=xml,
        xml_sha256=hashlib.sha256(xml).hexdigest(),
        status=Submission.Status.COMPLETE,
        area=Area.objects.get(code=household.village),
        submitted_by=agent,
        answers=answers,
        processed_at=timezone.now(),
    )
    photo = household.photo or house_photo(next(_photos))
    attachment = Attachment(
        submission=submission,
        filename="house.jpg",
        content_type="image/jpeg",
        size=len(photo),
        sha256=hashlib.sha256(photo).hexdigest(),
    )
    attachment.file.save("house.jpg", ContentFile(photo), save=False)
    attachment.save()
    latitude, longitude = (float(part) for part in household.gps.split()[:2])
    name, nik, _sex, _born = household.head
    item = ReviewItem.objects.create(
        submission=submission,
        questionnaire=questionnaire,
        form_version=version,
        kecamatan_code=".".join(household.village.split(".")[:3]),
        village_code=household.village,
        area=submission.area,
        agent=agent,
        received_at=submission.received_at,
        head_name=name,
        head_name_key=name.lower(),
        head_nik=nik,
        kk_number=household.kk,
        location=Point(longitude, latitude, srid=4326),
        location_accuracy_m=5.0,
        findings_count=len(findings),
        worst_severity=max((found[1] for found in findings), default=0),
        checks_version=1,
        checked_at=timezone.now(),
    )
    PersonKey.objects.create(item=item, submission=submission, nik=nik, name_key=name.lower())
    for check, severity, field, member_index, message_id, message_en in findings:
        Finding.objects.create(
            item=item,
            submission=submission,
            check_name=check,
            severity=severity,
            field=field,
            member_index=member_index,
            message_id=message_id,
            message_en=message_en,
        )
    return item


@pytest.fixture
def households(ppls, agent, pagelaran_agent):
    """Two Kepanjen households sharing a head's NIK, one in Kepanjen town, one in Pagelaran.

    Slamet's second visit also has the first's photo; the Pagelaran household is a
    possible duplicate of Dewi's (a finding whose other household Kepanjen may not see).
    """
    slamet = _store(
        ppls,
        agent,
        Household(
            instance="slamet",
            head=("Slamet Riyadi", "3507130203650004", "male", "1965-03-02"),
            members=[("Sulastri", "3507134711680005", "female", "1968-11-07", "spouse")],
            gps="-8.1321 112.5698 418 4",
            kk="3507130101090002",
            photo=house_photo(3),
        ),
        findings=(SAME_NIK,),
    )
    again = _store(
        ppls,
        agent,
        Household(
            instance="slamet-again",
            head=("Slamet Riyadi", "3507130203650004", "male", "1965-03-12"),
            gps="-8.1322 112.5699 418 4",
            kk="3507130101090003",
            photo=house_photo(3, size=(480, 360), quality=60),
        ),
        findings=(
            SAME_NIK,
            (
                "nik.birth_date",
                2,
                "members/birth_date",
                0,
                "Tanggal lahir tidak sama dengan NIK (2 Maret 1965).",
                "The birth date does not match the NIK (2 March 1965).",
            ),
        ),
    )
    dewi = _store(
        ppls,
        agent,
        Household(
            instance="dewi",
            village=KEPANJEN_TOWN,
            head=("Dewi Sartika", "3507135507790006", "female", "1979-07-15"),
            gps="-8.1302 112.5721 421 6",
            kk="3507130101090004",
            photo=house_photo(7),
        ),
    )
    far = _store(
        ppls,
        pagelaran_agent,
        Household(
            instance="pagelaran",
            village=PAGELARAN_VILLAGE,
            head=("Sri Wahyuni", "3507334101700008", "female", "1970-01-01"),
            gps="-8.1930 112.6100 400 5",
            kk="3507330101090005",
            photo=house_photo(11),
        ),
    )
    for item, other in ((slamet, again), (again, slamet)):
        Finding.objects.filter(item=item, check_name=SAME_NIK[0]).update(related_item=other)
    Finding.objects.create(
        item=dewi,
        submission_id=dewi.submission_id,
        check_name="household.duplicate",
        severity=2,
        field="head/hh_head_name",
        message_id="Mungkin rumah tangga yang sama dengan rumah tangga lain.",
        message_en="Possibly the same household as another one.",
        related_item=far,
    )
    ReviewItem.objects.filter(pk=dewi.pk).update(findings_count=1, worst_severity=2)
    dewi.refresh_from_db()
    return {"slamet": slamet, "again": again, "dewi": dewi, "pagelaran": far}


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


# --- the list --------------------------------------------------------------------------


def test_a_reviewer_lists_the_submissions_of_her_kecamatan_only(kepanjen, households):
    response = kepanjen.get("/api/v1/submissions/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert _ids(response) == {
        households["slamet"].pk,
        households["again"].pk,
        households["dewi"].pk,
    }
    row = next(r for r in body["results"] if r["id"] == households["slamet"].pk)
    assert row["instance_id"] == households["slamet"].submission.instance_id
    assert row["form_id"] == "ppls_household"
    assert row["version"] == 1
    assert row["village"] == TALANGAGUNG
    assert row["review_state"] == "received"
    assert row["received_at"]
    assert row["findings_count"] >= 1  # the head's NIK in another household of the queue


def test_the_pagelaran_reviewer_lists_only_pagelaran(pagelaran, households):
    assert _ids(pagelaran.get("/api/v1/submissions/")) == {households["pagelaran"].pk}


def test_the_list_is_paginated(kepanjen, households):
    first = kepanjen.get("/api/v1/submissions/", {"limit": 2}).json()
    rest = kepanjen.get("/api/v1/submissions/", {"limit": 2, "offset": 2}).json()

    assert first["count"] == 3 and first["count_is_exact"] is True
    assert len(first["results"]) == 2
    assert first["next"] and first["previous"] is None
    assert len(rest["results"]) == 1 and rest["next"] is None
    seen = {r["id"] for r in first["results"]} | {r["id"] for r in rest["results"]}
    assert len(seen) == 3


def test_a_long_queue_says_its_count_is_not_exact_beyond_the_cap(kepanjen, households, monkeypatch):
    import review.queue_totals

    monkeypatch.setattr(review.queue_totals, "COUNT_CAP", 2)
    monkeypatch.setattr(review.queue_totals.count_queue, "__kwdefaults__", {"cap": 2})

    listing = kepanjen.get("/api/v1/submissions/", {"limit": 2}).json()
    points = kepanjen.get("/api/v1/submissions.geojson", {"page_size": 2}).json()

    assert (listing["count"], listing["count_is_exact"]) == (2, False)
    assert len(listing["results"]) == 2 and listing["next"]
    assert points["count"] == 2


def test_the_queues_filters_are_query_parameters(kepanjen, households, agent):
    slamet, again, dewi = households["slamet"], households["again"], households["dewi"]

    def ids(**params):
        return _ids(kepanjen.get("/api/v1/submissions/", params))

    assert ids(village=KEPANJEN_TOWN) == {dewi.pk}
    assert ids(q="3507130203650004") == {slamet.pk, again.pk}
    assert ids(q="3507135507790006") == {dewi.pk}
    assert ids(questionnaire="ppls_household") == {slamet.pk, again.pk, dewi.pk}
    assert ids(questionnaire="complaint") == set()
    assert ids(agent="agent") == {slamet.pk, again.pk, dewi.pk}
    assert ids(agent="agent_pagelaran") == set()
    assert ids(review_state="approved") == set()
    assert ids(review_state="received,approved") == {slamet.pk, again.pk, dewi.pk}
    assert ids(received_after="2999-01-01") == set()
    assert ids(received_before="2000-01-01") == set()
    assert ids(received_after=timezone.localdate().isoformat()) == {slamet.pk, again.pk, dewi.pk}
    assert ids(check="nik.duplicate_in_queue") == {slamet.pk, again.pk}
    assert ids(check="nik.birth_date", severity="warning") == {again.pk}
    assert ids(check="nik.birth_date", severity="error") == set()
    assert ids(severity="error") == ids(severity="3") == {slamet.pk, again.pk}
    assert ids(severity="warning") == {slamet.pk, again.pk, dewi.pk}
    assert ids(severity="none") == set()


def test_the_list_searches_heads_by_name_tolerant_of_spelling(kepanjen, households):
    pytest.importorskip("foundation.names")
    found = _ids(kepanjen.get("/api/v1/submissions/", {"q": "Slamet Riyadi"}))
    assert found == {households["slamet"].pk, households["again"].pk}


def test_the_list_is_sorted_as_asked(kepanjen, households):
    newest = kepanjen.get("/api/v1/submissions/", {"order": "-received"}).json()["results"]
    oldest = kepanjen.get("/api/v1/submissions/", {"order": "received"}).json()["results"]

    assert [row["id"] for row in newest] == [row["id"] for row in reversed(oldest)]


def test_filters_never_reach_outside_ones_areas(kepanjen, households):
    assert _ids(kepanjen.get("/api/v1/submissions/", {"village": PAGELARAN_VILLAGE})) == set()
    assert _ids(kepanjen.get("/api/v1/submissions/", {"q": "3507334101700008"})) == set()


def test_a_monitor_sees_no_submission(malang, households):
    monitor = _api(make_user("monitor", Role.MONITOR, ["35"]))

    listing = monitor.get("/api/v1/submissions/")
    detail = monitor.get(f"/api/v1/submissions/{households['slamet'].pk}/")

    assert listing.status_code == 200 and listing.json()["count"] == 0
    assert detail.status_code == 404


def test_a_field_agent_lists_what_she_sent(agent, pagelaran_agent, households):
    assert _ids(_api(pagelaran_agent).get("/api/v1/submissions/")) == {households["pagelaran"].pk}
    assert len(_ids(_api(agent).get("/api/v1/submissions/"))) == 3


# --- one submission --------------------------------------------------------------------


def test_the_detail_has_labelled_answers_files_findings_versions_and_history(kepanjen, households):
    slamet = households["slamet"]

    response = kepanjen.get(f"/api/v1/submissions/{slamet.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == slamet.pk and body["review_state"] == "received"
    head = next(node for node in body["answers"] if node["path"] == "head")
    assert head["label"] == "Head of household"
    nik = next(n for n in head["children"] if n["path"] == "head/hh_head_nik")
    assert nik["label"] == "NIK of the head of household"
    assert nik["value"] == "350713••••••0004"  # masked (Law 27/2022); a reveal shows it
    place = next(node for node in body["answers"] if node["path"] == "place")
    village = next(n for n in place["children"] if n["path"] == "place/village")
    assert village["display"] == "Talangagung"
    members = next(node for node in body["answers"] if node["path"] == "members")
    assert [row[0]["value"] for row in members["rows"]] == ["Slamet Riyadi", "Sulastri"]
    sex = next(cell for cell in members["rows"][1] if cell["path"] == "members/sex")
    assert sex["display"] == "Female"

    [photo] = body["attachments"]
    assert photo["filename"] == "house.jpg"
    assert photo["url"] == f"/api/v1/submissions/{slamet.pk}/files/house.jpg"

    duplicate = next(f for f in body["findings"] if f["check"] == "nik.duplicate_in_queue")
    assert set(duplicate) >= {"check", "severity", "field", "member_index", "message"}
    assert duplicate["severity"] in ("info", "warning", "error")
    assert duplicate["field"] in ("head/hh_head_nik", "members/nik")
    assert duplicate["message"]

    assert [v["kind"] for v in body["versions"]] == ["submission"]
    assert body["versions"][0]["is_current"] is True
    assert body["history"] == []


def test_the_detail_speaks_indonesian_when_asked(kepanjen, households):
    body = kepanjen.get(
        f"/api/v1/submissions/{households['slamet'].pk}/", HTTP_ACCEPT_LANGUAGE="id"
    ).json()

    head = next(node for node in body["answers"] if node["path"] == "head")
    assert head["label"] == "Kepala rumah tangga"
    duplicate = next(f for f in body["findings"] if f["check"] == "nik.duplicate_in_queue")
    english = kepanjen.get(
        f"/api/v1/submissions/{households['slamet'].pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    duplicate_en = next(f for f in english["findings"] if f["check"] == "nik.duplicate_in_queue")
    assert duplicate["message"] != duplicate_en["message"]


def test_a_duplicate_is_linked_only_when_the_reader_may_see_the_other_household(
    kepanjen, malang, households
):
    coordinator = _api(make_user("coordinator", Role.COORDINATOR, ["35.07"]))
    url = f"/api/v1/submissions/{households['dewi'].pk}/"

    [seen_by_kepanjen] = kepanjen.get(url).json()["findings"]
    [seen_by_coordinator] = coordinator.get(url).json()["findings"]
    slamet = kepanjen.get(f"/api/v1/submissions/{households['slamet'].pk}/").json()

    assert seen_by_kepanjen["check"] == "household.duplicate"
    assert seen_by_kepanjen["related_item"] is None  # Pagelaran's household: not hers
    assert seen_by_coordinator["related_item"] == households["pagelaran"].pk
    assert slamet["findings"][0]["related_item"] == households["again"].pk


def test_the_attachment_url_serves_the_photo_to_the_token_holder_only_in_her_areas(
    reviewer, pagelaran, households
):
    api = _api(reviewer)
    body = api.get(f"/api/v1/submissions/{households['slamet'].pk}/").json()
    url = body["attachments"][0]["url"]

    photo = api.get(url)
    thumbnail = api.get(body["attachments"][0]["thumbnail_url"] or url)

    assert photo.status_code == 200 and photo["X-Content-Type-Options"] == "nosniff"
    assert b"".join(photo.streaming_content)[:2] == b"\xff\xd8"
    assert thumbnail.status_code == 200
    assert APIClient().get(url).status_code in (401, 403)  # no token, no photo
    outside = pagelaran.get(url)
    assert outside.status_code == 404
    assert outside.json() == pagelaran.get("/api/v1/submissions/999999/").json()
    missing = api.get(url.replace("house.jpg", "other.jpg"))
    assert missing.status_code == 404 and missing.json()["code"] == "attachment_not_found"


def test_outside_ones_areas_a_submission_is_the_same_404_as_an_unknown_id(
    kepanjen, pagelaran, households
):
    outside = pagelaran.get(f"/api/v1/submissions/{households['slamet'].pk}/")
    unknown = pagelaran.get("/api/v1/submissions/999999/")

    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    assert set(outside.json()) == {"code", "detail"}
    # And the same from the other side.
    assert kepanjen.get(f"/api/v1/submissions/{households['pagelaran'].pk}/").status_code == 404


def test_refusals_are_in_the_requests_language(pagelaran, households):
    english = pagelaran.get("/api/v1/submissions/999999/", HTTP_ACCEPT_LANGUAGE="en").json()
    indonesian = pagelaran.get("/api/v1/submissions/999999/", HTTP_ACCEPT_LANGUAGE="id").json()

    assert english["code"] == indonesian["code"] == "item_not_found"
    assert english["detail"] == "There is no such submission in your review queue."
    with translation.override("id"):
        assert indonesian["detail"] == ItemNotFound().detail


def test_a_field_agent_reads_her_own_but_not_anothers(agent, pagelaran_agent, households):
    own = _api(agent).get(f"/api/v1/submissions/{households['slamet'].pk}/")
    other = _api(pagelaran_agent).get(f"/api/v1/submissions/{households['slamet'].pk}/")

    assert own.status_code == 200
    assert other.status_code == 404


def test_without_a_token_the_queue_answers_401(households):
    response = APIClient().get("/api/v1/submissions/")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "detail"}


def test_a_signed_in_browser_session_reads_the_api(reviewer, households):
    browser = Client()
    browser.force_login(reviewer)
    assert browser.get("/api/v1/submissions/").json()["count"] == 3


# --- decisions -------------------------------------------------------------------------


def _review(client, item, **data):
    return client.post(f"/api/v1/submissions/{item.pk}/review/", data, format="json")


def test_a_reviewer_approves_and_the_history_and_audit_say_so(kepanjen, households):
    dewi = households["dewi"]

    response = _review(kepanjen, dewi, review_state="approved", version=1)

    assert response.status_code == 200, response.content
    assert response.json()["review_state"] == "approved"
    assert response.json()["version"] == 2
    dewi.refresh_from_db()
    assert dewi.state == "approved" and dewi.decided_by.username == "reviewer"
    history = kepanjen.get(f"/api/v1/submissions/{dewi.pk}/").json()["history"]
    assert [(h["state_before"], h["state_after"], h["decided_by"]) for h in history] == [
        ("received", "approved", "reviewer")
    ]
    record = AuditRecord.objects.get(action="review.approved")
    assert record.source == f"api POST /api/v1/submissions/{dewi.pk}/review/"


def test_an_approval_through_the_api_keeps_its_comment(kepanjen, households):
    dewi = households["dewi"]
    response = _review(kepanjen, dewi, review_state="approved", comment="Seen at home.", version=1)
    assert response.status_code == 200, response.content
    history = kepanjen.get(f"/api/v1/submissions/{dewi.pk}/").json()["history"]
    assert history[0]["comment"] == "Seen at home."


def test_a_reviewer_rejects_with_a_reason_and_sends_back_with_a_comment(kepanjen, households):
    rejected = _review(
        kepanjen,
        households["again"],
        review_state="rejected",
        reason="duplicate",
        comment="Same household as Slamet's first visit.",
        version=1,
    )
    sent_back = _review(
        kepanjen,
        households["slamet"],
        review_state="has_issues",
        comment="Check the head's birth date.",
        version=1,
    )

    assert rejected.status_code == 200 and rejected.json()["review_state"] == "rejected"
    assert sent_back.status_code == 200 and sent_back.json()["review_state"] == "has_issues"
    households["again"].refresh_from_db()
    assert households["again"].reason == "duplicate"
    households["slamet"].refresh_from_db()
    assert households["slamet"].comment == "Check the head's birth date."


def test_a_decision_on_a_version_that_moved_on_is_a_409(kepanjen, malang, households):
    other = _api(make_user("reviewer_b", Role.REVIEWER, [KEPANJEN]))
    dewi = households["dewi"]
    assert _review(other, dewi, review_state="approved", version=1).status_code == 200

    late = _review(kepanjen, dewi, review_state="has_issues", comment="Too late", version=1)

    assert late.status_code == 409
    assert late.json()["code"] == "review_moved_on"
    assert late.json()["detail"]
    dewi.refresh_from_db()
    assert dewi.state == "approved" and dewi.version == 2


def test_a_decision_needs_its_reason_or_comment(kepanjen, households):
    no_reason = _review(kepanjen, households["dewi"], review_state="rejected", version=1)
    bad_reason = _review(
        kepanjen, households["dewi"], review_state="rejected", reason="bored", version=1
    )
    no_comment = _review(kepanjen, households["dewi"], review_state="has_issues", version=1)
    bad_state = _review(kepanjen, households["dewi"], review_state="edited", version=1)
    no_version = _review(kepanjen, households["dewi"], review_state="approved")

    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "reject_reason_unknown"
    assert bad_reason.status_code == 400 and "reason" in bad_reason.json()["field_errors"]
    assert no_comment.status_code == 422 and no_comment.json()["code"] == "comment_required"
    assert bad_state.status_code == 400 and "review_state" in bad_state.json()["field_errors"]
    assert no_version.status_code == 400 and "version" in no_version.json()["field_errors"]
    households["dewi"].refresh_from_db()
    assert households["dewi"].state == "received" and households["dewi"].version == 1


def test_a_field_agent_may_read_but_not_decide(agent, households):
    response = _review(_api(agent), households["dewi"], review_state="approved", version=1)

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    households["dewi"].refresh_from_db()
    assert households["dewi"].state == "received"


def test_a_coordinator_reads_but_does_not_decide(malang, households):
    coordinator = _api(make_user("coordinator", Role.COORDINATOR, ["35.07"]))

    assert coordinator.get(f"/api/v1/submissions/{households['dewi'].pk}/").status_code == 200
    refused = _review(coordinator, households["dewi"], review_state="approved", version=1)
    assert refused.status_code == 403


def test_a_reviewer_cannot_decide_outside_her_kecamatan(pagelaran, households):
    response = _review(pagelaran, households["dewi"], review_state="approved", version=1)
    unknown = pagelaran.post(
        "/api/v1/submissions/999999/review/",
        {"review_state": "approved", "version": 1},
        format="json",
    )

    assert response.status_code == 404
    assert response.json() == unknown.json()
    households["dewi"].refresh_from_db()
    assert households["dewi"].state == "received"


# --- corrections -----------------------------------------------------------------------


def _correct(client, item, **data):
    return client.post(f"/api/v1/submissions/{item.pk}/corrections/", data, format="json")


def test_a_reviewer_corrects_a_members_birth_date_with_a_reason(kepanjen, households):
    again = households["again"]  # the head's NIK says 2 March 1965; the answer, 12 March

    response = _correct(
        kepanjen,
        again,
        field="members/birth_date",
        member_index=0,
        value="1965-03-02",
        reason="The KTP shows 2 March.",
        version=1,
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1
    assert body["changes"] == [
        {
            "field": "members/birth_date",
            "member_index": 0,
            "before": "1965-03-12",
            "after": "1965-03-02",
        }
    ]
    assert body["created_by"] == "reviewer"
    assert body["item"]["version"] == 2
    assert AuditRecord.objects.filter(action="review.answer_corrected").count() == 1


def test_a_correction_is_a_new_version_of_the_answers(kepanjen, households):
    slamet = households["slamet"]

    response = _correct(
        kepanjen,
        slamet,
        field="head/hh_head_name",
        value="Slamet Riyadi Putra",
        reason="Full name from the KK.",
        version=1,
    )

    assert response.status_code == 201, response.content
    assert response.json()["changes"] == [
        {
            "field": "head/hh_head_name",
            "member_index": None,
            "before": "Slamet Riyadi",
            "after": "Slamet Riyadi Putra",
        }
    ]
    detail = kepanjen.get(f"/api/v1/submissions/{slamet.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    head = next(node for node in detail["answers"] if node["path"] == "head")
    name = next(n for n in head["children"] if n["path"] == "head/hh_head_name")
    assert name["value"] == "Slamet Riyadi Putra"
    assert [v["kind"] for v in detail["versions"]] == ["submission", "correction"]
    correction = detail["versions"][1]
    assert correction["is_current"] and correction["reason"] == "Full name from the KK."
    assert correction["by"] == "reviewer"
    assert detail["versions"][0]["is_current"] is False
    assert detail["version"] == 2


def test_a_correction_on_a_version_that_moved_on_is_a_409(kepanjen, households):
    slamet = households["slamet"]
    assert _review(kepanjen, slamet, review_state="has_issues", comment="x", version=1)

    late = _correct(
        kepanjen, slamet, field="head/hh_head_name", value="S. Riyadi", reason="r", version=1
    )

    assert late.status_code == 409 and late.json()["code"] == "review_moved_on"


def test_a_correction_needs_a_question_of_the_form_and_a_reason(kepanjen, agent, households):
    slamet = households["slamet"]

    unknown_field = _correct(
        kepanjen, slamet, field="head/shoe_size", value="42", reason="r", version=1
    )
    no_reason = _correct(kepanjen, slamet, field="head/hh_head_name", value="S", version=1)
    by_agent = _correct(
        _api(agent), slamet, field="head/hh_head_name", value="S", reason="r", version=1
    )

    assert unknown_field.status_code == 422
    assert unknown_field.json()["code"] == "field_not_correctable"
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["field_errors"]
    assert by_agent.status_code == 403


# --- GeoJSON ---------------------------------------------------------------------------


def test_the_geojson_is_the_points_a_user_may_see(kepanjen, households):
    response = kepanjen.get("/api/v1/submissions.geojson")

    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["count"] == 3
    features = {feature["id"]: feature for feature in body["features"]}
    assert set(features) == {
        households["slamet"].pk,
        households["again"].pk,
        households["dewi"].pk,
    }
    slamet = features[households["slamet"].pk]
    assert slamet["type"] == "Feature"
    assert slamet["geometry"]["type"] == "Point"
    longitude, latitude = slamet["geometry"]["coordinates"][:2]
    assert (round(latitude, 4), round(longitude, 4)) == (-8.1321, 112.5698)
    assert slamet["properties"] == {
        "id": households["slamet"].pk,
        "village": TALANGAGUNG,
        "state": "received",
        "form": "ppls_household",
    }


def test_the_geojson_takes_the_queues_filters_and_pages(kepanjen, pagelaran, households):
    town = kepanjen.get("/api/v1/submissions.geojson", {"village": KEPANJEN_TOWN}).json()
    paged = kepanjen.get("/api/v1/submissions.geojson", {"page_size": 2}).json()
    pagelaran_map = pagelaran.get("/api/v1/submissions.geojson").json()

    assert [f["id"] for f in town["features"]] == [households["dewi"].pk]
    assert len(paged["features"]) == 2 and paged["next"]
    assert [f["id"] for f in pagelaran_map["features"]] == [households["pagelaran"].pk]


# --- cost ------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_lists_cost_the_same_queries_for_more_households(kepanjen, ppls, agent, households):
    before = {
        url: _queries(kepanjen, url)
        for url in ("/api/v1/submissions/", "/api/v1/submissions.geojson")
    }
    for number in range(4):
        _store(ppls, agent, Household(instance=f"more-{number}"), findings=(SAME_NIK,))

    for url, count in before.items():
        assert _queries(kepanjen, url) == count
    assert before["/api/v1/submissions/"] <= 6


def test_the_detail_asks_a_bounded_number_of_queries(
    kepanjen, households, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        response = kepanjen.get(f"/api/v1/submissions/{households['again'].pk}/")
    assert response.status_code == 200


def test_an_edit_from_the_phone_and_a_correction_are_versions_in_order(
    kepanjen, ppls, agent, households
):
    again = households["again"]
    assert (
        _correct(
            kepanjen,
            again,
            field="members/birth_date",
            member_index=0,
            value="1965-03-02",
            reason="The KTP shows 2 March.",
            version=1,
        ).status_code
        == 201
    )
    first = again.submission
    edit = Submission.objects.create(
        questionnaire=ppls,
        form_version=first.form_version,
        instance_id="uuid:slamet-again-edit",
        xml=bytes(first.xml),
        xml_sha256=first.xml_sha256,
        status=Submission.Status.COMPLETE,
        area=first.area,
        submitted_by=agent,
        answers=first.answers,
        supersedes=first,
        deprecated_id=first.instance_id,
    )
    Submission.objects.filter(pk=first.pk).update(is_current=False)
    # What review.checking does with an edit: the chain's item shows it, as edited.
    ReviewItem.objects.filter(pk=again.pk).update(
        submission=edit, state="edited", version=3, answers_number=0
    )

    body = kepanjen.get(f"/api/v1/submissions/{again.pk}/").json()

    assert body["review_state"] == "edited" and body["instance_id"] == "uuid:slamet-again-edit"
    assert [(v["kind"], v["instance_id"], v["is_current"]) for v in body["versions"]] == [
        ("submission", first.instance_id, False),
        ("correction", None, False),
        ("submission", "uuid:slamet-again-edit", True),
    ]
    # The edit sent a new photo; the first visit's stays readable, by token.
    new_photo = house_photo(99)
    replaced = Attachment(
        submission=edit,
        filename="house.jpg",
        content_type="image/jpeg",
        size=len(new_photo),
        sha256=hashlib.sha256(new_photo).hexdigest(),
    )
    replaced.file.save("house.jpg", ContentFile(new_photo), save=False)
    replaced.save()
    body = kepanjen.get(f"/api/v1/submissions/{again.pk}/").json()
    [current_file] = body["attachments"]
    [earlier_file] = body["versions"][0]["attachments"]
    assert current_file["url"] == f"/api/v1/submissions/{again.pk}/files/house.jpg"
    assert earlier_file["url"] == current_file["url"] + f"?submission={first.pk}"
    assert b"".join(kepanjen.get(current_file["url"]).streaming_content) == new_photo
    first_photo = Attachment.objects.get(submission=first).file.read()
    assert b"".join(kepanjen.get(earlier_file["url"]).streaming_content) == first_photo
    # Another chain's submission is not reachable through this item.
    other = households["slamet"].submission_id
    assert kepanjen.get(f"{current_file['url']}?submission={other}").status_code == 404
    assert kepanjen.get(f"{current_file['url']}?submission=x").status_code == 404


# --- through intake and the checks ------------------------------------------------------


@pytest.fixture
def published_ppls(malang, monkeypatch):
    """The PPLS questionnaire uploaded, published and deployed as district staff do it."""
    workbook, compiled = _ppls_workbook(), _ppls_compiled()
    compile_for_real = forms.versions.compile_xlsform

    def compile_once(data: bytes, **options):
        return compiled if data == workbook else compile_for_real(data, **options)

    monkeypatch.setattr(forms.versions, "compile_xlsform", compile_once)
    district = make_user("district", Role.DISTRICT_STAFF, ["35.07"])
    version = create_questionnaire(
        workbook=workbook,
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
    return version.questionnaire


def test_households_sent_from_a_phone_reach_the_api_with_their_checks(
    published_ppls, agent, kepanjen, pagelaran, django_capture_on_commit_callbacks
):
    sent = []
    for household in the_bar_households():
        with django_capture_on_commit_callbacks(execute=True):
            sent.append(send_household(agent, household))
    slamet = ReviewItem.objects.get(submission=sent[0])
    again = ReviewItem.objects.get(submission=sent[1])  # the second to arrive is flagged

    listing = kepanjen.get("/api/v1/submissions/", {"check": "nik.duplicate_in_queue"}).json()
    detail = kepanjen.get(f"/api/v1/submissions/{again.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert kepanjen.get("/api/v1/submissions/").json()["count"] == 3
    assert again.pk in {row["id"] for row in listing["results"]}
    checks = {finding["check"] for finding in detail.json()["findings"]}
    assert "nik.duplicate_in_queue" in checks
    assert pagelaran.get(f"/api/v1/submissions/{slamet.pk}/").status_code == 404
    assert pagelaran.get("/api/v1/submissions/").json()["count"] == 0


def test_the_api_masks_identifiers_until_a_reveal_with_a_reason(kepanjen, pagelaran, households):
    slamet = households["slamet"]
    url = f"/api/v1/submissions/{slamet.pk}/"
    body = kepanjen.get(url).content.decode()
    assert "3507130203650004" not in body and "350713••••••0004" in body

    refused = kepanjen.post(f"{url}reveal/", {"reason": "x"}, format="json")
    missing = kepanjen.post(f"{url}reveal/", {}, format="json")
    # As the registry's reveals answer: a reason too short 422, none at all 400.
    assert refused.status_code == 422 and missing.status_code == 400
    shown = kepanjen.post(f"{url}reveal/", {"reason": "Checking his KTP"}, format="json")
    assert shown.status_code == 200 and "3507130203650004" in shown.content.decode()
    assert AuditRecord.objects.filter(action="review.revealed").count() == 1
    outside = pagelaran.post(f"{url}reveal/", {"reason": "Checking his KTP"}, format="json")
    assert outside.status_code == 404
    assert "3507130203650004" not in kepanjen.get(url).content.decode()


def test_reveals_in_the_queue_and_the_registry_share_one_hourly_limit(
    kepanjen, reviewer, households
):
    from registry.reveal import REVEALS_PER_HOUR

    slamet = households["slamet"]
    # Her reveals of registry records this hour, as the registry records them.
    for n in range(REVEALS_PER_HOUR - 1):
        AuditRecord.objects.create(
            at=timezone.now(),
            actor_id=reviewer.pk,
            action="registry.revealed",
            object_type="registry.person",
            object_id=str(n),
            object_label="",
            source="test",
        )
    url = f"/api/v1/submissions/{slamet.pk}/reveal/"
    assert kepanjen.post(url, {"reason": "Checking his KTP"}, format="json").status_code == 200

    refused = kepanjen.post(url, {"reason": "Checking his KTP"}, format="json")

    assert refused.status_code == 429 and refused.json()["code"] == "reveal_rate_limited"
    assert int(refused["Retry-After"]) > 3000
    assert "3507130203650004" not in refused.content.decode()
    assert AuditRecord.objects.filter(action="review.revealed").count() == 1
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(reviewer)
    shown = page.post(f"/submissions/{slamet.pk}/reveal/", {"reason": "Checking his KTP"})
    assert shown.status_code == 429 and int(shown["Retry-After"]) > 3000
    assert "3507130203650004" not in shown.content.decode()
