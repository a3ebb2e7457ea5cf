"""Testing a draft on a phone, as ODK Central's draft QR does: district staff create a
draft test link, a phone (odk-client) gets only the draft from ``/draft/<token>/``,
fills and sends it; the test stays with the draft, never in intake, the queue or the
registry, and disappears with the link when the draft is published."""

import re
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditRecord
from collector_api.models import DraftTestLink
from forms.models import DraftTestSubmission, FormVersion
from forms.versions import upload_form_version
from intake.models import Submission
from tests.factories import make_user, xlsform_bytes
from tests.odk import Collector, fill
from tests.openrosa_fixtures import HOUSEHOLD_SURVEY, household_answers

pytestmark = pytest.mark.odk

DRAFT_SURVEY = [
    *HOUSEHOLD_SURVEY,
    {
        "type": "integer",
        "name": "rooms",
        "label::Indonesian (id)": "Jumlah kamar",
        "label::English (en)": "Number of rooms",
    },
]
GONE = "This draft is no longer being tested."


@pytest.fixture
def draft(openrosa_setup) -> FormVersion:
    """Household version 1 is published and deployed; version 2 is a draft with one question more."""
    return upload_form_version(
        questionnaire=openrosa_setup["questionnaire"],
        workbook=xlsform_bytes(
            form_id="household", version="2", title="Household", survey=DRAFT_SURVEY
        ),
        filename="household-2.xlsx",
        user=openrosa_setup["district"],
    )


@pytest.fixture
def district_web(openrosa_setup) -> Client:
    client = Client()
    client.force_login(openrosa_setup["district"])
    client.post(reverse("set_language"), {"language": "en"})
    return client


def _create_link(client: Client, live_url: str) -> str:
    """Create a draft test link on its page; returns the phone's server URL from the page."""
    created = client.post(reverse("phones:draft_test_create", args=["household", "2"]))
    assert created.status_code == 302
    page = client.get(created["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html  # the QR code, shown once
    url = re.search(r'id="new-draft-link-url">([^<]+)<', html).group(1)
    token = url.rsplit("/draft/", 1)[1]
    # Reloading shows no token again, and creates no second link.
    again = client.get(created["Location"]).content.decode()
    assert token not in again and "<svg" not in again
    assert DraftTestLink.objects.count() == 1
    return f"{live_url}/draft/{token}"


def _filled(phone: Collector, tmp_path: Path, photos, name: str = "instance") -> Path:
    forms_dir = tmp_path / f"forms-{name}"
    fetched = phone.fetch("household", forms_dir)
    assert fetched.returncode == 0, fetched.stderr
    instance = tmp_path / name
    answers = {**household_answers(photos), "rooms": 4}
    filled = fill(forms_dir, answers, instance)
    assert filled.returncode == 0, filled.stderr
    return instance


def test_a_draft_is_tested_on_a_phone_without_entering_the_queue(
    live_server, draft, district_web, photos, tmp_path, openrosa_setup
):
    phone = Collector(server=_create_link(district_web, live_server.url))

    listed = phone.forms()
    assert listed.returncode == 0, listed.stderr
    (form,) = listed.json["forms"]
    assert (form["formID"], form["version"]) == ("household", "2")
    assert form["hash"] == f"md5:{draft.xform_md5}"

    instance = _filled(phone, tmp_path, photos)
    # The draft came with its generated area list, as a published form does.
    areas = (tmp_path / "forms-instance" / "household-media" / "srs_areas.csv").read_text()
    assert "35.07.13.2011,Talangagung,village,35.07.13" in areas

    sent = phone.submit(instance)
    assert sent.returncode == 0, sent.stderr
    assert [post["status"] for post in sent.json["posts"]] == [201]
    test = DraftTestSubmission.objects.get()
    assert test.form_version == draft
    assert sorted(a["filename"] for a in test.attachments) == ["house.jpg", "ktp.jpg"]
    assert all(default_storage.exists(a["stored_name"]) for a in test.attachments)
    # Never a real submission: not in intake, not for the reviewer.
    assert Submission.objects.count() == 0
    reviewer = Client()
    reviewer.force_login(make_user("reviewer", "reviewer", ["35.07.13"]))
    assert "Siti Aminah" not in reviewer.get("/submissions/").content.decode()

    # Sending the same again is the same test; changed XML with its instanceID is refused.
    assert phone.submit(instance).returncode == 0
    assert DraftTestSubmission.objects.count() == 1
    xml = instance / "submission.xml"
    xml.write_bytes(xml.read_bytes().replace(b"Siti Aminah", b"Someone Else", 1))
    conflict = phone.submit(instance)
    assert conflict.returncode == 1 and "409" in conflict.stderr
    assert b"Siti Aminah" in bytes(DraftTestSubmission.objects.get().xml)

    # The draft's page shows the test's answers under the questions' labels.
    page = district_web.get(reverse("forms:version", args=["household", "2"])).content.decode()
    tests = page[page.index('id="test-submissions"') :]
    assert test.instance_id in tests
    assert "Head" in tests and "Siti Aminah" in tests
    assert "Number of rooms" in tests and ">4<" in tests
    photo_url = reverse("forms:test_file", args=["household", "2", test.pk, "house.jpg"])
    assert photo_url in tests
    photo = district_web.get(photo_url)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo.content == photos["house"].read_bytes()
    # Only for the draft's managers, and only the test's own files.
    assert reviewer.get(photo_url).status_code == 403
    missing = reverse("forms:test_file", args=["household", "2", test.pk, "other.jpg"])
    assert district_web.get(missing).status_code == 404

    # Publishing the draft removes its tests and their files; the link stops working.
    stored = [a["stored_name"] for a in test.attachments]
    published = district_web.post(reverse("forms:publish", args=["household", "2"]))
    assert published.status_code == 302
    assert DraftTestSubmission.objects.count() == 0
    assert not any(default_storage.exists(name) for name in stored)
    gone = phone.forms()
    assert gone.returncode == 1
    assert "404" in gone.stderr and GONE in gone.stderr
    assert Submission.objects.count() == 0


def test_the_normal_form_list_still_serves_the_published_version_only(
    live_server, draft, collector
):
    listed = collector.forms()
    assert listed.returncode == 0, listed.stderr
    assert [(f["formID"], f["version"]) for f in listed.json["forms"]] == [("household", "1")]


def test_unknown_revoked_and_discarded_links_all_answer_404_with_the_same_message(
    live_server, draft, district_web
):
    unknown = Collector(server=f"{live_server.url}/draft/not-a-real-token").forms()
    assert unknown.returncode == 1 and "404" in unknown.stderr and GONE in unknown.stderr

    revoked_url = _create_link(district_web, live_server.url)
    link = DraftTestLink.objects.get()
    # Revoking asks first, then says what it did.
    confirm = district_web.get(reverse("phones:draft_test_revoke", args=[link.pk]))
    assert "Revoke this draft test link?" in confirm.content.decode()
    assert DraftTestLink.objects.get().revoked_at is None
    done = district_web.post(reverse("phones:draft_test_revoke", args=[link.pk]), follow=True)
    assert "The draft test link was revoked" in done.content.decode()
    revoked = Collector(server=revoked_url).forms()
    assert revoked.returncode == 1 and GONE in revoked.stderr
    actions = list(
        AuditRecord.objects.filter(object_type="collector_api.drafttestlink").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["forms.draft_test_link_created", "forms.draft_test_link_revoked"]

    DraftTestLink.objects.all().delete()
    discarded_url = _create_link(district_web, live_server.url)
    district_web.post(reverse("forms:discard", args=["household", "2"]))
    assert DraftTestLink.objects.count() == 0
    discarded = Collector(server=discarded_url).forms()
    assert discarded.returncode == 1 and GONE in discarded.stderr


def test_a_test_sent_in_parts_is_one_test_with_all_its_files(
    live_server, draft, district_web, photos, tmp_path, settings
):
    settings.SRS_SUBMISSION_MAX_BYTES = 12_000  # each photo fits, both together do not
    phone = Collector(server=_create_link(district_web, live_server.url))
    sent = phone.submit(_filled(phone, tmp_path, photos))
    assert sent.returncode == 0, sent.stderr
    posts = sent.json["posts"]
    assert len(posts) == 2 and [p["incomplete"] for p in posts] == [True, False]
    test = DraftTestSubmission.objects.get()
    assert sorted(a["filename"] for a in test.attachments) == ["house.jpg", "ktp.jpg"]
    assert Submission.objects.count() == 0


def test_replacing_the_draft_deletes_its_tests_their_files_and_its_links(
    live_server, draft, district_web, photos, tmp_path
):
    phone = Collector(server=_create_link(district_web, live_server.url))
    sent = phone.submit(_filled(phone, tmp_path, photos))
    assert sent.returncode == 0, sent.stderr
    stored = [a["stored_name"] for a in DraftTestSubmission.objects.get().attachments]
    assert stored and all(default_storage.exists(name) for name in stored)

    workbook = xlsform_bytes(
        form_id="household", version="3", title="Household", survey=DRAFT_SURVEY
    )
    replaced = district_web.post(
        reverse("forms:upload_version", args=["household"]),
        {"workbook": SimpleUploadedFile("household-3.xlsx", workbook)},
    )
    assert replaced.status_code == 302
    assert DraftTestSubmission.objects.count() == 0
    assert not any(default_storage.exists(name) for name in stored)
    assert DraftTestLink.objects.count() == 0
    gone = phone.forms()
    assert gone.returncode == 1 and GONE in gone.stderr


def test_a_draft_link_serves_nothing_but_its_draft(live_server, draft, district_web):
    base = _create_link(district_web, live_server.url)
    client = Client()
    path = base.removeprefix(live_server.url)
    assert client.get(f"{path}/forms/household/2/form.xml").status_code == 200
    assert client.get(f"{path}/forms/household/1/form.xml").status_code == 404
    assert client.get(f"{path}/forms/household/2/media/../../etc").status_code == 404
    head = client.head(f"{path}/submission")
    assert head.status_code == 204 and head["X-OpenRosa-Version"] == "1.0"
    bad_length = client.post(
        f"{path}/submission", data=b"x", content_type="text/plain", CONTENT_LENGTH="abc"
    )
    assert bad_length.status_code == 400


def test_a_draft_link_works_only_over_https_where_plain_http_is_not_allowed(
    live_server, draft, district_web, settings
):
    path = _create_link(district_web, live_server.url).removeprefix(live_server.url)
    settings.SRS_OPENROSA_ALLOW_HTTP = False
    client = Client()
    plain = client.get(f"{path}/formList")
    assert plain.status_code == 403
    assert "https://" in plain.content.decode()
    assert client.get(f"{path}/formList", secure=True).status_code == 200


def test_only_managers_of_the_questionnaire_reach_its_draft_test_page(
    draft, openrosa_setup, district_web
):
    url = reverse("phones:draft_test", args=["household", "2"])
    assert district_web.get(url).status_code == 200
    agent = Client()
    agent.force_login(User.objects.get(username="agent"))
    assert agent.get(url).status_code == 403
    assert (
        agent.post(reverse("phones:draft_test_create", args=["household", "2"])).status_code == 403
    )
    assert DraftTestLink.objects.count() == 0
    # A published version has no draft test page.
    assert (
        district_web.get(reverse("phones:draft_test", args=["household", "1"])).status_code == 404
    )


def test_the_phone_reads_the_refusals_in_indonesian(live_server, draft):
    phone = Collector(server=f"{live_server.url}/draft/nope", lang="id")
    refused = phone.forms()
    assert refused.returncode == 1
    assert "Draf ini tidak lagi diuji." in refused.stderr
