"""Bad input gets the right status and an OpenRosa message, and leaves nothing behind."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from collector_api.phones import create_access_link
from forms.versions import archive_questionnaire
from intake.models import Attachment, Submission
from tests.openrosa_fixtures import jpeg

XML = """<?xml version="1.0"?>
<data xmlns:orx="http://openrosa.org/xforms" id="household" version="1">
<subdistrict>35.07.13</subdistrict><village>{village}</village><hh_head_name>Siti</hh_head_name>
<location>-8.13 112.57 420 5</location><members><name>Siti</name></members>
<house_photo>{photo}</house_photo><ktp_photo/>
<meta><instanceID>uuid:{uuid}</instanceID></meta></data>"""


def _xml(
    village="35.07.13.2011", photo="house.jpg", uuid="11111111-1111-4111-8111-111111111111"
) -> bytes:
    return XML.format(village=village, photo=photo, uuid=uuid).encode()


@pytest.fixture
def phone(openrosa_setup):
    """A Django test client on an access link (the same views as Digest, without the challenge)."""
    link = create_access_link(
        user=openrosa_setup["agent"], label="test", created_by=openrosa_setup["agent"]
    )
    return Client(), f"/key/{link.token}"


def _post(phone, xml: bytes, files=None, headers=None, data=None):
    client, prefix = phone
    payload = {
        "xml_submission_file": SimpleUploadedFile("submission.xml", xml, content_type="text/xml")
    }
    for name, content in (files or {}).items():
        payload[name] = SimpleUploadedFile(name, content, content_type="image/jpeg")
    payload.update(data or {})
    return client.post(f"{prefix}/submission?deviceID=test-device", payload, headers=headers or {})


def _nothing_stored():
    return Submission.objects.count() == 0 and Attachment.objects.count() == 0


def test_head_answers_204_with_the_accepted_length(phone):
    client, prefix = phone
    response = client.head(f"{prefix}/submission")
    assert response.status_code == 204
    assert int(response["X-OpenRosa-Accept-Content-Length"]) > 0
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Date"]


def test_a_good_submission_on_an_access_link(phone):
    response = _post(phone, _xml(), {"house.jpg": jpeg()})
    assert response.status_code == 201
    assert b"submit_success" in response.content
    assert response["Content-Type"].startswith("text/xml")
    assert Submission.objects.get().device_id == "test-device"


@pytest.mark.parametrize(
    "xml",
    [
        b"<data id='household'><unclosed></data>",
        b"not xml at all",
        b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<data id="household" version="1"><x>&lol2;</x><meta><instanceID>uuid:x</instanceID></meta></data>""",
        b"""<?xml version="1.0"?><!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<data id="household" version="1"><x>&xxe;</x><meta><instanceID>uuid:y</instanceID></meta></data>""",
        b"<data id='household' version='1'><meta/></data>",
    ],
    ids=["malformed", "not-xml", "entity-bomb", "external-entity", "no-instance-id"],
)
def test_malformed_or_hostile_xml_is_refused(phone, xml):
    response = _post(phone, xml)
    assert response.status_code == 400
    assert b"<OpenRosaResponse" in response.content
    assert b"passwd" not in response.content and b"root:" not in response.content
    assert _nothing_stored()


def test_an_unknown_form_or_version_is_404(phone):
    assert _post(phone, _xml().replace(b'id="household"', b'id="nope"')).status_code == 404
    assert _post(phone, _xml().replace(b'version="1"', b'version="7"')).status_code == 404
    assert _nothing_stored()


def test_a_closed_form_is_refused(phone, openrosa_setup):
    archive_questionnaire(
        questionnaire=openrosa_setup["questionnaire"], user=openrosa_setup["district"]
    )
    response = _post(phone, _xml(), {"house.jpg": jpeg()})
    assert response.status_code == 403
    assert _nothing_stored()


def test_a_form_not_deployed_to_her_is_refused(phone, openrosa_setup):
    from areas.models import Area
    from forms.versions import set_deployment

    set_deployment(
        questionnaire=openrosa_setup["questionnaire"],
        areas=Area.objects.filter(code="35.07.33"),
        user=openrosa_setup["district"],
    )
    assert _post(phone, _xml(), {"house.jpg": jpeg()}).status_code == 403
    assert _nothing_stored()


def test_an_unknown_village_is_refused(phone):
    response = _post(
        phone,
        _xml(village="35.07.13.9999"),
        {"house.jpg": jpeg()},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 400
    assert "“35.07.13.9999” is unknown to the server" in response.content.decode()
    assert _nothing_stored()


def _raw_multipart(*parts: tuple[str, str | None, bytes], boundary: str = "b0undary") -> bytes:
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


def _post_raw(
    phone, body: bytes, content_type="multipart/form-data; boundary=b0undary", language="en"
):
    client, prefix = phone
    return client.generic(
        "POST",
        f"{prefix}/submission",
        body,
        content_type=content_type,
        headers={"accept-language": language},
    )


def test_a_file_name_with_a_path_is_refused(phone):
    body = _raw_multipart(
        ("xml_submission_file", "submission.xml", _xml()),
        ("house.jpg", "../../house.jpg", jpeg()),
    )
    response = _post_raw(phone, body)
    assert response.status_code == 400
    assert "../../house.jpg" in response.content.decode()
    assert _nothing_stored()


def test_the_same_file_twice_in_one_post_is_refused(phone):
    body = _raw_multipart(
        ("xml_submission_file", "submission.xml", _xml()),
        ("house.jpg", "house.jpg", jpeg()),
        ("house.jpg", "house.jpg", jpeg(seed=9)),
    )
    response = _post_raw(phone, body)
    assert response.status_code == 400
    assert "house.jpg" in response.content.decode() and "twice" in response.content.decode()
    indonesian = _post_raw(phone, body, language="id")
    assert "ada dua kali dalam kiriman" in indonesian.content.decode()
    assert _nothing_stored()


def test_an_instance_id_longer_than_the_server_keeps_is_refused(phone):
    response = _post(phone, _xml(uuid="x" * 300), {"house.jpg": jpeg()})
    assert response.status_code == 400
    assert b"instanceID" in response.content
    assert _nothing_stored()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"not multipart at all", "multipart/form-data; boundary=b0undary"),
        (b'--b0undary\r\nContent-Disposition: form-data; name="x"\r\n\r\ncut off', None),
        (b"--b0undary\r\nContent-Type: text/xml\r\n\r\n<data/>\r\n--b0undary--\r\n", None),
        (b"<data/>", "text/xml"),
    ],
    ids=["no-boundary", "truncated", "part-without-name", "not-multipart"],
)
def test_an_unreadable_upload_is_400_and_says_so(phone, body, content_type):
    content_type = content_type or "multipart/form-data; boundary=b0undary"
    response = _post_raw(phone, body, content_type)
    assert response.status_code == 400
    assert b"not a readable form upload" in response.content
    indonesian = _post_raw(phone, body, content_type, language="id")
    assert "bukan unggahan formulir yang dapat dibaca" in indonesian.content.decode()
    assert _nothing_stored()


def test_collects_parts_are_read_whatever_their_order_and_names(phone):
    photo = jpeg()
    body = _raw_multipart(
        ("house.jpg", "house.jpg", photo),
        ("*isIncomplete*", None, b"yes"),
        ("xml_submission_file", "Household_2026-11-23_10-00-00.xml", _xml()),
    )
    response = _post_raw(phone, body)
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert attachment.filename == "house.jpg" and attachment.file.read() == photo
    assert Submission.objects.get().is_complete  # every declared file is there


def test_an_oversize_request_is_413(phone, settings):
    settings.SRS_SUBMISSION_REQUEST_MAX_BYTES = 100_000
    response = _post(phone, _xml(), {"house.jpg": jpeg(900)})  # ~270 kB
    assert response.status_code == 413
    assert _nothing_stored()


def test_a_post_without_the_xml_part_is_400(phone):
    client, prefix = phone
    response = client.post(
        f"{prefix}/submission", {"house.jpg": SimpleUploadedFile("house.jpg", jpeg())}
    )
    assert response.status_code == 400


def test_get_on_submission_is_not_200(phone):
    client, prefix = phone
    assert client.get(f"{prefix}/submission").status_code == 405


def test_without_credentials_the_challenge_is_digest_only_over_http(openrosa_setup, client):
    response = client.get("/formList")
    assert response.status_code == 401
    challenge = response["WWW-Authenticate"]
    assert challenge.startswith('Digest realm="SRS"') and 'qop="auth"' in challenge
    assert "Basic" not in challenge


def test_basic_is_offered_and_accepted_over_https_only(openrosa_setup, client):
    auth = "Basic " + base64.b64encode(b"agent:rahasia-agen").decode()
    assert client.get("/formList", headers={"authorization": auth}).status_code == 401
    secure = client.get("/formList", headers={"authorization": auth}, secure=True)
    assert secure.status_code == 200
    assert "Basic" in client.get("/formList", secure=True)["WWW-Authenticate"]


def test_messages_follow_accept_language(phone):
    response = _post(phone, b"broken", headers={"accept-language": "id"})
    assert response["Content-Language"] == "id"
    assert "bukan isian formulir yang dapat dibaca" in response.content.decode()
    english = _post(phone, b"broken", headers={"accept-language": "en"})
    assert english["Content-Language"] == "en"
    assert b"not a readable form instance" in english.content


def test_a_failure_after_the_commit_never_removes_stored_files(openrosa_setup, monkeypatch):
    from django.db import OperationalError, transaction

    from intake.ingest import IncomingFile, ingest_submission

    # Whatever runs after the commit (processing in process, later a notification) may
    # fail; the submission and its files are committed by then and must stay.
    def fails_after_commit(_submission_id):
        def broken_database():
            raise OperationalError("the database went away")

        transaction.on_commit(broken_database)

    monkeypatch.setattr("intake.ingest.process_after_commit", fails_after_commit)
    with pytest.raises(OperationalError):
        ingest_submission(
            user=openrosa_setup["agent"],
            xml=_xml(),
            files=[IncomingFile("house.jpg", jpeg())],
            device_id="x",
            is_incomplete=False,
        )
    attachment = Attachment.objects.get()
    assert attachment.file.storage.exists(attachment.file.name)
    assert attachment.file.read() == jpeg()


def test_processing_that_fails_in_the_request_still_answers_201(phone, openrosa_setup, monkeypatch):
    from django.db import OperationalError

    def broken_database(**_kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr("intake.processing.make_thumbnails", broken_database)
    response = _post(phone, _xml(), {"house.jpg": jpeg()})
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.is_complete and submission.processed_at is None  # left for later


def test_a_submission_to_an_older_published_version_is_accepted_and_keeps_it(phone, openrosa_setup):
    from forms.versions import publish_form_version, upload_form_version
    from tests.factories import xlsform_bytes
    from tests.openrosa_fixtures import HOUSEHOLD_SURVEY

    newer = upload_form_version(
        questionnaire=openrosa_setup["questionnaire"],
        workbook=xlsform_bytes(
            form_id="household", version="2", title="Household", survey=HOUSEHOLD_SURVEY
        ),
        filename="household-2.xlsx",
        user=openrosa_setup["district"],
    )
    publish_form_version(version=newer, user=openrosa_setup["district"])
    response = _post(phone, _xml(), {"house.jpg": jpeg()})  # filled on a phone still on version 1
    assert response.status_code == 201
    assert Submission.objects.get().form_version.version == "1"


def test_an_edit_of_an_unknown_submission_is_404(phone):
    xml = _xml().replace(
        b"</instanceID></meta>",
        b"</instanceID><deprecatedID>uuid:99999999-9999-4999-8999-999999999999</deprecatedID></meta>",
    )
    response = _post(phone, xml, {"house.jpg": jpeg()})
    assert response.status_code == 404
    assert _nothing_stored()


def test_an_instance_id_with_a_path_in_it_stays_inside_its_folder(phone):
    response = _post(phone, _xml(uuid="../../../escape"), {"house.jpg": jpeg()})
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert ".." not in attachment.file.name
    assert attachment.file.name.startswith("submissions/")
    assert attachment.file.read() == jpeg()


def test_the_phone_is_recorded_by_its_device_id_without_a_write_per_request(phone, openrosa_setup):
    from datetime import timedelta

    from django.utils import timezone

    from collector_api.devices import forget_recorded_devices
    from collector_api.models import Device

    client, prefix = phone
    assert client.get(f"{prefix}/formList?deviceID=collect:abc123").status_code == 200
    device = Device.objects.get()
    assert device.user == openrosa_setup["agent"] and device.device_id == "collect:abc123"

    an_hour_ago = timezone.now() - timedelta(hours=1)
    Device.objects.update(last_seen_at=an_hour_ago)
    assert client.get(f"{prefix}/formList?deviceID=collect:abc123").status_code == 200
    assert Device.objects.get().last_seen_at == an_hour_ago  # seen a moment ago: no write

    forget_recorded_devices()  # as after five minutes, or in another server process
    assert client.get(f"{prefix}/formList?deviceID=collect:abc123").status_code == 200
    assert Device.objects.get().last_seen_at > an_hour_ago
    assert Device.objects.count() == 1
