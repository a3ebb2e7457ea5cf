"""Every public XLSForm of ../shared/xlsform-corpus/ that the upload accepts, on a Kepanjen phone.

The bar of issue 9: a district officer of Malang (35.07) uploads each workbook
through the API; each one the server accepts gets the media its version needs
(small valid files made here by extension), is published and deployed to
Kepanjen (35.07.13). A Kepanjen field agent's odk-client lists it, fills it
(``--allow-invalid``, no answers) and sends it: 201. Kepanjen's reviewer sees
the submission at /submissions/, Pagelaran's (35.07.33) does not. A form without
an area question gets the agent's own area (intake.ingest: her kecamatan, as
her villages are two of Kepanjen's).

One live server and one loop for all forms; what fails is collected per form
and asserted at the end, so one report names every form that does not make it.
"""

import io
import json
import struct
import wave
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from rest_framework.test import APIClient

from forms.area_media import GENERATED_MEDIA
from intake.models import Submission
from review.models import ReviewItem
from tests.factories import make_user
from tests.odk import Collector

pytestmark = [pytest.mark.odk, pytest.mark.django_db(transaction=True)]

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "xlsform-corpus"
WORKBOOKS = sorted(p for p in CORPUS.glob("*") if p.suffix in (".xlsx", ".xls"))
AGENT_PASSWORD = "rahasia-agen"
KEPANJEN = "35.07.13"
AGENT_VILLAGES = ["35.07.13.1010", "35.07.13.2011"]


def _image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, kind)
    return buffer.getvalue()


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\0\0" * 800)  # 0.1 s of silence
    return buffer.getvalue()


def _mp3() -> bytes:
    # An ID3v2 header with no frames, then one silent MPEG-1 Layer III frame
    # (128 kbit/s, 44.1 kHz: 417 bytes with its 4-byte header).
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\0" * 413


def _iso_media(brand: bytes) -> bytes:
    # The ISO base media file format: an ftyp box and an empty moov box.
    ftyp = brand + b"\0\0\0\0" + brand + b"isom"
    return struct.pack(">I", 8 + len(ftyp)) + b"ftyp" + ftyp + struct.pack(">I", 8) + b"moov"


MEDIA_MAKERS = {
    ".png": lambda name: _image("PNG"),
    ".jpg": lambda name: _image("JPEG"),
    ".jpeg": lambda name: _image("JPEG"),
    ".gif": lambda name: _image("GIF"),
    ".webp": lambda name: _image("WEBP"),
    ".svg": lambda name: (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">'
        b'<rect width="8" height="8" fill="#c82828"/></svg>'
    ),
    ".csv": lambda name: b"name,label\nsatu,Satu\n",
    ".xml": lambda name: b"<root><item><name>satu</name><label>Satu</label></item></root>",
    ".geojson": lambda name: json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [112.5712, -8.1307]},
                    "properties": {"id": "satu", "title": "Satu"},
                }
            ],
        }
    ).encode(),
    ".wav": lambda name: _wav(),
    ".mp3": lambda name: _mp3(),
    ".mp4": lambda name: _iso_media(b"mp42"),
    ".m4a": lambda name: _iso_media(b"M4A "),
    ".3gp": lambda name: _iso_media(b"3gp4"),
}


def _media_for(name: str) -> bytes:
    extension = "." + name.rsplit(".", 1)[-1].lower()
    if extension not in MEDIA_MAKERS:
        raise LookupError(f"no small valid file is made here for {extension}")
    return MEDIA_MAKERS[extension](name)


def _publish(api: APIClient, path: Path) -> tuple[str, str] | str | None:
    """Upload, attach media, publish and deploy: (form_id, version); None when refused.

    A string is what went wrong for an accepted form.
    """
    response = api.post(
        "/api/v1/questionnaires/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
        format="multipart",
    )
    if response.status_code != 201:
        if response.status_code not in (409, 413, 422) or not response.json().get("code"):
            return f"upload answered {response.status_code}: {response.content[:300]!r}"
        return None
    body = response.json()
    form_id, version = body["form_id"], body["versions"][0]["version"]
    base = f"/api/v1/questionnaires/{form_id}"
    draft = body["versions"][0]
    attached_by_server = {m["filename"] for m in draft["media"]} | set(GENERATED_MEDIA)
    for name in [n for n in draft["required_media"] if n not in attached_by_server]:
        try:
            content = _media_for(name)
        except LookupError as exc:
            return f"media {name}: {exc}"
        attached = api.post(
            f"{base}/versions/{version}/media/",
            {"file": SimpleUploadedFile(name, content)},
            format="multipart",
        )
        if attached.status_code != 201:
            return f"media {name} answered {attached.status_code}: {attached.content[:300]!r}"
    published = api.post(f"{base}/versions/{version}/publish/")
    if published.status_code != 200:
        return f"publish answered {published.status_code}: {published.content[:300]!r}"
    deployed = api.put(f"{base}/deployment/", {"areas": [KEPANJEN]}, format="json")
    if deployed.status_code != 200:
        return f"deploy answered {deployed.status_code}: {deployed.content[:300]!r}"
    return form_id, version


def test_every_accepted_corpus_form_is_filled_and_sent_by_a_kepanjen_agent(live_server, tmp_path):
    district = make_user("district", "district_staff", ["35.07"])
    agent = make_user("agent", "field_agent", AGENT_VILLAGES)
    agent.set_password(AGENT_PASSWORD)
    agent.save()
    kepanjen, pagelaran = Client(), Client()
    kepanjen.force_login(make_user("reviewer", "reviewer", [KEPANJEN]))
    pagelaran.force_login(make_user("reviewer2", "reviewer", ["35.07.33"]))
    api = APIClient()
    api.force_login(district)

    failures: dict[str, str] = {}
    published: dict[str, tuple[str, str]] = {}
    for path in WORKBOOKS:
        outcome = _publish(api, path)
        if isinstance(outcome, str):
            failures[path.name] = outcome
        elif outcome is not None:
            published[path.name] = outcome
    assert published, "the upload accepted no corpus form at all"

    phone = Collector(server=live_server.url, username="agent", password=AGENT_PASSWORD)
    listed = phone.forms()
    assert listed.returncode == 0, listed.stderr
    on_phone = {form["formID"]: form["version"] for form in listed.json["forms"]}
    answers = tmp_path / "answers.json"
    answers.write_text("{}")
    for name, (form_id, version) in published.items():
        if on_phone.get(form_id) != version:
            failures[name] = f"the phone lists {on_phone.get(form_id)!r}, not version {version}"
            continue
        sent = phone.send(form_id, answers, "--allow-invalid")
        if sent.returncode != 0:
            failures[name] = f"send failed: {(sent.stdout or sent.stderr)[-600:]}"
            continue
        submission = Submission.objects.filter(
            questionnaire__form_id=form_id, form_version__version=version
        ).first()
        if submission is None:
            failures[name] = "odk-client sent it, but no submission was stored"
            continue
        item = ReviewItem.objects.filter(submission=submission).first()
        page = f"/submissions/{item.pk if item else 0}/"
        if item is None:
            failures[name] = "stored, but not checked into the review queue"
        elif submission.area_id not in (KEPANJEN, *AGENT_VILLAGES):
            failures[name] = f"stored in area {submission.area_id!r}, not the agent's own"
        elif kepanjen.get(page).status_code != 200:
            failures[name] = "Kepanjen's reviewer cannot open the submission"
        elif page not in kepanjen.get("/submissions/").content.decode():
            failures[name] = "Kepanjen's reviewer does not see it in /submissions/"
        elif pagelaran.get(page).status_code != 404:
            failures[name] = "Pagelaran's reviewer can open a Kepanjen submission"
        elif page in pagelaran.get("/submissions/").content.decode():
            failures[name] = "Pagelaran's reviewer sees a Kepanjen submission in /submissions/"

    print(f"published and sent: {sorted(set(published) - set(failures))}")
    assert failures == {}, json.dumps(failures, indent=2)
    assert Submission.objects.count() == len(published)
