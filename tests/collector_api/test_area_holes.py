"""No phone reaches into another area's submissions, and the village checked is the one stored.

A field agent of Pagelaran and one of Kepanjen send the same household questionnaire;
every path that could touch a stored submission (an edit, a resend that adds files,
a changed resend, the carry-over of an edit's files) answers the Pagelaran agent as if
the Kepanjen household did not exist.
"""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from areas.models import Area
from collector_api.phones import create_access_link
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from intake.models import Attachment, Submission
from intake.queries import submissions_visible_to
from tests.collector_api.test_bad_input import _raw_multipart
from tests.factories import SIMPLE_SURVEY, make_user, xlsform_bytes
from tests.openrosa_fixtures import jpeg

KEPANJEN_HOUSEHOLD = "uuid:aaaaaaaa-0000-4000-8000-000000000001"
PAGELARAN_HOUSEHOLD = "uuid:bbbbbbbb-0000-4000-8000-000000000001"
KEPANJEN_VILLAGE = "35.07.13.2011"  # Talangagung, Kec. Kepanjen
PAGELARAN_VILLAGE = "35.07.33.2007"  # Pagelaran, Kec. Pagelaran


def household_xml(
    *,
    uuid: str,
    villages: list[str] | None = None,
    name: str = "Siti",
    photo: str = "house.jpg",
    deprecated: str | None = None,
    subdistrict: str = "35.07.13",
) -> bytes:
    villages = [KEPANJEN_VILLAGE] if villages is None else villages
    meta = f"<instanceID>{uuid}</instanceID>" + (
        f"<deprecatedID>{deprecated}</deprecatedID>" if deprecated else ""
    )
    return (
        '<?xml version="1.0"?><data xmlns:orx="http://openrosa.org/xforms" id="household" '
        f'version="1"><subdistrict>{subdistrict}</subdistrict>'
        + "".join(f"<village>{village}</village>" for village in villages)
        + f"<hh_head_name>{name}</hh_head_name><location>-8.13 112.57 420 5</location>"
        f"<members><name>{name}</name></members><members><name>Budi</name></members>"
        f"<house_photo>{photo}</house_photo><ktp_photo/><meta>{meta}</meta></data>"
    ).encode()


class Phone:
    """A field agent's phone on an access link: the OpenRosa views through the test client."""

    def __init__(self, user):
        link = create_access_link(user=user, label="test", created_by=user)
        self.client = Client()
        self.prefix = f"/key/{link.token}"

    def post(
        self, xml: bytes, files: dict[str, bytes] | None = None, *, language="en", incomplete=False
    ):
        parts = [("xml_submission_file", "submission.xml", xml)]
        parts += [(name, name, content) for name, content in (files or {}).items()]
        parts += [("*isIncomplete*", None, b"yes")] if incomplete else []
        return self.client.generic(
            "POST",
            f"{self.prefix}/submission?deviceID=test",
            _raw_multipart(*parts),
            content_type="multipart/form-data; boundary=b0undary",
            headers={"accept-language": language},
        )


def message(response) -> str:
    return response.content.decode()


@pytest.fixture
def two_areas(openrosa_setup):
    """The household form deployed to Kec. Kepanjen and Kec. Pagelaran, an agent in each,
    and a reviewer of each."""
    district = openrosa_setup["district"]
    set_deployment(
        questionnaire=openrosa_setup["questionnaire"],
        areas=Area.objects.filter(code__in=["35.07.13", "35.07.33"]),
        user=district,
    )
    pagelaran = make_user("pagelaran", "field_agent", [PAGELARAN_VILLAGE])
    return {
        **openrosa_setup,
        "kepanjen_phone": Phone(openrosa_setup["agent"]),
        "pagelaran": pagelaran,
        "pagelaran_phone": Phone(pagelaran),
        "kepanjen_reviewer": make_user("reviewer", "reviewer", ["35.07.13"]),
        "pagelaran_reviewer": make_user("reviewer2", "reviewer", ["35.07.33"]),
    }


@pytest.fixture
def kepanjen_household(two_areas):
    """A Kepanjen household with its house photo, as the Kepanjen agent sent it."""
    response = two_areas["kepanjen_phone"].post(
        household_xml(uuid=KEPANJEN_HOUSEHOLD), {"house.jpg": jpeg(seed=1)}
    )
    assert response.status_code == 201, message(response)
    return Submission.objects.get(instance_id=KEPANJEN_HOUSEHOLD)


def _unchanged(household: Submission) -> None:
    household.refresh_from_db()
    assert household.is_current and household.area_id == KEPANJEN_VILLAGE
    assert list(household.attachments.values_list("filename", flat=True)) == ["house.jpg"]
    assert Submission.objects.count() == 1
    assert Attachment.objects.count() == 1


# 1. Edits, resends and conflicts across areas


def test_an_edit_of_another_areas_submission_is_as_unknown_and_changes_nothing(
    two_areas, kepanjen_household
):
    phone = two_areas["pagelaran_phone"]
    edit = household_xml(
        uuid=PAGELARAN_HOUSEHOLD,
        villages=[PAGELARAN_VILLAGE],
        subdistrict="35.07.33",
        deprecated=KEPANJEN_HOUSEHOLD,
    )
    response = phone.post(edit)  # no photo: it would have taken over the Kepanjen one
    unknown = phone.post(edit.replace(KEPANJEN_HOUSEHOLD.encode(), b"uuid:nobody-knows-this"))
    assert response.status_code == unknown.status_code == 404
    assert message(response) == message(unknown).replace(
        "uuid:nobody-knows-this", KEPANJEN_HOUSEHOLD
    )
    assert "is not on the server" in message(response)
    _unchanged(kepanjen_household)
    reviewer2 = two_areas["pagelaran_reviewer"]
    assert not submissions_visible_to(reviewer2).exists()

    # The Kepanjen agent's own edit still works, and keeps her photo.
    own = two_areas["kepanjen_phone"].post(
        household_xml(uuid=PAGELARAN_HOUSEHOLD, name="Siti A.", deprecated=KEPANJEN_HOUSEHOLD)
    )
    assert own.status_code == 201, message(own)
    edited = Submission.objects.get(instance_id=PAGELARAN_HOUSEHOLD)
    assert edited.supersedes_id == kepanjen_household.pk
    assert list(edited.attachments.values_list("filename", flat=True)) == ["house.jpg"]


def test_an_edit_of_another_areas_replaced_submission_is_404_not_409(two_areas, kepanjen_household):
    own_edit = household_xml(uuid="uuid:kepanjen-edit-1", deprecated=KEPANJEN_HOUSEHOLD)
    assert two_areas["kepanjen_phone"].post(own_edit).status_code == 201
    foreign_edit = household_xml(
        uuid=PAGELARAN_HOUSEHOLD, villages=[PAGELARAN_VILLAGE], deprecated=KEPANJEN_HOUSEHOLD
    )
    response = two_areas["pagelaran_phone"].post(foreign_edit, language="id")
    assert response.status_code == 404  # "already replaced" would tell her it exists
    assert "tidak ada di server" in message(response)


def test_an_instance_id_of_another_areas_submission_gets_one_neutral_refusal(
    two_areas, kepanjen_household
):
    phone = two_areas["pagelaran_phone"]
    stored = bytes(kepanjen_household.xml)
    answers = []
    for name in ("Siti", "Someone else"):  # the same answers but her village, and others
        xml = household_xml(uuid=KEPANJEN_HOUSEHOLD, villages=[PAGELARAN_VILLAGE], name=name)
        answers.append(phone.post(xml, {"house.jpg": jpeg(seed=7)}))
        answers.append(phone.post(xml, {"house.jpg": jpeg(seed=7)}, language="id"))
    assert [r.status_code for r in answers] == [409] * 4
    english, indonesian = {message(r) for r in answers[::2]}, {message(r) for r in answers[1::2]}
    assert len(english) == len(indonesian) == 1  # nothing tells what the stored one holds
    assert "already used on the server" in english.pop()
    assert "sudah dipakai di server" in indonesian.pop()
    for response in answers:
        assert KEPANJEN_VILLAGE not in message(response) and "Talangagung" not in message(response)
    _unchanged(kepanjen_household)
    assert bytes(Submission.objects.get().xml) == stored
    assert Attachment.objects.get().file.read() == jpeg(seed=1)


def test_an_identical_resend_cannot_add_files_to_another_areas_split_submission(two_areas):
    """Without a village question, a submission's area is its agent's: an identical XML
    sent from another area (a split upload's second part) adds nothing to it."""
    district = two_areas["district"]
    version = create_questionnaire(
        workbook=xlsform_bytes(
            form_id="visit",
            title="Visit",
            survey=[*SIMPLE_SURVEY, {"type": "image", "name": "photo", "label": "Photo"}],
        ),
        filename="visit.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code__in=["35.07.13", "35.07.33"]),
        user=district,
    )
    xml = (
        b'<?xml version="1.0"?><data id="visit" version="1"><hh_head_name>Siti</hh_head_name>'
        b"<members>3</members><photo>visit.jpg</photo>"
        b"<meta><instanceID>uuid:visit-1</instanceID></meta></data>"
    )
    first = two_areas["kepanjen_phone"].post(xml, incomplete=True)  # the photo comes later
    assert first.status_code == 201, message(first)
    visit = Submission.objects.get()
    assert visit.area_id == "35.07.13" and not visit.is_complete

    taken = two_areas["pagelaran_phone"].post(xml, {"visit.jpg": jpeg(seed=5)})
    assert taken.status_code == 409
    assert "already used on the server" in message(taken)
    visit.refresh_from_db()
    assert not visit.is_complete and not visit.attachments.exists()

    rest = two_areas["kepanjen_phone"].post(xml, {"visit.jpg": jpeg(seed=6)})
    assert rest.status_code == 201, message(rest)
    visit.refresh_from_db()
    assert visit.is_complete and visit.attachments.get().file.read() == jpeg(seed=6)


@pytest.mark.postgres_only
def test_the_one_statement_path_refuses_another_areas_instance_id_and_leaves_no_file(
    two_areas, kepanjen_household, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("one statement with data-modifying WITH is PostgreSQL's")
    from pathlib import Path

    from django.test.utils import CaptureQueriesContext

    xml = household_xml(uuid=KEPANJEN_HOUSEHOLD, villages=[PAGELARAN_VILLAGE])
    with CaptureQueriesContext(connection) as captured:
        response = two_areas["pagelaran_phone"].post(xml, {"house.jpg": jpeg(seed=7)})
    assert response.status_code == 409
    tried = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH new_")]
    assert len(tried) == 1  # the one statement was tried, found the instanceID, wrote nothing
    assert "already used on the server" in message(response)
    _unchanged(kepanjen_household)
    stored = [p for p in (Path(settings.MEDIA_ROOT) / "submissions").rglob("*") if p.is_file()]
    assert [p.name for p in stored if "thumb" not in p.name] == ["house.jpg"]


# 2. The village checked is the village stored


def test_a_village_answered_twice_is_refused_whatever_the_order(two_areas):
    phone = two_areas["kepanjen_phone"]
    for villages in ([KEPANJEN_VILLAGE, PAGELARAN_VILLAGE], [PAGELARAN_VILLAGE, KEPANJEN_VILLAGE]):
        xml = household_xml(uuid="uuid:twice", villages=villages)
        response = phone.post(xml, {"house.jpg": jpeg()})
        assert response.status_code == 400
        assert "“village” more than once" in message(response)
        indonesian = phone.post(xml, {"house.jpg": jpeg()}, language="id")
        assert "“village” lebih dari sekali" in message(indonesian)
    assert not Submission.objects.exists() and not Attachment.objects.exists()


def test_two_place_groups_are_refused_and_the_answers_hold_the_village_checked(two_areas):
    """The example of the issue: a village question inside a group, the group sent twice."""
    district = two_areas["district"]
    survey = [
        {"type": "begin_group", "name": "place", "label": "Place"},
        {
            "type": "select_one_from_file srs_areas.csv",
            "name": "village",
            "label": "Village",
            "choice_filter": "level='village'",
        },
        {"type": "end_group", "name": "place"},
        {"type": "text", "name": "hh_head_name", "label": "Head"},
    ]
    version = create_questionnaire(
        workbook=xlsform_bytes(form_id="placed", title="Placed", survey=survey),
        filename="placed.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    version.refresh_from_db()
    assert version.area_field == "place/village"
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code__in=["35.07.13", "35.07.33"]),
        user=district,
    )

    def placed(*villages: str, uuid: str = "uuid:placed-1") -> bytes:
        places = "".join(f"<place><village>{v}</village></place>" for v in villages)
        return (
            f'<data id="placed" version="1">{places}<hh_head_name>Siti</hh_head_name>'
            f"<meta><instanceID>{uuid}</instanceID></meta></data>"
        ).encode()

    phone = two_areas["kepanjen_phone"]
    twice = phone.post(placed(KEPANJEN_VILLAGE, PAGELARAN_VILLAGE))
    assert twice.status_code == 400 and "“place” more than once" in message(twice)
    assert not Submission.objects.exists()

    once = phone.post(placed(KEPANJEN_VILLAGE))
    assert once.status_code == 201, message(once)
    submission = Submission.objects.get()
    assert submission.area_id == KEPANJEN_VILLAGE
    assert submission.answers["place"]["village"] == submission.area_id


def test_a_submission_without_its_village_is_refused(two_areas):
    phone = two_areas["kepanjen_phone"]
    for villages in ([], [""]):
        xml = household_xml(uuid="uuid:nowhere", villages=villages)
        if villages:
            assert b"<village></village>" in xml
        response = phone.post(xml, {"house.jpg": jpeg()})
        assert response.status_code == 400
        assert "does not say which village" in message(response)
        assert "“village”" in message(response)
        indonesian = phone.post(xml, {"house.jpg": jpeg()}, language="id")
        assert "tidak menyebutkan desanya" in message(indonesian)
    assert not Submission.objects.exists() and not Attachment.objects.exists()


def test_a_village_not_hers_is_named_and_an_unknown_code_is_called_unknown(two_areas):
    phone = two_areas["kepanjen_phone"]
    foreign = household_xml(uuid="uuid:far", villages=["35.07.33.2001"])
    response = phone.post(foreign, {"house.jpg": jpeg()})
    assert response.status_code == 403
    assert message(response).count("Clumprit") == 1 and "35.07.33.2001" in message(response)
    assert "is not one of your villages" in message(response)
    assert "Kepanjen (35.07.13.1010), Talangagung (35.07.13.2011)" in message(response)
    indonesian = phone.post(foreign, {"house.jpg": jpeg()}, language="id")
    assert "Desa “Clumprit” (35.07.33.2001) bukan salah satu desa Anda" in message(indonesian)

    unknown = household_xml(uuid="uuid:nowhere", villages=["35.07.13.9999"])
    response = phone.post(unknown, {"house.jpg": jpeg()})
    assert response.status_code == 400
    assert "“35.07.13.9999” is unknown to the server" in message(response)
    indonesian = phone.post(unknown, {"house.jpg": jpeg()}, language="id")
    assert "“35.07.13.9999” tidak dikenal server" in message(indonesian)
    assert not Submission.objects.exists() and not Attachment.objects.exists()


def test_the_answers_refuse_what_the_request_would_have_refused(two_areas, kepanjen_household):
    """A stored XML read again by processing follows the request's rule (one reader)."""
    from intake.answers import derive_answers

    twice = household_xml(uuid=KEPANJEN_HOUSEHOLD, villages=[KEPANJEN_VILLAGE, PAGELARAN_VILLAGE])
    Submission.objects.update(xml=twice, answers=None, processed_at=None)
    derived = derive_answers(submission_ids=[kepanjen_household.pk])
    assert derived.done == [] and "question_answered_twice" in derived.failed[kepanjen_household.pk]


# 3. A form without an area question: the submission belongs to its agent's area


@pytest.fixture
def generic_form(two_areas):
    district = two_areas["district"]
    version = create_questionnaire(
        workbook=xlsform_bytes(form_id="generic", title="Generic", survey=SIMPLE_SURVEY),
        filename="generic.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=Area.objects.filter(code__in=["35.07.13", "35.07.33"]),
        user=district,
    )
    return version


def _generic_xml(uuid: str) -> bytes:
    return (
        f'<data id="generic" version="1"><hh_head_name>Siti</hh_head_name><members>3</members>'
        f"<meta><instanceID>{uuid}</instanceID></meta></data>"
    ).encode()


def _pages_show(user, submission: Submission) -> bool:
    """Does the review queue list the submission for ``user``, and open its page?"""
    from intake.processing import process_submission
    from review.checking import check_submissions
    from review.models import ReviewItem

    # What the worker does after the commit (the test's transaction never commits).
    process_submission(submission_id=submission.pk)
    check_submissions([submission.pk])
    item = ReviewItem.objects.get(submission_id=submission.pk)
    client = Client()
    client.force_login(user)
    listed = client.get(reverse("submissions:list"))
    detail = client.get(reverse("submissions:detail", args=[item.pk]))
    assert listed.status_code == 200
    link = reverse("submissions:detail", args=[item.pk])
    assert (link in listed.content.decode()) == (detail.status_code == 200)
    return detail.status_code == 200


def test_a_generic_form_from_a_kepanjen_agent_is_seen_by_the_kepanjen_reviewer_only(
    two_areas, generic_form
):
    response = two_areas["kepanjen_phone"].post(_generic_xml("uuid:generic-1"))
    assert response.status_code == 201, message(response)
    submission = Submission.objects.get()
    assert generic_form.area_field == ""
    assert submission.area_id == "35.07.13"  # she collects in two villages of Kec. Kepanjen
    assert _pages_show(two_areas["kepanjen_reviewer"], submission)
    assert not _pages_show(two_areas["pagelaran_reviewer"], submission)
    assert _pages_show(two_areas["agent"], submission)
    assert not _pages_show(two_areas["pagelaran"], submission)


def test_a_generic_form_from_an_agent_of_one_village_belongs_to_her_village(
    two_areas, generic_form
):
    response = two_areas["pagelaran_phone"].post(_generic_xml("uuid:generic-2"))
    assert response.status_code == 201, message(response)
    submission = Submission.objects.get()
    assert submission.area_id == PAGELARAN_VILLAGE
    assert _pages_show(two_areas["pagelaran_reviewer"], submission)
    assert not _pages_show(two_areas["kepanjen_reviewer"], submission)
    assert _pages_show(two_areas["pagelaran"], submission)
