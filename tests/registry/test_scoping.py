"""An attacker's review of the registry: who gets what on every path, and what it tells.

One table a surface (pages, API, phones' lists): for each path, the status each
reader gets for a record of Budi's household (Talangagung, Kepanjen). Then,
for every reader and every path that names a record: a record outside her
areas is answered exactly as one that does not exist (same status, same
words), and no answer (a 403, a 404, a 409, a 422, an export, a phone's list)
holds a full NIK, KK or phone number, nor a name from outside her areas.

The readers: Kepanjen's reviewer, Pagelaran's reviewer, a field agent of
Talangagung, a field agent of Kepanjen town (the same kecamatan, another
village), Kepanjen's coordinator, the district's staff, a provincial monitor,
the district's auditor, someone not signed in (and, for the API, someone
whose token has expired).
"""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from accounts.api_tokens import issue_api_token
from accounts.models import ApiToken
from areas.models import Area
from audit.models import AuditRecord
from forms.models import FormVersion, Questionnaire
from forms.versions import create_questionnaire, publish_form_version, set_deployment
from intake.models import Attachment, Submission
from registry.models import Conflict, RegistryChange
from tests.factories import xlsform_bytes
from tests.registry.page_data import (
    BUDI_NIK,
    BUDI_PHONE,
    FAMILY_SECRETS,
    KK_BUDI,
    SARI_NIK,
    SECRETS,
    SITI_NIK,
    add_family_elsewhere,
)
from tests.registry.page_fixtures import *  # noqa: F403 (data, readers, the clients)
from tests.registry.page_fixtures import api_client, page_client

# Typos a source offered against Budi's identifiers: as secret as the identifiers.
NIK_TYPO = "350713170880001"  # a digit short
KK_OFFERED = "350713010109009"  # a digit short
PHONE_OFFERED = "+6281299998888"
KKS_BUDI = "3507130000123456"  # his household's welfare card
ALL_SECRETS = (*SECRETS, *FAMILY_SECRETS, NIK_TYPO, KK_OFFERED, PHONE_OFFERED, KKS_BUDI)
OUTSIDE_NAMES = ("Sari", "Wulandari", "Andi")  # Pagelaran's people, for Kepanjen's readers

READERS = (
    "kepanjen_reviewer",
    "pagelaran_reviewer",
    "agent",
    "town_agent",
    "coordinator",
    "district",
    "monitor",
    "auditor",
    "anonymous",
)
# Who reads Budi's household (Talangagung) in the registry.
READS_BUDI = {"kepanjen_reviewer", "agent", "coordinator", "district"}


def _unzipped(content: bytes) -> str:
    """An XLSX's sheets and shared strings as one text, to look for numbers in it."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def _content(response) -> str:
    """Everything an answer says, an XLSX unpacked."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    if raw[:2] == b"PK":
        return _unzipped(raw)
    return raw.decode("utf-8", "replace")


def _assert_tells_nothing(text: str, where: str, *, outside_names: bool = True) -> None:
    """No full identifier (but the one the reader typed into ``where``, a search), and,
    with ``outside_names``, no name from Pagelaran."""
    for secret in ALL_SECRETS:
        if secret not in where:
            assert secret not in text, f"{where}: {secret} in full"
    if outside_names:
        for name in OUTSIDE_NAMES:
            assert name not in text, f"{where}: {name} from outside the reader's areas"


@pytest.fixture
def world(data, readers):
    """The registry of page_data, Budi's card's members elsewhere, conflicts on NIK, KK and
    phone, a history of Budi's family card, and a photo of Budi's house."""
    family = add_family_elsewhere(data)
    home = data.budi_household
    source = home.created_by_source

    def conflict(person, field: str, held: str, offered: str) -> Conflict:
        return Conflict.objects.create(
            person=person,
            field=field,
            held=held,
            offered=offered,
            held_source=source,
            source=source,
            village=home.village,
            kecamatan_code=home.kecamatan_code,
        )

    conflicts = {
        "nik": conflict(data.budi, "nik", BUDI_NIK, NIK_TYPO),
        "family": conflict(data.budi, "family", KK_BUDI, KK_OFFERED),
        "phone": conflict(data.budi, "phone", BUDI_PHONE, PHONE_OFFERED),
        # Siti's NIK, as a source typed it, is Sari's (Pagelaran).
        "taken": conflict(data.siti, "nik", SITI_NIK, SARI_NIK),
    }
    for row, field, value in ((data.budi, "family", KK_BUDI), (home, "kks_number", KKS_BUDI)):
        RegistryChange.objects.create(
            source=source,
            person=row if row is data.budi else None,
            household=row if row is home else None,
            field=field,
            before=None,
            after=value,
            at=source.approved_at,
        )
    _give_a_photo(home, data.approver)
    return {"data": data, "readers": readers, "family": family, "conflicts": conflicts}


def _give_a_photo(household, user) -> None:
    """A house photo as intake stores one: an attachment of a submission (its form's rows
    written directly, the photo is all that is read)."""
    questionnaire = Questionnaire.objects.create(
        form_id="house_photo", title="House photo", owner_area_id="35.07", created_by=user
    )
    version = FormVersion.objects.create(
        questionnaire=questionnaire,
        version="1",
        status=FormVersion.Status.PUBLISHED,
        title="House photo",
        xlsform="forms/house_photo.xlsx",
        xlsform_filename="house_photo.xlsx",
        xlsform_sha256="0" * 64,
        xform_xml="<h:html/>",
        xform_md5="0" * 32,
        created_by=user,
    )
    submission = Submission.objects.create(
        questionnaire=version.questionnaire,
        form_version=version,
        instance_id="uuid:photo",
        xml=b"<data/>",
        xml_sha256="0" * 64,
        status="complete",
        area=household.village,
        submitted_by=user,
    )
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(jpeg, "JPEG")
    attachment = Attachment(
        submission=submission,
        filename="house.jpg",
        content_type="image/jpeg",
        size=len(jpeg.getvalue()),
        sha256="1" * 64,
    )
    attachment.file.save("house.jpg", ContentFile(jpeg.getvalue()), save=False)
    attachment.save()
    household.photo = attachment
    household.save(update_fields=["photo"])


def _web(world, who: str) -> Client:
    return Client() if who == "anonymous" else page_client(getattr(world["readers"], who))


def _api(world, who: str) -> APIClient:
    if who == "anonymous":
        return APIClient()
    if who == "expired":
        user = world["readers"].kepanjen_reviewer
        key, _expires = issue_api_token(user)
        ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(minutes=1))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client
    return api_client(getattr(world["readers"], who))


# --- the pages ------------------------------------------------------------------------

REASON = {"reason": "checking the card at the visit"}

# path (with {household}, {person}, {conflict}: Budi's), method, data;
# then the status for each reader, in the order of READERS.
#                                                          kep  pag  agt  town crd  dst  mon  aud  anon
PAGES = [
    ("/registry/", "get", None, (302, 302, 302, 302, 302, 302, 302, 302, 302)),
    ("/registry/households/", "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 302)),
    ("/registry/households/?nik=" + BUDI_NIK, "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 302)),
    ("/registry/households/?kk=" + KK_BUDI, "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 302)),
    ("/registry/households/?q=Budi", "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 302)),
    ("/registry/people/?q=" + SITI_NIK, "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 302)),
    ("/registry/people/?q=Santoso", "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 302)),
    ("/registry/conflicts/?state=all", "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 302)),
    ("/registry/households/{household}/", "get", None, (200, 404, 200, 404, 200, 200, 404, 404, 302)),
    ("/registry/households/{household}/?as_of=2099-01-01", "get", None, (200, 404, 200, 404, 200, 200, 404, 404, 302)),
    ("/registry/households/{household}/photo/", "get", None, (200, 404, 200, 404, 200, 200, 404, 404, 302)),
    ("/registry/households/{household}/reveal/", "post", REASON, (200, 404, 403, 404, 200, 200, 404, 404, 302)),
    ("/registry/households/{household}/reveal/", "post", {"reason": ""}, (422, 404, 403, 404, 422, 422, 404, 404, 302)),
    ("/registry/people/{person}/", "get", None, (200, 404, 200, 404, 200, 200, 404, 404, 302)),
    ("/registry/people/{person}/?as_of=2099-01-01", "get", None, (200, 404, 200, 404, 200, 200, 404, 404, 302)),
    ("/registry/people/{person}/reveal/", "post", REASON, (200, 404, 403, 404, 200, 200, 404, 404, 302)),
    ("/registry/conflicts/{conflict}/resolve/", "post", {"choice": "offered", "reason": "KTP seen"}, (302, 404, 403, 404, 403, 403, 404, 404, 302)),
    ("/registry/export/households.csv", "get", None, (200, 200, 403, 403, 200, 200, 403, 403, 302)),
    ("/registry/export/households.xlsx", "get", None, (200, 200, 403, 403, 200, 200, 403, 403, 302)),
    ("/registry/export/people.csv?q=Santoso", "get", None, (200, 200, 403, 403, 200, 200, 403, 403, 302)),
    ("/registry/export/people.xlsx", "get", None, (200, 200, 403, 403, 200, 200, 403, 403, 302)),
]  # fmt: skip


def _path(template: str, world, *, outside: bool = False, unknown: bool = False) -> str:
    data = world["data"]
    if unknown:
        ids = {"household": 999_999, "person": 999_999, "conflict": 999_999}
    elif outside:
        ids = {
            "household": data.sari_household.pk,
            "person": data.sari.pk,
            "conflict": data.sari_conflict.pk,
        }
    else:
        ids = {
            "household": data.budi_household.pk,
            "person": data.budi.pk,
            "conflict": world["conflicts"]["nik"].pk,
        }
    return template.format(**ids)


def _send(client, method: str, path: str, payload):
    if method == "post":
        return client.post(path, payload or {})
    return client.get(path)


CASES = [
    pytest.param(path, method, payload, who, status, id=f"{who}-{method}-{path}")
    for path, method, payload, statuses in PAGES
    for who, status in zip(READERS, statuses, strict=True)
]


@pytest.mark.parametrize(("path", "method", "payload", "who", "status"), CASES)
def test_each_reader_gets_what_her_role_and_areas_allow_on_every_page(
    world, path, method, payload, who, status
):
    response = _send(_web(world, who), method, _path(path, world), payload)

    assert response.status_code == status
    if status == 302 and who == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    text = _content(response)
    revealed = status == 200 and path.endswith("/reveal/")
    if not revealed:
        _assert_tells_nothing(
            text, path, outside_names=who != "pagelaran_reviewer" and who != "district"
        )
    if status == 200 and "?" in path and "export" not in path and who not in READS_BUDI:
        assert "Budi Santoso" not in text  # a search finds no one outside her areas


# --- the API --------------------------------------------------------------------------

#                                                           kep  pag  agt  town crd  dst  mon  aud  anon expired
APIS = [
    ("/api/v1/households/", "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 401, 401)),
    ("/api/v1/households/?nik=" + BUDI_NIK, "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 401, 401)),
    ("/api/v1/households/?kk=" + KK_BUDI, "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 401, 401)),
    ("/api/v1/households/?q=Budi", "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 401, 401)),
    ("/api/v1/people/?q=" + SITI_NIK, "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 401, 401)),
    ("/api/v1/people/?nik=" + BUDI_NIK, "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 401, 401)),
    ("/api/v1/conflicts/", "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 401, 401)),
    ("/api/v1/households/{household}/", "get", None, (200, 404, 200, 404, 200, 200, 404, 404, 401, 401)),
    ("/api/v1/households/{household}/photo/", "get", None, (200, 404, 200, 404, 200, 200, 404, 404, 401, 401)),
    ("/api/v1/households/{household}/reveal/", "post", REASON, (200, 404, 403, 404, 200, 200, 404, 404, 401, 401)),
    ("/api/v1/households/{household}/reveal/", "post", {"reason": "ok"}, (422, 404, 403, 404, 422, 422, 404, 404, 401, 401)),
    ("/api/v1/people/{person}/", "get", None, (200, 404, 200, 404, 200, 200, 404, 404, 401, 401)),
    ("/api/v1/people/{person}/reveal/", "post", REASON, (200, 404, 403, 404, 200, 200, 404, 404, 401, 401)),
    ("/api/v1/conflicts/{conflict}/resolve/", "post", {"choice": "offered", "reason": "KTP seen"}, (200, 404, 403, 404, 403, 403, 404, 404, 401, 401)),
    ("/api/v1/registry/export/households.csv", "get", None, (200, 200, 403, 403, 200, 200, 403, 403, 401, 401)),
    ("/api/v1/registry/export/households.xlsx", "get", None, (200, 200, 403, 403, 200, 200, 403, 403, 401, 401)),
    ("/api/v1/registry/export/people.csv", "get", None, (200, 200, 403, 403, 200, 200, 403, 403, 401, 401)),
    ("/api/v1/registry/export/people.xlsx", "get", None, (200, 200, 403, 403, 200, 200, 403, 403, 401, 401)),
    ("/api/v1/schema/", "get", None, (200, 200, 200, 200, 200, 200, 200, 200, 401, 401)),
]  # fmt: skip

API_CASES = [
    pytest.param(path, method, payload, who, status, id=f"{who}-{method}-{path}")
    for path, method, payload, statuses in APIS
    for who, status in zip((*READERS, "expired"), statuses, strict=True)
]


@pytest.mark.parametrize(("path", "method", "payload", "who", "status"), API_CASES)
def test_each_reader_gets_what_her_role_and_areas_allow_in_the_api(
    world, path, method, payload, who, status
):
    client = _api(world, who)
    url = _path(path, world)
    if method == "post":
        response = client.post(url, payload or {}, format="json")
    else:
        response = client.get(url, HTTP_ACCEPT="application/json")

    assert response.status_code == status
    text = _content(response)
    if status != 200:
        assert response.json().keys() >= {"code", "detail"}
    if not (status == 200 and path.endswith("/reveal/")):
        _assert_tells_nothing(
            text, path, outside_names=who not in ("pagelaran_reviewer", "district")
        )
    if status == 200 and "?" in path and who not in READS_BUDI:
        assert response.json()["results"] == []


def test_the_schema_lists_only_paths_this_table_covers(world):
    """Every registry operation of the OpenAPI schema is in the API table above."""
    schema = api_client(world["readers"].district).get(
        "/api/v1/schema/", HTTP_ACCEPT="application/json"
    )
    covered = {re.sub(r"\{\w+\}", "{id}", path.split("?")[0]) for path, *_rest in APIS}
    registry_paths = {
        path
        for path, operations in schema.json()["paths"].items()
        if any("registry" in op.get("tags", []) for op in operations.values())
    }
    assert registry_paths <= covered, registry_paths - covered


# --- outside one's areas: the same answer as nothing ----------------------------------

DETAILS = [
    ("web", path, method, payload) for path, method, payload, _statuses in PAGES if "{" in path
] + [("api", path, method, payload) for path, method, payload, _statuses in APIS if "{" in path]

OUTSIDERS = ["kepanjen_reviewer", "pagelaran_reviewer", "agent", "town_agent", "coordinator", "monitor", "auditor"]  # fmt: skip


def _normalised(text: str, ids: list[int]) -> str:
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'nonce="[^"]+"', "", text)
    for number in sorted({str(i) for i in ids}, key=len, reverse=True):
        text = re.sub(rf"(?<!\d){number}(?!\d)", "<id>", text)
    return text


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_record_outside_ones_areas_is_answered_as_one_that_does_not_exist(world, who):
    data = world["data"]
    # For Pagelaran's reviewer, Kepanjen's records are the outside ones.
    outside = who != "pagelaran_reviewer"
    problems = []
    for surface, path, method, payload in DETAILS:
        client = _web(world, who) if surface == "web" else _api(world, who)
        there = _path(path, world, outside=outside) if outside else _path(path, world)
        nowhere = _path(path, world, unknown=True)
        kwargs = {"format": "json"} if surface == "api" and method == "post" else {}
        first = getattr(client, method)(there, payload or {}, **kwargs)
        second = getattr(client, method)(nowhere, payload or {}, **kwargs)
        ids = [
            data.sari_household.pk,
            data.sari.pk,
            data.sari_conflict.pk,
            data.budi_household.pk,
            data.budi.pk,
            world["conflicts"]["nik"].pk,
            999_999,
        ]
        if first.status_code != 404 or second.status_code != 404:
            problems.append(f"{surface} {path}: {first.status_code} / {second.status_code}")
        elif _normalised(_content(first), ids) != _normalised(_content(second), ids):
            problems.append(f"{surface} {path}: the answers differ")
        for name in ("Sari", "Budi", "Wulandari", "Santoso"):
            if name in _content(first):
                problems.append(f"{surface} {path}: {name} named")
    assert problems == []
    assert not AuditRecord.objects.filter(
        action__in=["registry.read", "registry.revealed"]
    ).exists()
    assert Conflict.objects.filter(state=Conflict.State.RESOLVED).count() == 0


# --- what refusals and values say -----------------------------------------------------


def test_a_refused_resolution_names_no_one_of_another_area(world):
    conflict = world["conflicts"]["taken"]
    client = _api(world, "kepanjen_reviewer")

    taken = client.post(
        f"/api/v1/conflicts/{conflict.pk}/resolve/",
        {"choice": "offered", "reason": "the new survey says so"},
        format="json",
    )
    refused = client.post(
        f"/api/v1/conflicts/{conflict.pk}/resolve/",
        {"value": "3507330000000000", "reason": "a guess"},
        format="json",
    )
    page = _web(world, "kepanjen_reviewer").post(
        f"/registry/conflicts/{conflict.pk}/resolve/",
        {"choice": "offered", "reason": "the new survey says so"},
        follow=True,
    )

    assert taken.status_code == 409 and taken.json()["code"] == "resolution_value_taken"
    assert refused.status_code == 422
    for response in (taken, refused, page):
        _assert_tells_nothing(_content(response), "resolve")
    assert Conflict.objects.get(pk=conflict.pk).state == Conflict.State.OPEN


def test_conflicts_and_histories_of_nik_kk_and_phone_are_masked_everywhere(world):
    data = world["data"]
    conflicts = world["conflicts"]
    pages = _web(world, "kepanjen_reviewer")
    api = _api(world, "kepanjen_reviewer")

    answers = {
        "conflict list": pages.get("/registry/conflicts/?state=all"),
        "household page": pages.get(f"/registry/households/{data.budi_household.pk}/"),
        "household past": pages.get(
            f"/registry/households/{data.budi_household.pk}/?as_of=2099-01-01"
        ),
        "person page": pages.get(f"/registry/people/{data.budi.pk}/"),
        "person past": pages.get(f"/registry/people/{data.budi.pk}/?as_of=2099-01-01"),
        "api conflicts": api.get("/api/v1/conflicts/"),
        "api household": api.get(f"/api/v1/households/{data.budi_household.pk}/"),
        "api person": api.get(f"/api/v1/people/{data.budi.pk}/"),
    }

    for where, response in answers.items():
        assert response.status_code == 200, where
        _assert_tells_nothing(_content(response), where)
    shown = {c["id"]: c for c in answers["api conflicts"].json()["results"]}
    assert shown[conflicts["nik"].pk]["offered"] == "350713•••••0001"
    assert shown[conflicts["family"].pk]["held"] == "350713••••••0001"
    assert shown[conflicts["family"].pk]["offered"] == "350713•••••9009"
    assert shown[conflicts["phone"].pk]["offered"] == "+62812••••8888"
    history = {e["field"]: e for e in answers["api person"].json()["history"]}
    assert history["family"]["after"] == "350713••••••0001"


def test_a_reveal_shows_only_the_record_asked_for(world):
    data = world["data"]

    household = _web(world, "kepanjen_reviewer").post(
        f"/registry/households/{data.budi_household.pk}/reveal/", REASON
    )
    person = _api(world, "coordinator").post(
        f"/api/v1/people/{data.budi.pk}/reveal/", REASON, format="json"
    )

    text = _content(household)
    assert BUDI_NIK in text and SITI_NIK in text and KK_BUDI in text
    # Not the family's members elsewhere, nor the values the conflicts hold or offer.
    for secret in (*FAMILY_SECRETS, NIK_TYPO, KK_OFFERED, PHONE_OFFERED, SARI_NIK):
        assert secret not in text
        assert secret not in _content(person)
    assert set(person.json()) == {"person_id", "nik", "kk_number", "phone"}


# --- the read audit -------------------------------------------------------------------


def test_reads_are_recorded_once_per_reader_record_and_hour_and_lists_never(world):
    data = world["data"]
    reviewer = _web(world, "kepanjen_reviewer")
    api = _api(world, "kepanjen_reviewer")
    for _ in range(3):
        reviewer.get("/registry/households/")
        reviewer.get("/registry/people/?q=Santoso")
        reviewer.get(f"/registry/households/{data.budi_household.pk}/")
        reviewer.get(f"/registry/people/{data.budi.pk}/?as_of=2099-01-01")
        api.get(f"/api/v1/households/{data.budi_household.pk}/")
        api.get("/api/v1/people/")
    _web(world, "agent").get(f"/registry/households/{data.budi_household.pk}/")
    _web(world, "monitor").get("/registry/households/")
    _web(world, "monitor").get(f"/registry/households/{data.budi_household.pk}/")

    reads = AuditRecord.objects.filter(action="registry.read")
    assert sorted(reads.values_list("actor_username", "object_type", "object_id")) == [
        ("rev-kepanjen", "registry.household", str(data.budi_household.pk)),
        ("rev-kepanjen", "registry.person", str(data.budi.pk)),
    ]
    assert not reads.filter(actor_username__in=["agent-talangagung", "monitor-jatim"]).exists()


# --- the phones' lists ----------------------------------------------------------------

FOLLOW_UP = [
    {
        "type": "select_one_from_file households.csv",
        "name": "household",
        "label::Indonesian (id)": "Rumah tangga",
        "label::English (en)": "Household",
    },
    {
        "type": "select_one_from_file people.csv",
        "name": "person",
        "label::Indonesian (id)": "Orang",
        "label::English (en)": "Person",
    },
]


@pytest.fixture
def follow_up(world):
    district = world["readers"].district
    version = create_questionnaire(
        workbook=xlsform_bytes(form_id="follow_up", survey=FOLLOW_UP),
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
    return f"/forms/follow_up/{version.version}"


def _basic(username: str) -> dict[str, str]:
    import base64

    token = base64.b64encode(f"{username}:pw-test-123".encode()).decode()
    return {"authorization": f"Basic {token}"}


#                                  kep  pag  agt  town crd  dst  mon  aud  anon
PHONE_PATHS = [
    ("/manifest", (404, 404, 200, 200, 404, 404, 404, 404, 401)),
    ("/media/households.csv", (404, 404, 200, 200, 404, 404, 404, 404, 401)),
    ("/media/people.csv", (404, 404, 200, 200, 404, 404, 404, 404, 401)),
]  # fmt: skip


@pytest.mark.parametrize(("suffix", "statuses"), PHONE_PATHS)
def test_the_phones_lists_are_each_agents_own_villages_masked(world, follow_up, suffix, statuses):
    usernames = {
        who: getattr(world["readers"], who).username for who in READERS if who != "anonymous"
    }
    for who, status in zip(READERS, statuses, strict=True):
        headers = _basic(usernames[who]) if who in usernames else {}
        response = Client().get(f"{follow_up}{suffix}", headers=headers, secure=True)
        assert response.status_code == status, who
        text = _content(response)
        _assert_tells_nothing(text, f"{who} {suffix}")
        if status == 200 and suffix != "/manifest":
            assert ("Budi Santoso" in text) == (who == "agent"), who
            assert "Dewi Santoso" not in text or who == "town_agent"
