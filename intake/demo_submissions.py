"""Sample submissions for the demo, sent through the same ingestion as ODK Collect's.

Each is built from its questionnaire's own instance template, so it has the
shape a phone would send; instance IDs are fixed, so sending them again on a
second ``make demo`` stores nothing twice.
"""

import io
import uuid
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from PIL import Image, ImageDraw

from accounts.models import User
from forms.models import FormVersion, Questionnaire
from forms.versions import latest_published
from foundation.untrusted_xml import local_name, parse_untrusted_xml
from intake.ingest import IncomingFile, ingest_submission

_XFORMS = "{http://www.w3.org/2002/xforms}"
_JR_TEMPLATE = "{http://openrosa.org/javarosa}template"
_NAMESPACE = uuid.UUID("5f0c3d4e-2b1a-4c6d-9e8f-7a6b5c4d3e2f")

_PLACE = {"regency": "35.07", "subdistrict": "35.07.13"}
_HOUSEHOLDS: list[dict[str, Any]] = [
    {
        "village": "35.07.13.2011",
        "rt": "3",
        "rw": "2",
        "address": "Jl. Raya Talangagung 12",
        "gps": "-8.1307 112.5712 420 5",
        "head": ("Budi Santoso", "3507131708800001", "male", "1980-08-17"),
        "members": [
            ("Siti Aminah", "3507135005830002", "female", "1983-05-10", "spouse"),
            ("Ani Rahayu", "3507134403120003", "female", "2012-03-04", "child"),
        ],
        "programmes": "pkh kps_kks",
    },
    {
        "village": "35.07.13.2011",
        "rt": "4",
        "rw": "2",
        "address": "Dusun Krajan RT 4",
        "gps": "-8.1321 112.5698 418 4",
        "head": ("Slamet Riyadi", "3507130203650004", "male", "1965-03-02"),
        "members": [("Sulastri", "3507134711680005", "female", "1968-11-07", "spouse")],
        "programmes": "bpjs_pbi raskin",
    },
    {
        "village": "35.07.13.1010",
        "rt": "1",
        "rw": "5",
        "address": "Jl. Kawi 8, Kepanjen",
        "gps": "-8.1302 112.5721 421 6",
        "head": ("Dewi Sartika", "3507135507790006", "female", "1979-07-15"),
        "members": [
            ("Rizky Pratama", "3507131209050007", "male", "2005-09-12", "child"),
            ("Nur Aini", "3507136301100008", "female", "2010-01-23", "child"),
        ],
        "programmes": "none",
    },
    {
        "village": "35.07.13.2003",
        "rt": "2",
        "rw": "1",
        "address": "Dusun Mangunrejo Wetan",
        "gps": "-8.1455 112.5489 402 8",
        "head": ("Paimin", "3507130101500009", "male", "1950-01-01"),
        "members": [],
        "programmes": "bpjs_pbi",
    },
    # Three that the review checks flag, so that the demo's queue shows its findings:
    # Budi's household surveyed again (same head NIK, a spelling of his name, his photo
    # sent again smaller), ...
    {
        "village": "35.07.13.2011",
        "rt": "3",
        "rw": "2",
        "address": "Jl. Raya Talangagung 12A",
        "gps": "-8.1308 112.5713 420 6",
        "head": ("Boedi Santoso", "3507131708800001", "male", "1980-08-17"),
        "members": [("Siti Aminah", "3507135005830002", "female", "1983-05-10", "spouse")],
        "programmes": "pkh",
        "photo_of": 1,
    },
    # ... a woman's NIK typed without the 40 added to her day, a birth date that does not
    # match it, an impossible phone number, ...
    {
        "village": "35.07.13.1010",
        "rt": "2",
        "rw": "5",
        "address": "Jl. Kawi 21, Kepanjen",
        "gps": "-8.1311 112.5730 419 5",
        "head": ("Sri Wahyuni", "3507131204880010", "female", "1988-04-21"),
        "members": [],
        "programmes": "none",
        "phone": "081234567",
    },
    # ... and a GPS point taken at sea, south of the coast.
    {
        "village": "35.07.13.2003",
        "rt": "5",
        "rw": "1",
        "address": "Dusun Mangunrejo Kulon",
        "gps": "-8.5200 112.6200 3 4",
        "head": ("Suparman", "3507131506700011", "male", "1970-06-15"),
        "members": [],
        "programmes": "none",
    },
]


def _photo(seed: int) -> bytes:
    """A small drawing of a house, so the review pages show a picture.

    Each seed draws another house in another place (not only in other colours): the
    review's duplicate-photo check compares shapes, as it must to survive re-encoding.
    """
    image = Image.new("RGB", (480, 360), (200 + seed * 10 % 50, 225, 240))
    draw = ImageDraw.Draw(image)
    left = 20 + (seed * 67) % 200
    width = 140 + (seed * 29) % 100
    top = 150 + (seed * 41) % 70
    draw.rectangle(
        (left, top, left + width, 320),
        fill=(230 - seed * 15, 190, 140),
        outline=(90, 60, 40),
        width=4,
    )
    draw.polygon(
        [
            (left - 20, top + 5),
            (left + width // 2, top - 90 + (seed * 13) % 40),
            (left + width + 20, top + 5),
        ],
        fill=(170, 60 + seed * 20, 40),
    )
    door = left + width // 2 - 25
    draw.rectangle((door, 250, door + 50, 320), fill=(110, 70, 40))
    tree = (left + width + 60 + seed * 31) % 440
    draw.ellipse(
        (tree, 120 + (seed * 17) % 80, tree + 70, 240 + (seed * 17) % 80), fill=(40, 120, 50)
    )
    draw.rectangle((0, 320, 480, 360), fill=(90, 150, 70))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _photo_of(household: dict[str, Any], index: int) -> bytes:
    """The household's photo; ``photo_of`` another's: that one again, smaller and re-encoded."""
    if "photo_of" not in household:
        return _photo(index)
    with Image.open(io.BytesIO(_photo(household["photo_of"]))) as earlier:
        smaller = earlier.resize((earlier.width * 2 // 3, earlier.height * 2 // 3))
    buffer = io.BytesIO()
    smaller.save(buffer, "JPEG", quality=55)
    return buffer.getvalue()


def _template(version: FormVersion) -> Any:
    """The form's instance template (an lxml element, read by the one hardened reader)."""
    form = parse_untrusted_xml(version.xform_xml.encode("utf-8"))
    instance = next(form.iter(f"{_XFORMS}instance"))
    return next(iter(instance))


def _fill(template: Any, answers: dict[str, Any], out: Element) -> None:
    seen_repeats: set[str] = set()
    for child in template:
        name = local_name(child.tag)
        if child.get(_JR_TEMPLATE) is not None or name in seen_repeats:
            continue
        value = answers.get(name)
        if isinstance(value, list):
            seen_repeats.add(name)
            for item in value:
                _fill(child, item, SubElement(out, name))
            continue
        element = SubElement(out, name)
        if isinstance(value, dict):
            _fill(child, value, element)
        elif len(child):
            _fill(child, {}, element)
        elif value is not None:
            element.text = str(value)


def instance_xml(version: FormVersion, answers: dict[str, Any], instance_id: str) -> bytes:
    """The XML a phone would send for ``answers`` (nested by group; repeats as lists)."""
    template = _template(version)
    root = Element(
        local_name(template.tag), {"id": version.questionnaire.form_id, "version": version.version}
    )
    _fill(template, {**answers, "meta": {"instanceID": instance_id}}, root)
    return b'<?xml version="1.0"?>\n' + tostring(root, encoding="utf-8", xml_declaration=False)


# The house of every sample household (the tests' households share it).
SAMPLE_HOUSING = {
    "tenure": "owned",
    "floor_area": "36",
    "floor_material": "cement_brick",
    "wall_material": "masonry",
    "wall_condition": "good",
    "roof_material": "ceramic_tile",
    "roof_condition": "poor",
    "water_source": "protected_well",
    "lighting": "pln_meter",
    "power_va": "450",
    "cooking_fuel": "lpg_3kg",
    "toilet": "own",
    "sewage": "septic_tank",
}


def _household_answers(household: dict[str, Any], index: int) -> dict[str, Any]:
    name, nik, sex, born = household["head"]
    kk = f"35071301{index:02d}090{index:03d}"
    members = [
        {
            "name": name,
            "sex": sex,
            "nik": nik,
            "birth_date": born,
            "relation": "head",
            "kk": kk,
            "marital_status": "married",
            "disability": "none",
            "chronic_illness": "none",
            "working": "yes",
            "work_hours": "40",
            "sector": "agriculture",
            "employment_status": "own_account",
        },
    ] + [
        {
            "name": m_name,
            "sex": m_sex,
            "nik": m_nik,
            "birth_date": m_born,
            "relation": relation,
            "kk": kk,
            "disability": "none",
            "chronic_illness": "none",
        }
        for m_name, m_nik, m_sex, m_born, relation in household["members"]
    ]
    return {
        "place": {
            **_PLACE,
            "village": household["village"],
            "rt": household["rt"],
            "rw": household["rw"],
            "address": household["address"],
            "gps": household["gps"],
        },
        "head": {
            "hh_head_name": name,
            "hh_head_nik": nik,
            "kk_number": kk,
            **({"phone": household["phone"]} if household.get("phone") else {}),
        },
        "housing": dict(SAMPLE_HOUSING),
        "members": members,
        "member_count": str(len(members)),
        "assets_group": {"assets": "motorbike television", "programmes": household["programmes"]},
        "house_photo": "house.jpg",
    }


def seed_sample_submissions(*, agent: User) -> int:
    """Send the sample households as the demo field agent; returns how many were new."""
    version = latest_published(Questionnaire.objects.get(form_id="ppls_household"))
    if version is None:
        return 0
    created = 0
    for index, household in enumerate(_HOUSEHOLDS, start=1):
        instance_id = f"uuid:{uuid.uuid5(_NAMESPACE, f'ppls-{index}')}"
        xml = instance_xml(version, _household_answers(household, index), instance_id)
        result = ingest_submission(
            user=agent,
            xml=xml,
            files=[IncomingFile("house.jpg", _photo_of(household, index))],
            device_id="demo-phone",
            is_incomplete=False,
        )
        created += int(result.created)
    return created
