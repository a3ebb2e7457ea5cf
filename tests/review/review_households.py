"""Households of the PPLS questionnaire, sent through intake as a phone would send them.

Shared by the review pages' tests (tests/review/test_pages*.py) and the browser walk
(tests/e2e/test_review_*.py): the demo installation (users with password "demo", the four
questionnaires deployed to Kepanjen and Pagelaran), then real submissions through
``intake.ingest.ingest_submission``, whose processing and checks run after the commit
(in process, as on the embedded default).
"""

import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw

from accounts.models import Role, User
from accounts.staff import assign_role
from areas.models import Area
from forms.demo import DEMO_PASSWORD, DEMO_USERS
from forms.models import Questionnaire
from forms.questionnaire_source import build_xlsx, source_files
from forms.versions import (
    create_questionnaire,
    latest_published,
    publish_form_version,
    set_deployment,
)
from intake.demo_submissions import SAMPLE_HOUSING, instance_xml
from intake.ingest import IncomingFile, ingest_submission
from intake.models import Submission

KEPANJEN = "35.07.13"
TALANGAGUNG = "35.07.13.2011"
KEPANJEN_TOWN = "35.07.13.1010"
PAGELARAN = "35.07.33"


def install_review_demo() -> None:
    """The demo's users (password "demo") and the PPLS questionnaire, deployed to Kepanjen
    and Pagelaran: ``forms.demo.seed_demo`` without the three other questionnaires."""
    for username, (full_name, role, codes) in DEMO_USERS.items():
        first, _, last = full_name.partition(" ")
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            is_superuser=role is None,
            is_staff=role is None,
        )
        for code in codes:
            assign_role(
                user=user,
                role=role or Role.ADMINISTRATOR,
                area=Area.objects.get(code=code) if code else None,
            )
    district = User.objects.get(username="district")
    source = next(path for path in source_files() if path.stem == "ppls_household")
    version = create_questionnaire(
        workbook=build_xlsx(source),
        filename="ppls_household.xlsx",
        owner_area=Area.objects.get(code="35.07"),
        user=district,
    )
    publish_form_version(version=version, user=district)
    set_deployment(
        questionnaire=version.questionnaire,
        areas=list(Area.objects.filter(code__in=[KEPANJEN, PAGELARAN])),
        user=district,
    )


def house_photo(seed: int, *, size: tuple[int, int] = (640, 480), quality: int = 85) -> bytes:
    """A drawing of a house; the same seed at another size and quality is the same picture."""
    image = Image.new("RGB", (640, 480), (190 + seed * 7 % 60, 215, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (150, 220, 490, 430), fill=(225 - seed * 13 % 90, 185, 130), outline=(80, 50, 30), width=6
    )
    draw.polygon(
        [(120, 225), (320, 80 + seed * 9 % 40), (520, 225)], fill=(160, 50 + seed * 23 % 120, 40)
    )
    draw.rectangle((290, 320, 350, 430), fill=(100, 60, 30))
    draw.rectangle((180 + seed * 11 % 60, 260, 250 + seed * 11 % 60, 310), fill=(240, 250, 255))
    draw.rectangle((0, 430, 640, 480), fill=(80, 140, 60))
    draw.ellipse((520 - seed * 17 % 200, 30, 590 - seed * 17 % 200, 100), fill=(250, 220, 60))
    if size != (640, 480):
        image = image.resize(size)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


@dataclass
class Household:
    instance: str
    village: str = TALANGAGUNG
    head: tuple[str, str, str, str] = ("Budi Santoso", "3507131708800001", "male", "1980-08-17")
    members: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    gps: str = "-8.1307 112.5712 420 5"
    kk: str = "3507130101090001"
    phone: str = "081234567890"
    photo: bytes = b""
    deprecated: str = ""  # the instanceID this one edits

    @property
    def instance_id(self) -> str:
        return f"uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'srs-review-' + self.instance)}"


def _answers(household: Household) -> dict[str, Any]:
    name, nik, sex, born = household.head
    head_member = {
        "name": name,
        "sex": sex,
        "nik": nik,
        "birth_date": born,
        "relation": "head",
        "kk": household.kk,
        "marital_status": "married",
        "disability": "none",
        "chronic_illness": "none",
        "working": "yes",
        "work_hours": "40",
        "sector": "agriculture",
        "employment_status": "own_account",
    }
    others = [
        {
            "name": m_name,
            "sex": m_sex,
            "nik": m_nik,
            "birth_date": m_born,
            "relation": relation,
            "kk": household.kk,
            "disability": "none",
            "chronic_illness": "none",
        }
        for m_name, m_nik, m_sex, m_born, relation in household.members
    ]
    kecamatan = ".".join(household.village.split(".")[:3])
    return {
        "place": {
            "regency": "35.07",
            "subdistrict": kecamatan,
            "village": household.village,
            "rt": "3",
            "rw": "2",
            "address": "Jl. Raya 12",
            "gps": household.gps,
        },
        "head": {
            "hh_head_name": name,
            "hh_head_nik": nik,
            "kk_number": household.kk,
            "phone": household.phone,
        },
        "housing": dict(SAMPLE_HOUSING),
        "members": [head_member, *others],
        "member_count": str(1 + len(others)),
        "assets_group": {"assets": "motorbike television", "programmes": "pkh"},
        "house_photo": "house.jpg",
    }


def send_household(agent: User, household: Household) -> Submission:
    """Send one household as ``agent``'s phone would; returns the stored submission."""
    version = latest_published(Questionnaire.objects.get(form_id="ppls_household"))
    assert version is not None
    xml = instance_xml(version, _answers(household), household.instance_id)
    if household.deprecated:
        old = Household(instance=household.deprecated).instance_id
        xml = xml.replace(
            b"</instanceID>", b"</instanceID><deprecatedID>" + old.encode() + b"</deprecatedID>"
        )
    ingest_submission(
        user=agent,
        xml=xml,
        files=[IncomingFile("house.jpg", household.photo or house_photo(len(household.instance)))],
        device_id="collect:test-phone",
        is_incomplete=False,
    )
    return Submission.objects.get(instance_id=household.instance_id)


def the_bar_households() -> list[Household]:
    """The Bar's households in Kepanjen: a duplicate NIK and a re-encoded duplicate photo.

    "Slamet" and "Slamet (again)" share the head's NIK and the house photo (the second
    re-encoded smaller, at another quality); "Dewi" has no finding to speak of.
    """
    return [
        Household(
            instance="slamet",
            head=("Slamet Riyadi", "3507130203650004", "male", "1965-03-02"),
            members=[("Sulastri", "3507134711680005", "female", "1968-11-07", "spouse")],
            gps="-8.1321 112.5698 418 4",
            kk="3507130101090002",
            photo=house_photo(3),
        ),
        Household(
            instance="slamet-again",
            head=("Slamet Riyadi", "3507130203650004", "male", "1965-03-12"),
            members=[("Sulastri", "3507134711680005", "female", "1968-11-07", "spouse")],
            gps="-8.1322 112.5699 418 4",
            kk="3507130101090003",
            photo=house_photo(3, size=(480, 360), quality=60),
        ),
        Household(
            instance="dewi",
            village=KEPANJEN_TOWN,
            head=("Dewi Sartika", "3507135507790006", "female", "1979-07-15"),
            members=[("Rizky Pratama", "3507131209050007", "male", "2005-09-12", "child")],
            gps="-8.1302 112.5721 421 6",
            kk="3507130101090004",
            photo=house_photo(7),
        ),
    ]
