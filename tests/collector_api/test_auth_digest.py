"""HTTP Digest as ODK Collect answers it: each nonce count once, encoded URLs, HTTPS.

The responses are computed here as Collect computes them (RFC 7616, MD5,
qop=auth) and sent with the Django test client.
"""

import hashlib
import re
import time
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import User
from collector_api.auth import make_nonce
from intake.models import Submission

PASSWORD = "rahasia-agen"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 (HTTP Digest)


def challenge_of(response) -> dict[str, str]:
    header = response["WWW-Authenticate"]
    digest = header[header.index("Digest ") + len("Digest ") :]
    return {k: v1 or v2 for k, v1, v2 in re.findall(r'(\w+)=(?:"([^"]*)"|([^\s,]+))', digest)}


class DigestPhone:
    """A phone that answers the server's Digest challenge with a rising nonce count."""

    def __init__(self, client: Client, username: str = "agent", password: str = PASSWORD):
        self.client, self.username, self.password = client, username, password
        self.nonce, self.count = "", 0

    def sign_in(self, path: str = "/submission", **extra) -> None:
        response = self.client.head(path, **extra)
        assert response.status_code == 401
        self.nonce, self.count = challenge_of(response)["nonce"], 0

    def authorization(self, method: str, uri: str, *, password: str | None = None) -> str:
        self.count += 1
        nc = f"{self.count:08x}"
        cnonce = uuid.uuid4().hex[:16]
        ha1 = _md5(f"{self.username}:SRS:{password or self.password}")
        answer = _md5(f"{ha1}:{self.nonce}:{nc}:{cnonce}:auth:{_md5(f'{method}:{uri}')}")
        return (
            f'Digest username="{self.username}", realm="SRS", nonce="{self.nonce}", '
            f'uri="{uri}", algorithm=MD5, response="{answer}", qop=auth, nc={nc}, '
            f'cnonce="{cnonce}"'
        )


@pytest.fixture
def agent(db) -> User:
    return User.objects.create_user("agent", password=PASSWORD)


def _submission(instance_id: str) -> dict[str, SimpleUploadedFile]:
    xml = (
        '<?xml version="1.0"?><data id="household" version="1"><subdistrict>35.07.13'
        "</subdistrict><village>35.07.13.2011</village><hh_head_name>Siti</hh_head_name>"
        f"<members><name>Siti</name></members><meta><instanceID>{instance_id}</instanceID>"
        "</meta></data>"
    )
    return {"xml_submission_file": SimpleUploadedFile("submission.xml", xml.encode(), "text/xml")}


def test_a_captured_digest_header_sent_again_with_other_submissions_is_refused(openrosa_setup):
    phone = DigestPhone(Client())
    phone.sign_in()
    captured = phone.authorization("POST", "/submission")
    first = phone.client.post(
        "/submission", _submission(f"uuid:{uuid.uuid4()}"), headers={"authorization": captured}
    )
    assert first.status_code == 201

    for _ in range(3):
        replay = phone.client.post(
            "/submission", _submission(f"uuid:{uuid.uuid4()}"), headers={"authorization": captured}
        )
        assert replay.status_code == 401
        assert challenge_of(replay)["nonce"]
        assert challenge_of(replay).get("stale") == "true"
    assert Submission.objects.count() == 1


def test_each_request_with_a_higher_nonce_count_is_accepted(agent, client):
    phone = DigestPhone(client)
    phone.sign_in()
    for _ in range(3):
        auth = phone.authorization("HEAD", "/submission")
        assert client.head("/submission", headers={"authorization": auth}).status_code == 204


def test_two_phones_challenged_in_the_same_second_each_get_a_nonce_of_their_own(agent):
    first, second = DigestPhone(Client()), DigestPhone(Client())
    first.sign_in()
    second.sign_in()
    assert first.nonce != second.nonce
    for phone in (first, second):
        auth = phone.authorization("HEAD", "/submission")  # nc=00000001 on both
        assert phone.client.head("/submission", headers={"authorization": auth}).status_code == 204


def test_a_lower_or_equal_nonce_count_is_refused(agent, client):
    phone = DigestPhone(client)
    phone.sign_in()
    phone.count = 5
    assert (
        client.head(
            "/submission", headers={"authorization": phone.authorization("HEAD", "/submission")}
        ).status_code
        == 204
    )
    phone.count = 3  # the next header says nc=4, below the 6 already used
    response = client.head(
        "/submission", headers={"authorization": phone.authorization("HEAD", "/submission")}
    )
    assert response.status_code == 401
    assert challenge_of(response)["stale"] == "true"


def test_the_same_count_on_another_path_is_still_a_replay(agent, client):
    phone = DigestPhone(client)
    phone.sign_in()
    auth = phone.authorization("GET", "/formList")
    assert client.get("/formList", headers={"authorization": auth}).status_code == 200
    phone.count -= 1
    again = phone.authorization("HEAD", "/submission")
    assert client.head("/submission", headers={"authorization": again}).status_code == 401


def test_an_expired_nonce_with_the_right_password_gets_stale_true(agent, client, settings):
    phone = DigestPhone(client)
    phone.nonce = make_nonce(time.time() - settings.SRS_DIGEST_NONCE_SECONDS - 5)
    response = client.head(
        "/submission", headers={"authorization": phone.authorization("HEAD", "/submission")}
    )
    assert response.status_code == 401
    assert challenge_of(response)["stale"] == "true"
    assert challenge_of(response)["nonce"] != phone.nonce


def test_digest_accepts_a_media_url_with_an_encoded_space(openrosa_setup):
    # Versions are letters, digits, ".", "-" and "_" now; media file names may hold spaces.
    phone = DigestPhone(Client())
    phone.sign_in()
    uri = "/forms/household/1/media/peta%20desa.png"
    response = phone.client.get(uri, headers={"authorization": phone.authorization("GET", uri)})
    assert response.status_code == 404  # signed in: the form exists, that file does not
    assert "WWW-Authenticate" not in response


def test_digest_passes_on_any_encoded_path_and_then_the_path_decides(agent, client):
    phone = DigestPhone(client)
    phone.sign_in()
    uri = "/forms/household/no%20such/form.xml"
    response = client.get(uri, headers={"authorization": phone.authorization("GET", uri)})
    assert response.status_code == 404  # signed in; the form does not exist


def test_openrosa_over_plain_http_is_refused_where_not_allowed(agent, client, settings):
    settings.SRS_OPENROSA_ALLOW_HTTP = False
    response = client.head("/submission")
    assert response.status_code == 403
    assert b"https://" in client.get("/formList", headers={"accept-language": "en"}).content
    assert client.head("/submission", secure=True).status_code == 401


def test_access_links_over_plain_http_are_refused_where_not_allowed(openrosa_setup, settings):
    from collector_api.phones import create_access_link

    agent = openrosa_setup["agent"]
    link = create_access_link(user=agent, label="test", created_by=agent)
    settings.SRS_OPENROSA_ALLOW_HTTP = False
    assert Client().head(f"/key/{link.token}/submission").status_code == 403
    assert Client().head(f"/key/{link.token}/submission", secure=True).status_code == 204


def test_a_signed_in_digest_request_costs_three_statements_on_the_embedded_default(
    agent, client, django_assert_num_queries
):
    phone = DigestPhone(client)
    phone.sign_in()
    client.head(
        "/submission", headers={"authorization": phone.authorization("HEAD", "/submission")}
    )
    auth = phone.authorization("HEAD", "/submission")
    # The user with her roles, the lockout check, the nonce count's upsert.
    with django_assert_num_queries(3):
        assert client.head("/submission", headers={"authorization": auth}).status_code == 204
