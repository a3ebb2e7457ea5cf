#!/usr/bin/env python3
"""The registry at a regency's size (issue #11's bar), on PostGIS.

Without ``--keep`` it makes the database ``srs_bench_registry`` anew
(``tests/bench/bench_database.py``: migrations, Kabupaten Malang's areas),
publishes the real PPLS questionnaire to the regency, makes a field agent of
each of its 390 villages, a reviewer of each kecamatan and a district officer,
and fills it with COPY (indexes and foreign-key triggers off meanwhile, then
built again): ``--households`` (300,000) households holding ``--people``
(1,000,000) people over the villages, as the merge of approved PPLS
submissions leaves them:

- a submission and a ``Source`` for each survey (one a household, and a
  re-survey a year later for one in five, which changed a few housing
  answers), with the approving reviewer, dates and the merge's summary;
- households with RT/RW, address, GPS around their village, housing and
  assets answers; family cards (KK: the kecamatan's six digits, an issue date
  and a serial; a second card in some households, for a grandparent or a
  married child); people with Indonesian names, skewed as they are (Siti,
  Sri, Nur, Muhammad spelt five ways, Dwi, Tri…, rare names of old Javanese
  spelling too), NIKs of the kecamatan's six digits, the birth date (day + 40
  for women) and a serial, infants without one, and the roster's answers;
- an open ``Residence`` for each person, programmes for a third of the
  households, and every value's ``RegistryChange`` (before, after, source,
  at), as the merge writes them: about 70 a household.

With ``--keep`` the database of the last run is used as it is.

Then, in this process, it measures (median and p95 of ``--rounds`` rounds,
after one warm-up, and the queries of one):

- **merge**: a real PPLS submission (sent through ``intake.ingest`` by the
  village's agent with a photo, processed as the worker does) merged with
  ``registry.merge.merge_submission`` as approval does, timed alone: new
  households, and re-surveys of loaded ones (their members as the registry
  holds them, a housing answer changed, sometimes a newborn);
- **NIK lookup** through ``registry.queries`` as the list and the API do it
  (``search_households``/``search_people`` and ``page_of``), as the reviewer of
  Kepanjen and as the district officer;
- **name search** (tolerant): a common and a rare name, one word and two;
- **household page** and **person page**: the real views through Django's
  test client as Kepanjen's reviewer (server time in process);
- **export** of Kepanjen's households, CSV and XLSX, through the streaming
  export view: rows/s, Python's peak allocation (tracemalloc, a second run)
  and the growth of the peak RSS.

Run: .venv/bin/python tests/bench/registry.py --people 20000 --households 6000
     .venv/bin/python tests/bench/registry.py            # 1,000,000 people
     .venv/bin/python tests/bench/registry.py --keep [--rounds 30] [--only merge]
"""

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_database import (  # noqa: E402
    bulk_load,
    copy_rows,
    database_exists,
    make_database,
    max_rss_mb,
    measure_export,
    setup_django,
)

DATABASE = "srs_bench_registry"
MEDIA_ROOT = Path("/tmp") / f"{DATABASE}_media"  # kept with the kept database
KECAMATAN = "35.07.13"  # Kepanjen: its reviewer reads and exports
TARGETS_MS = {"merge": 50.0, "nik": 20.0, "name": 100.0, "household page": 150.0}
TODAY = date(2026, 12, 2)

# --- names ---------------------------------------------------------------------------------

# (name, weight): the skew of East Java's registers, roughly.
FEMALE_FIRST = [
    ("Siti", 14), ("Sri", 9), ("Nur", 5), ("Dewi", 4), ("Dwi", 4), ("Tri", 3), ("Endang", 2),
    ("Sumarni", 2), ("Suharti", 2), ("Soeharti", 1), ("Rina", 2), ("Ratna", 2), ("Lestari", 2),
    ("Wahyuni", 2), ("Kartini", 1), ("Aminah", 2), ("Fitri", 2), ("Yuli", 2), ("Wulan", 1),
    ("Eka", 2), ("Ika", 1), ("Hj. Siti", 1), ("Ibu Sumiati", 1), ("Sulastri", 2), ("Sumiati", 2),
    ("Ninik", 1), ("Puji", 1), ("Umi", 2), ("Anik", 1), ("Yuliana", 1), ("Rohmah", 1),
]  # fmt: skip
MALE_FIRST = [
    ("Muhammad", 8), ("M.", 3), ("Moh.", 3), ("Mochammad", 2), ("Muhamad", 1), ("Ahmad", 6),
    ("Agus", 5), ("Budi", 4), ("Bambang", 3), ("Slamet", 4), ("Sugeng", 2), ("Joko", 2),
    ("Djoko", 1), ("Eko", 4), ("Heru", 2), ("Hadi", 2), ("Imam", 2), ("Rudi", 2),
    ("Sutrisno", 2), ("Purwanto", 2), ("Suparman", 1), ("Samsul", 2), ("Yusuf", 2),
    ("Jusuf", 1), ("Wahyu", 3), ("Nur", 2), ("Abdul", 3), ("Dwi", 2), ("Tri", 2), ("H. Mansur", 1),
    ("Drs. Darmo", 1), ("Sukarno", 1), ("Tjahjo", 1), ("Cahyo", 1), ("Andi", 2), ("Rizky", 2),
]  # fmt: skip
FAMILY_NAMES = [
    ("Santoso", 5), ("Wijaya", 3), ("Susanto", 3), ("Hidayat", 4), ("Setiawan", 4),
    ("Prasetyo", 3), ("Kurniawan", 3), ("Wibowo", 3), ("Saputra", 3), ("Hartono", 2),
    ("Gunawan", 2), ("Purnomo", 2), ("Nugroho", 3), ("Arifin", 3), ("Hakim", 2), ("Ismail", 2),
    ("Mustofa", 2), ("Anwar", 2), ("Rohman", 3), ("Zainal", 1), ("Maulana", 2), ("Effendi", 1),
    ("Mulyadi", 2), ("Sulistyo", 1), ("Yusuf", 2), ("Ma'ruf", 1), ("Junaedi", 1), ("Djunaedi", 1),
    ("Fauzi", 1), ("Syafi'i", 1), ("Kholil", 1), ("Hasan", 2), ("Abidin", 1), ("Sholeh", 1),
]  # fmt: skip
FEMALE_SECOND = [
    ("Rahayu", 5), ("Suryani", 3), ("Lestari", 4), ("Wahyuni", 4), ("Hasanah", 3),
    ("Fauziah", 2), ("Aminah", 4), ("Handayani", 3), ("Rahmawati", 3), ("Kurniasih", 2),
    ("Ningsih", 3), ("Astuti", 3), ("Purwanti", 2), ("Sulistyowati", 1), ("Mardiyah", 1),
    ("Khotimah", 2), ("Nurhayati", 2), ("Susilowati", 1), ("Indah", 2), ("Zulaikha", 1),
]  # fmt: skip
# Rare: old Javanese names made of three parts (1,728 of them), some in the old spelling.
RARE_PARTS = (
    ["Wiryo", "Sastro", "Prawiro", "Atmo", "Kusumo", "Darmo", "Suryo", "Mangun", "Karto",
     "Joyo", "Reksa", "Tirto"],
    ["di", "soe", "wi", "har", "pra", "su", "ha", "dji", "mar", "ka", "tjo", "ro"],
    ["harjo", "darmo", "wardoyo", "noto", "marto", "kromo", "widjojo", "atmodjo", "wito",
     "dinoto", "sumo", "redjo"],
)  # fmt: skip


def _weighted(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [name for name, _ in pairs], [weight for _, weight in pairs]


_FEMALE, _MALE = _weighted(FEMALE_FIRST), _weighted(MALE_FIRST)
_FAMILY, _FEMALE_SECOND = _weighted(FAMILY_NAMES), _weighted(FEMALE_SECOND)


def rare_word(rng: random.Random) -> str:
    return "".join(rng.choice(part) for part in RARE_PARTS)


def person_name(rng: random.Random, sex: str) -> str:
    """One word (30%), two (55%) or three; one in eight a rare old name."""
    first = rng.choices(*(_FEMALE if sex == "female" else _MALE))[0]
    if rng.random() < 0.12:
        words = [first, rare_word(rng)] if rng.random() < 0.6 else [rare_word(rng)]
        return " ".join(words)
    draw = rng.random()
    if draw < 0.30:
        return first
    second = rng.choices(*(_FEMALE_SECOND if sex == "female" else _FAMILY))[0]
    if draw < 0.85:
        return f"{first} {second}"
    middle = rng.choice(["Nur", "Dwi", "Tri", "Eko", "Agus", "Budi", "Sri", "Wahyu"])
    return f"{first} {middle} {second}"


# --- households ----------------------------------------------------------------------------

HOUSING_CHOICES = {
    "tenure": (["owned", "rented", "rent_free", "official", "other"], [80, 8, 9, 1, 2]),
    "floor_material": (
        ["marble_ceramic", "tile_terrazzo", "cement_brick", "wood_bamboo", "earth"],
        [35, 15, 35, 3, 12],
    ),
    "wall_material": (["masonry", "plaster_bamboo", "wood", "bamboo"], [80, 5, 7, 8]),
    "wall_condition": (["good", "poor"], [75, 25]),
    "roof_material": (
        ["concrete", "ceramic_tile", "metal", "wood_shingle", "thatch"],
        [5, 80, 12, 2, 1],
    ),
    "roof_condition": (["good", "poor"], [70, 30]),
    "water_source": (
        ["bottled", "piped", "pump", "protected_well", "unprotected_well", "protected_spring"],
        [25, 20, 20, 25, 5, 5],
    ),
    "lighting": (["pln_meter", "pln_no_meter", "non_pln"], [90, 9, 1]),
    "power_va": (["450", "900", "1300", "2200"], [40, 45, 12, 3]),
    "cooking_fuel": (["lpg_3kg", "lpg_large", "firewood", "electricity"], [75, 5, 18, 2]),
    "toilet": (["own", "shared", "public", "none"], [82, 10, 3, 5]),
    "sewage": (["septic_tank", "hole", "open", "beach_field"], [70, 20, 8, 2]),
}
ASSETS = ["gas_cylinder", "refrigerator", "television", "motorbike", "bicycle", "gold", "land",
          "cows", "goats", "car", "computer"]  # fmt: skip
ASSET_ODDS = [0.8, 0.5, 0.85, 0.75, 0.3, 0.2, 0.25, 0.1, 0.1, 0.05, 0.08]
PROGRAMMES = ["pkh", "kps_kks", "bpjs_pbi", "raskin", "bsm_kip"]
SECTORS = ["agriculture", "horticulture", "plantation", "livestock", "industry", "construction",
           "trade", "transport", "services"]  # fmt: skip
EMPLOYMENT = ["own_account", "employer_temporary", "employee", "casual", "family_worker"]
STREETS = ["Mawar", "Melati", "Kenanga", "Raya", "Diponegoro", "Sudirman", "Kartini", "Anggrek",
           "Flamboyan", "Pahlawan", "Masjid", "Sawah"]  # fmt: skip
DUSUN = ["Krajan", "Sumberejo", "Sukorejo", "Wonorejo", "Karangsari", "Tegalsari", "Ngadirejo"]


@dataclass
class Member:
    name: str
    sex: str
    birth_date: date
    relation: str
    nik: str  # "" for an infant without one
    kk: str
    phone: str = ""  # E.164
    details: dict[str, str] = field(default_factory=dict)


@dataclass
class SurveyedHousehold:
    village: str
    kecamatan: str
    rt: str
    rw: str
    address: str
    lat: float
    lon: float
    accuracy: float
    housing: dict[str, str]
    assets: list[str]
    programmes: list[str]
    members: list[Member]


def _age(born: date, on: date = TODAY) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _details(rng: random.Random, member: Member) -> dict[str, str]:
    """The roster's other answers, as the PPLS asks them at her age."""
    age = _age(member.birth_date)
    details = {
        "disability": "none" if rng.random() < 0.97 else rng.choice(["physical", "visual"]),
        "chronic_illness": "none"
        if rng.random() < 0.85
        else rng.choice(["hypertension", "diabetes", "asthma", "rheumatism"]),
    }
    if age >= 10:
        if member.relation in ("head", "spouse", "parent"):
            marital = "married" if rng.random() < 0.85 else rng.choice(["widowed", "divorced"])
        else:
            marital = "married" if age > 24 and rng.random() < 0.5 else "single"
        details["marital_status"] = marital
        if member.sex == "female" and age <= 55:
            details["pregnant"] = "yes" if rng.random() < 0.03 else "no"
    if 5 <= age <= 25:
        in_school = age <= 17 or rng.random() < 0.2
        details["in_school"] = "yes" if in_school else "no"
        if in_school:
            details["school_level"] = (
                "sd" if age <= 12 else "smp" if age <= 15 else "sma" if age <= 18 else "higher"
            )
    if age >= 10:
        working = (age >= 18 and member.relation != "parent") or rng.random() < 0.1
        if member.relation == "spouse":
            working = rng.random() < 0.5
        details["working"] = "yes" if working else "no"
        if working:
            details["work_hours"] = str(rng.choice([20, 30, 35, 40, 42, 48, 56]))
            details["sector"] = rng.choice(SECTORS)
            details["employment_status"] = rng.choice(EMPLOYMENT)
    return details


class Numbers:
    """NIKs and KK numbers, unique: the kecamatan's six digits, a date, a serial."""

    def __init__(self, first_serial: int = 1, serials: int = 9999) -> None:
        self.first_serial = first_serial
        self.serials = serials
        self.used: dict[str, int] = {}

    def _next(self, stem: str, rng: random.Random) -> str:
        if self.first_serial > 1:  # the measured merges: random serials above the loaded ones
            return stem + f"{rng.randint(self.first_serial, self.serials):04d}"
        serial = self.used.get(stem, 0) + 1
        self.used[stem] = serial
        return stem + f"{serial:04d}"

    def nik(self, kecamatan: str, born: date, sex: str, rng: random.Random) -> str:
        day = born.day + (40 if sex == "female" else 0)
        stem = kecamatan.replace(".", "") + f"{day:02d}{born.month:02d}{born.year % 100:02d}"
        return self._next(stem, rng)

    def kk(self, kecamatan: str, rng: random.Random) -> str:
        issued = date(2005, 1, 1) + timedelta(days=rng.randrange(7600))
        return self._next(kecamatan.replace(".", "") + issued.strftime("%d%m%y"), rng)


def _born(rng: random.Random, low: int, high: int) -> date:
    """A birth date of someone aged ``low``..``high`` today."""
    return TODAY - timedelta(days=rng.randint(low * 365 + 1, high * 365 + 364))


def make_household(
    rng: random.Random,
    village: str,
    size: int,
    numbers: Numbers,
    centre: tuple[float, float],
) -> SurveyedHousehold:
    kecamatan = village.rsplit(".", 1)[0]
    kk = numbers.kk(kecamatan, rng)
    head_sex = "male" if rng.random() < 0.85 else "female"
    head_born = _born(rng, 22, 80)
    members = [Member(person_name(rng, head_sex), head_sex, head_born, "head", "", kk)]
    second_kk = ""
    for index in range(1, size):
        if index == 1 and rng.random() < 0.85:
            sex = "female" if head_sex == "male" else "male"
            born = head_born + timedelta(days=rng.randint(-2500, 1800))
            relation = "spouse"
        elif index >= 3 and rng.random() < 0.12 and _age(head_born) < 55:
            sex = rng.choice(["male", "female"])
            born = head_born - timedelta(days=rng.randint(18 * 365, 30 * 365))
            relation = "parent"
        else:
            sex = rng.choice(["male", "female"])
            oldest = max(0, min(_age(head_born) - 18, 35))
            born = _born(rng, 0, oldest) if oldest > 0 else _born(rng, 0, 1)
            relation = "grandchild" if _age(head_born) > 55 and rng.random() < 0.3 else "child"
        card = kk
        if relation == "parent" or (relation == "child" and _age(born) > 24 and rng.random() < 0.3):
            second_kk = second_kk or numbers.kk(kecamatan, rng)
            card = second_kk
        members.append(Member(person_name(rng, sex), sex, born, relation, "", card))
    for member in members:
        infant = _age(member.birth_date) < 1 and rng.random() < 0.5
        member.nik = "" if infant else numbers.nik(kecamatan, member.birth_date, member.sex, rng)
        member.details = _details(rng, member)
    if rng.random() < 0.7:
        members[0].phone = "+62812" + f"{rng.randrange(10**8):08d}"
    housing = {
        name: rng.choices(options, weights)[0]
        for name, (options, weights) in HOUSING_CHOICES.items()
    }
    housing["floor_area"] = str(rng.choice([21, 24, 30, 36, 42, 45, 54, 60, 72, 90]))
    assets = [asset for asset, odds in zip(ASSETS, ASSET_ODDS, strict=True) if rng.random() < odds]
    programmes = sorted(rng.sample(PROGRAMMES, rng.randint(1, 2))) if rng.random() < 0.33 else []
    if rng.random() < 0.5:
        address = f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 120)}"
    else:
        address = f"Dusun {rng.choice(DUSUN)}"
    return SurveyedHousehold(
        village=village,
        kecamatan=kecamatan,
        rt=str(rng.randint(1, 12)),
        rw=str(rng.randint(1, 8)),
        address=address,
        lat=round(centre[0] + rng.uniform(-0.008, 0.008), 6),
        lon=round(centre[1] + rng.uniform(-0.008, 0.008), 6),
        accuracy=float(rng.randint(3, 15)),
        housing=housing,
        assets=assets,
        programmes=programmes,
        members=members,
    )


def village_centre(code: str) -> tuple[float, float]:
    rng = random.Random(code)
    return (-7.75 - rng.random() * 0.65, 112.35 + rng.random() * 0.6)


def household_sizes(rng: random.Random, households: int, people: int) -> list[int]:
    """Sizes 1..9 with a realistic spread, adjusted to sum to ``people`` exactly."""
    shape = [0.09, 0.19, 0.26, 0.24, 0.13, 0.06, 0.03]
    sizes = rng.choices(range(1, 8), shape, k=households)
    difference = people - sum(sizes)
    while difference:
        index = rng.randrange(households)
        if difference > 0 and sizes[index] < 9:
            sizes[index] += 1
            difference -= 1
        elif difference < 0 and sizes[index] > 1:
            sizes[index] -= 1
            difference += 1
    return sizes


# --- the PPLS answers ----------------------------------------------------------------------


def ppls_answers(household: SurveyedHousehold) -> dict[str, Any]:
    """The answers intake stores for this household, as Collect sends the PPLS."""
    head = household.members[0]
    rows = []
    for member in household.members:
        rows.append(
            {
                "name": member.name,
                "sex": member.sex,
                "nik": member.nik,
                "birth_date": member.birth_date.isoformat(),
                "relation": member.relation,
                "kk": member.kk,
                **member.details,
            }
        )
    return {
        "place": {
            "regency": "35.07",
            "subdistrict": household.kecamatan,
            "village": household.village,
            "rt": household.rt,
            "rw": household.rw,
            "address": household.address,
            "gps": f"{household.lat} {household.lon} 420 {household.accuracy:g}",
        },
        "head": {
            "hh_head_name": head.name,
            "hh_head_nik": head.nik,
            "kk_number": head.kk,
            "phone": "0" + head.phone[3:] if head.phone else "",
        },
        "housing": dict(household.housing),
        "members": rows,
        "member_count": str(len(rows)),
        "assets_group": {
            "assets": " ".join(household.assets) or "none",
            "programmes": " ".join(household.programmes) or "none",
        },
        "house_photo": "house.jpg",
    }


# --- the load ------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _at(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=rng.randint(1 * 3600, 9 * 3600)
    )


def setup_users_and_form() -> None:
    """The district officer, a reviewer a kecamatan, an agent a village; the PPLS
    published and deployed to the regency."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import Role, RoleAssignment, User
    from accounts.staff import assign_role
    from areas.models import Area
    from forms.questionnaire_source import build_xlsx, source_files
    from forms.versions import create_questionnaire, publish_form_version, set_deployment

    regency = Area.objects.get(code="35.07")
    district = User.objects.create_user(
        "district", password="bench-pw-123", first_name="Dinas", last_name="Sosial"
    )
    assign_role(user=district, role=Role.DISTRICT_STAFF, area=regency)
    villages = list(
        Area.objects.filter(level="village", code__startswith="35.07.").order_by("code")
    )
    kecamatan = sorted({v.parent_id for v in villages if v.parent_id})
    unusable = make_password(None)
    reviewers = User.objects.bulk_create(
        [
            User(username=f"reviewer_{c}", password=unusable, first_name="Reviewer", last_name=c)
            for c in kecamatan
        ]
    )
    agents = User.objects.bulk_create(
        [User(username=f"agent_{v.code}", password=unusable) for v in villages]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=r, role=Role.REVIEWER, area_id=c)
            for r, c in zip(reviewers, kecamatan, strict=True)
        ]
        + [
            RoleAssignment(user=a, role=Role.FIELD_AGENT, area=v)
            for a, v in zip(agents, villages, strict=True)
        ]
    )
    source = next(s for s in source_files() if s.stem == "ppls_household")
    version = create_questionnaire(
        workbook=build_xlsx(source),
        filename="ppls_household.xlsx",
        owner_area=regency,
        user=district,
    )
    publish_form_version(version=version, user=district)
    set_deployment(questionnaire=version.questionnaire, areas=[regency], user=district)


def _next_id(cursor: Any, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
    return int(cursor.fetchone()[0])


TABLES = [
    "intake_submission",
    "registry_source",
    "registry_household",
    "registry_family",
    "registry_person",
    "registry_personname",
    "registry_residence",
    "registry_participation",
    "registry_registrychange",
]


def load(people: int, households: int, *, seed: int = 11) -> None:
    from django.db import connection

    from accounts.models import User
    from areas.models import Area
    from forms.models import FormVersion
    from foundation.names import name_key

    started = time.perf_counter()
    rng = random.Random(seed)
    version = FormVersion.objects.get(questionnaire__form_id="ppls_household")
    villages = list(
        Area.objects.filter(level="village", code__startswith="35.07.")
        .order_by("code")
        .values_list("code", flat=True)
    )
    weights = [0.4 + random.Random(code).random() * 1.2 for code in villages]
    agents = dict(User.objects.filter(username__startswith="agent_").values_list("username", "pk"))
    reviewers = dict(
        User.objects.filter(username__startswith="reviewer_").values_list("username", "pk")
    )
    sizes = household_sizes(rng, households, people)
    numbers = Numbers()
    keys: dict[str, str] = {}

    def key_of(name: str) -> str:
        found = keys.get(name)
        if found is None:
            found = keys[name] = name_key(name)[:255]
        return found

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        ids = {table: _next_id(cursor, table) for table in TABLES}
        with bulk_load(cursor, TABLES):
            chunk = 5000
            for first in range(0, households, chunk):
                rows = _chunk_rows(
                    rng, range(first, min(households, first + chunk)), sizes, villages, weights,
                    numbers, ids, version, agents, reviewers, key_of,
                )  # fmt: skip
                for table, columns, values in rows:
                    copy_rows(cursor, table, columns, values)
                if first % 50_000 == 0:
                    print(
                        f"  {first + chunk:,} households {time.perf_counter() - started:.0f} s",
                        flush=True,
                    )
            print(f"  rows copied {time.perf_counter() - started:.0f} s", flush=True)
            _person_changes(cursor)
            print(f"  people's changes {time.perf_counter() - started:.0f} s", flush=True)
            # The names held once each, as the merge notes them (registry.name_index).
            cursor.execute(
                "INSERT INTO registry_personname (name_key) SELECT DISTINCT name_key "
                "FROM registry_person ON CONFLICT DO NOTHING"
            )
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    print(f"  loaded in {time.perf_counter() - started:.0f} s", flush=True)


SUBMISSION_COLUMNS = (
    "id", "questionnaire_id", "form_version_id", "instance_id", "xml", "xml_sha256", "status",
    "expected_attachments", "area_id", "submitted_by_id", "device_id", "received_at",
    "completed_at", "deprecated_id", "is_current", "processed_at", "processing_error",
)  # fmt: skip
SOURCE_COLUMNS = (
    "id", "kind", "submission_id", "label", "approved_by_id", "approved_at", "observed_at",
    "summary",
)  # fmt: skip
HOUSEHOLD_COLUMNS = (
    "id", "village_id", "kecamatan_code", "rt", "rw", "address", "location",
    "location_accuracy_m", "head_id", "housing", "assets", "kks_number", "created_by_source_id",
    "created_at", "updated_at",
)  # fmt: skip
FAMILY_COLUMNS = ("id", "kk_number", "household_id", "created_at")
PERSON_COLUMNS = (
    "id", "nik", "name", "name_key", "sex", "birth_date", "phone", "household_id", "village_id",
    "kecamatan_code", "family_id", "relation", "details", "created_by_source_id", "created_at",
    "updated_at",
)  # fmt: skip
RESIDENCE_COLUMNS = ("person_id", "household_id", "since", "source_id")
PARTICIPATION_COLUMNS = ("household_id", "programme", "source_id", "since")
CHANGE_COLUMNS = ("source_id", "household_id", "family_id", "field", "before", "after", "at")


def _chunk_rows(
    rng: random.Random,
    indexes: range,
    sizes: list[int],
    villages: list[str],
    weights: list[float],
    numbers: Numbers,
    ids: dict[str, int],
    version: Any,
    agents: dict[str, int],
    reviewers: dict[str, int],
    key_of: Callable[[str], str],
) -> list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]:
    """The rows of some households, table by table; the people's changes come later, in SQL
    (they follow from the people's rows alone)."""
    submissions: list[tuple[Any, ...]] = []
    sources: list[tuple[Any, ...]] = []
    households: list[tuple[Any, ...]] = []
    families: list[tuple[Any, ...]] = []
    persons: list[tuple[Any, ...]] = []
    residences: list[tuple[Any, ...]] = []
    participations: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    chosen = rng.choices(villages, weights, k=len(indexes))
    for index, village in zip(indexes, chosen, strict=True):
        surveyed = make_household(rng, village, sizes[index], numbers, village_centre(village))
        kecamatan = surveyed.kecamatan
        household_id = ids["registry_household"]
        ids["registry_household"] += 1
        surveys = [date(2025, 1, 6) + timedelta(days=rng.randrange(330))]
        if rng.random() < 0.2:
            surveys.append(surveys[0] + timedelta(days=rng.randint(300, 600)))
        source_ids, approved = [], []
        for number, day in enumerate(surveys):
            submission_id = ids["intake_submission"]
            ids["intake_submission"] += 1
            source_id = ids["registry_source"]
            ids["registry_source"] += 1
            instance = f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
            xml = (
                f'<?xml version="1.0"?>\n<data id="ppls_household" version="{version.version}">'
                f"<meta><instanceID>{instance}</instanceID></meta></data>"
            ).encode()
            received = _at(day, rng)
            approved_at = received + timedelta(hours=rng.randint(4, 96))
            submissions.append(
                (
                    submission_id, version.questionnaire_id, version.pk, instance, xml,
                    hashlib.sha256(xml).hexdigest(), "complete", '["house.jpg"]', village,
                    agents[f"agent_{village}"], f"collect:{village}", received, received, "",
                    True, received + timedelta(seconds=3), "",
                )
            )  # fmt: skip
            summary = {
                "kind": "household",
                "households_created": int(number == 0),
                "people_created": len(surveyed.members) if number == 0 else 0,
                "families_created": len({m.kk for m in surveyed.members}) if number == 0 else 0,
                "people_updated": 0,
                "changes": 0,
                "conflicts": 0,
                "moves": 0,
                "programmes_started": len(surveyed.programmes) if number == 0 else 0,
                "programmes_ended": 0,
                "household_id": household_id,
            }
            sources.append(
                (
                    source_id, "submission", submission_id, f"ppls_household:{instance}",
                    reviewers[f"reviewer_{kecamatan}"], approved_at, received, _json(summary),
                )
            )  # fmt: skip
            source_ids.append(source_id)
            approved.append(approved_at)
        first_source, first_at = source_ids[0], approved[0]
        # The first survey's household values, then the re-survey's changes of its housing.
        housing_then = dict(surveyed.housing)
        household_changes: list[tuple[str, Any, Any]] = [
            ("village", None, village),
            ("rt", "", surveyed.rt),
            ("rw", "", surveyed.rw),
            ("address", "", surveyed.address),
            (
                "location",
                None,
                {"lat": surveyed.lat, "lon": surveyed.lon, "accuracy_m": surveyed.accuracy},
            ),
        ]
        household_changes += [(f"housing.{k}", None, v) for k, v in sorted(housing_then.items())]
        if surveyed.assets:
            household_changes.append(("assets", [], surveyed.assets))
        if surveyed.programmes:
            household_changes.append(("programmes", [], surveyed.programmes))
        for name, before, after in household_changes:
            changes.append(
                (first_source, household_id, None, name,
                 None if before is None else _json(before), _json(after), first_at)
            )  # fmt: skip
        if len(source_ids) > 1:
            for name in rng.sample(sorted(HOUSING_CHOICES), rng.randint(1, 3)):
                options, option_weights = HOUSING_CHOICES[name]
                new = rng.choices(options, option_weights)[0]
                if new != surveyed.housing[name]:
                    changes.append(
                        (source_ids[1], household_id, None, f"housing.{name}",
                         _json(surveyed.housing[name]), _json(new), approved[1])
                    )  # fmt: skip
                    surveyed.housing[name] = new
        family_ids: dict[str, int] = {}
        for kk in dict.fromkeys(m.kk for m in surveyed.members):
            family_ids[kk] = ids["registry_family"]
            ids["registry_family"] += 1
            families.append((family_ids[kk], kk, household_id, first_at))
            changes.append(
                (first_source, None, family_ids[kk], "household", None, _json(household_id),
                 first_at)
            )  # fmt: skip
        head_id = ids["registry_person"]
        for member in surveyed.members:
            person_id = ids["registry_person"]
            ids["registry_person"] += 1
            persons.append(
                (
                    person_id, member.nik or None, member.name, key_of(member.name), member.sex,
                    member.birth_date, member.phone, household_id, village, kecamatan,
                    family_ids[member.kk], member.relation, _json(member.details), first_source,
                    first_at, first_at,
                )
            )  # fmt: skip
            residences.append((person_id, household_id, first_at.date(), first_source))
        changes.append((first_source, household_id, None, "head", None, _json(head_id), first_at))
        households.append(
            (
                household_id, village, kecamatan, surveyed.rt, surveyed.rw, surveyed.address,
                f"SRID=4326;POINT({surveyed.lon} {surveyed.lat})", surveyed.accuracy, head_id,
                _json(surveyed.housing), _json(surveyed.assets), "", first_source, first_at,
                approved[-1],
            )
        )  # fmt: skip
        for programme in surveyed.programmes:
            participations.append((household_id, programme, first_source, first_at.date()))
    return [
        ("intake_submission", SUBMISSION_COLUMNS, submissions),
        ("registry_source", SOURCE_COLUMNS, sources),
        ("registry_household", HOUSEHOLD_COLUMNS, households),
        ("registry_family", FAMILY_COLUMNS, families),
        ("registry_person", PERSON_COLUMNS, persons),
        ("registry_residence", RESIDENCE_COLUMNS, residences),
        ("registry_participation", PARTICIPATION_COLUMNS, participations),
        ("registry_registrychange", CHANGE_COLUMNS, changes),
    ]


def _person_changes(cursor: Any) -> None:
    """Every person's values as her first survey set them (the merge's fields, before and
    after as it writes them), and then the summaries' change counts."""
    cursor.execute(
        """
        INSERT INTO registry_registrychange (source_id, person_id, field, before, after, at)
        SELECT p.created_by_source_id, p.id, v.field, v.before, v.after, p.created_at
        FROM registry_person p
        JOIN registry_family f ON f.id = p.family_id
        CROSS JOIN LATERAL (
          VALUES ('name', '""'::jsonb, to_jsonb(p.name)),
            ('nik', NULL, to_jsonb(p.nik)),
            ('sex', '""'::jsonb, to_jsonb(p.sex)),
            ('birth_date', NULL, to_jsonb(p.birth_date::text)),
            ('family', '""'::jsonb, to_jsonb(f.kk_number)),
            ('phone', '""'::jsonb, to_jsonb(nullif(p.phone, ''))),
            ('relation', '""'::jsonb, to_jsonb(p.relation))
          UNION ALL
          SELECT 'details.' || d.key, NULL::jsonb, d.value FROM jsonb_each(p.details) AS d
          UNION ALL
          VALUES ('household', NULL::jsonb, to_jsonb(p.household_id)),
            ('village', NULL, to_jsonb(p.village_id))
        ) AS v (field, before, after)
        WHERE v.after IS NOT NULL
        """
    )
    cursor.execute(
        """
        UPDATE registry_source s SET summary = jsonb_set(s.summary, '{changes}', to_jsonb(c.n))
        FROM (SELECT source_id, count(*) AS n FROM registry_registrychange GROUP BY source_id) c
        WHERE c.source_id = s.id
        """
    )


# --- the measurements ----------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    times_ms: list[float]
    queries: int
    target_ms: float | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def line(self) -> str:
        verdict = ""
        if self.target_ms is not None:
            verdict = "PASS" if self.p95 < self.target_ms else "MISS"
            verdict = f"< {self.target_ms:.0f} ms {verdict}"
        return (
            f"{self.label:<52} {self.median:8.1f} {self.p95:8.1f} {self.queries:6d}  "
            f"{verdict:<14} {self.note}"
        )


HEADER = f"{'':<52} {'median':>8} {'p95':>8} {'queries':>6}  {'target (p95)':<14}"


def timed(
    label: str,
    actions: Iterator[Callable[[], object]],
    rounds: int,
    target: float | None = None,
) -> Figure:
    """One warm-up, then ``rounds`` runs (each its own action); the queries of the first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for attempt in range(rounds + 1):
        action = next(actions)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            action()
            elapsed = (time.perf_counter() - started) * 1000
        if attempt == 1:
            queries = len(captured)
        if attempt:
            times.append(elapsed)
    figure = Figure(label, times, queries, target)
    print(figure.line(), flush=True)
    return figure


class Bench:
    def __init__(self, rounds: int, seed: int) -> None:
        from accounts.models import User
        from forms.models import FormVersion
        from registry.models import Household

        self.rounds = rounds
        self.rng = random.Random(seed)
        self.reviewer = User.objects.get(username=f"reviewer_{KECAMATAN}")
        self.district = User.objects.get(username="district")
        self.version = FormVersion.objects.get(questionnaire__form_id="ppls_household")
        self.numbers = Numbers(first_serial=5000)
        ids = Household.objects.filter(kecamatan_code=KECAMATAN).order_by("pk")
        self.household_ids = list(ids.values_list("pk", flat=True))
        self.villages = sorted(
            {code for code in ids.values_list("village_id", flat=True).distinct()}
        )
        self.figures: list[Figure] = []

    def _keep(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        return figure

    # -- merges ---------------------------------------------------------------------------

    def _send(self, household: SurveyedHousehold) -> Any:
        """Through intake as the village's agent (photo and all), processed as the worker
        does; the stored submission."""
        from accounts.models import User
        from intake.demo_submissions import instance_xml
        from intake.ingest import IncomingFile, ingest_submission
        from intake.models import Submission
        from intake.processing import process_submission
        from tests.review.review_households import house_photo

        agent = User.objects.get(username=f"agent_{household.village}")
        instance_id = f"uuid:{uuid.uuid4()}"
        ingest_submission(
            user=agent,
            xml=instance_xml(self.version, ppls_answers(household), instance_id),
            files=[IncomingFile("house.jpg", house_photo(self.rng.randrange(1000)))],
            device_id=f"collect:{household.village}",
            is_incomplete=False,
        )
        submission = Submission.objects.get(instance_id=instance_id)
        process_submission(submission_id=submission.pk)
        submission.refresh_from_db()
        assert submission.answers, submission.processing_error
        return submission

    def _new_household(self) -> SurveyedHousehold:
        from registry.models import Family, Person

        while True:
            village = self.rng.choice(self.villages)
            size = self.rng.choices(range(1, 8), [9, 19, 26, 24, 13, 6, 3])[0]
            household = make_household(
                self.rng, village, size, self.numbers, village_centre(village)
            )
            niks = [m.nik for m in household.members if m.nik]
            kks = {m.kk for m in household.members}
            if not Person.objects.filter(nik__in=niks).exists() and not (
                Family.objects.filter(kk_number__in=kks).exists()
            ):
                return household

    def _resurvey(self) -> SurveyedHousehold:
        """A loaded household as the registry holds it, surveyed again: a housing answer
        changed, the head's work hours, sometimes a newborn."""
        from registry.models import Household, Participation, Person

        household = Household.objects.get(pk=self.rng.choice(self.household_ids))
        people = list(
            Person.objects.filter(household=household).select_related("family").order_by("pk")
        )
        head = next((p for p in people if p.pk == household.head_id), people[0])
        people.remove(head)
        members = [
            Member(
                p.name, p.sex, p.birth_date, p.relation, p.nik or "",
                p.family.kk_number if p.family else "", p.phone, dict(p.details),
            )
            for p in [head, *people]
        ]  # fmt: skip
        programmes = sorted(
            set(
                Participation.objects.filter(household=household, until__isnull=True).values_list(
                    "programme", flat=True
                )
            )
        )
        surveyed = SurveyedHousehold(
            village=household.village_id,
            kecamatan=household.kecamatan_code,
            rt=household.rt,
            rw=household.rw,
            address=household.address,
            lat=round(household.location.y + self.rng.uniform(-1e-4, 1e-4), 6),
            lon=round(household.location.x + self.rng.uniform(-1e-4, 1e-4), 6),
            accuracy=float(self.rng.randint(3, 15)),
            housing=dict(household.housing),
            assets=list(household.assets),
            programmes=programmes,
            members=members,
        )
        name = self.rng.choice(sorted(HOUSING_CHOICES))
        options, weights = HOUSING_CHOICES[name]
        surveyed.housing[name] = self.rng.choices(options, weights)[0]
        if "work_hours" in members[0].details:
            members[0].details["work_hours"] = str(self.rng.choice([30, 40, 48]))
        if self.rng.random() < 0.3:
            sex = self.rng.choice(["male", "female"])
            baby = Member(
                person_name(self.rng, sex), sex, TODAY - timedelta(days=self.rng.randint(20, 300)),
                "child", "", members[0].kk,
            )  # fmt: skip
            baby.details = _details(self.rng, baby)
            surveyed.members = [*members, baby]
        return surveyed

    def merges(self) -> None:
        from registry.merge import merge_submission

        summaries: list[dict[str, Any]] = []

        def merging(make: Callable[[], SurveyedHousehold]) -> Iterator[Callable[[], object]]:
            while True:
                submission = self._send(make())

                def merge(submission: Any = submission) -> object:
                    source = merge_submission(
                        submission=submission,
                        answers=submission.answers,
                        approved_by=self.reviewer,
                    )
                    summaries.append(source.summary)
                    return source

                yield merge

        for label, make, kind in (
            ("merge: a new household", self._new_household, "new"),
            ("merge: a re-survey of a loaded household", self._resurvey, "again"),
        ):
            summaries.clear()
            figure = self._keep(timed(label, merging(make), self.rounds, TARGETS_MS["merge"]))
            created = sum(s.get("households_created", 0) for s in summaries)
            conflicts = sum(s.get("conflicts", 0) for s in summaries)
            changes = statistics.median(s.get("changes", 0) for s in summaries)
            figure.note = (
                f"{len(summaries)} merges: {created} households created, {conflicts} conflicts, "
                f"median {changes:.0f} values set"
            )
            print(f"    {figure.note}", flush=True)
            if kind == "again":
                assert created == 0, "a re-survey must find its household"

    # -- reads ----------------------------------------------------------------------------

    def _people_in_scope(self, count: int) -> list[Any]:
        from registry.models import Person

        ids = self.rng.sample(self.household_ids, min(count, len(self.household_ids)))
        return list(Person.objects.filter(household_id__in=ids, nik__isnull=False))

    def lookups(self) -> None:
        from registry import queries

        people = self._people_in_scope(self.rounds * 3 + 10)
        niks = [p.nik for p in people]

        def by_nik(user: Any, kind: str) -> Iterator[Callable[[], object]]:
            position = 0
            while True:
                nik = niks[position % len(niks)]
                position += 1

                def look(nik: str = nik) -> object:
                    filters = queries.RegistryFilters.from_query({"q": nik})
                    if kind == "households":
                        rows = queries.search_households(user, filters).select_related(
                            "village", "head"
                        )
                    else:
                        rows = queries.search_people(user, filters).select_related(
                            "village", "household"
                        )
                    page = queries.page_of(rows, 1)
                    assert page.rows, nik
                    return page

                yield look

        for user, who in ((self.reviewer, "Kepanjen's reviewer"), (self.district, "district")):
            for kind in ("households", "people"):
                self._keep(
                    timed(
                        f"NIK lookup, {kind} list ({who})",
                        by_nik(user, kind),
                        self.rounds,
                        TARGETS_MS["nik"],
                    )
                )

    def _rare_names(self) -> tuple[str, str]:
        """A rare old name of Kepanjen, typed in the new spelling (one word, and with the
        first name before it)."""
        from registry.models import Person

        words = [w for w in RARE_PARTS[0]]
        for person in Person.objects.filter(kecamatan_code=KECAMATAN).order_by("pk")[:20000]:
            parts = person.name.split()
            if len(parts) == 2 and any(parts[1].startswith(w) for w in words):
                if any(old in parts[1] for old in ("oe", "dj", "tj")):
                    modern = parts[1].replace("oe", "u").replace("dj", "j").replace("tj", "c")
                    return modern, f"{parts[0]} {modern}"
        raise AssertionError("no rare name in Kepanjen")

    def names(self) -> None:
        from registry import queries

        rare_one, rare_two = self._rare_names()
        cases = [
            ("Siti", "common, one word"),
            ("Muhammad Yusuf", "common, two words"),
            (rare_one, "rare, one word"),
            (rare_two, "rare, two words"),
        ]

        def search(user: Any, text: str) -> Iterator[Callable[[], object]]:
            def run() -> object:
                filters = queries.RegistryFilters.from_query({"q": text})
                people = queries.search_people(user, filters).select_related("village", "household")
                return queries.page_of(people, 1)

            while True:
                yield run

        for user, who in ((self.reviewer, "Kepanjen's reviewer"), (self.district, "district")):
            for text, kind in cases:
                figure = self._keep(
                    timed(
                        f"name search {kind} ({who})",
                        search(user, text),
                        self.rounds,
                        TARGETS_MS["name"],
                    )
                )
                page = search(user, text).__next__()()
                assert isinstance(page, queries.Page)
                figure.note = f"“{text}”: {page.total.count:,} people"
                print(f"    {figure.note}", flush=True)

    def pages(self) -> None:
        from django.test import Client

        from registry.models import Person

        client = Client(HTTP_HOST="localhost")
        client.force_login(self.reviewer)

        def get(paths: Iterator[str]) -> Iterator[Callable[[], object]]:
            for path in paths:

                def load(path: str = path) -> object:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.status_code)
                    return response

                yield load

        def households(suffix: str = "") -> Iterator[str]:
            while True:
                yield f"/registry/households/{self.rng.choice(self.household_ids)}/{suffix}"

        def people() -> Iterator[str]:
            while True:
                household_id = self.rng.choice(self.household_ids)
                person = Person.objects.filter(household_id=household_id).order_by("?").first()
                assert person is not None
                yield f"/registry/people/{person.pk}/"

        target = TARGETS_MS["household page"]
        self._keep(
            timed("household page (Kepanjen's reviewer)", get(households()), self.rounds, target)
        )
        self._keep(
            timed(
                "household page as on 2025-06-30",
                get(households("?as_of=2025-06-30")),
                self.rounds,
                target,
            )
        )
        self._keep(timed("person page (Kepanjen's reviewer)", get(people()), self.rounds, target))
        self._keep(
            timed(
                "households list, NIK search (page)",
                get(
                    f"/registry/households/?q={p.nik}"
                    for p in self._people_in_scope(self.rounds + 5)
                ),
                self.rounds,
            )
        )
        self._keep(
            timed(
                "people list, name search “Siti” (page)",
                get(iter(lambda: "/registry/people/?q=Siti", None)),
                self.rounds,
            )
        )

    def exports(self) -> None:
        print(
            f"{'export of Kepanjen':<24} {'rows':>7} {'s':>6} {'rows/s':>8} {'1st byte':>9} "
            f"{'MB':>6} {'peak MB':>8} {'RSS +MB':>8}"
        )
        for export in ("households.csv", "households.xlsx"):
            path = f"/registry/export/{export}"
            params = {"village": KECAMATAN}
            runs = [
                measure_export(self.reviewer.username, path, params, traced=False) for _ in range(3)
            ]
            traced = measure_export(self.reviewer.username, path, params, traced=True)
            timed_run = min(runs, key=lambda run: abs(run["seconds"] - statistics.median(
                r["seconds"] for r in runs)))  # fmt: skip
            print(
                f"{export:<24} {timed_run['rows']:>7,} {timed_run['seconds']:>6.2f} "
                f"{timed_run['rows_per_s']:>8,.0f} {timed_run['first_byte_ms']:>7.0f}ms "
                f"{timed_run['mb']:>6.1f} {traced['peak_mb']:>8.1f} "
                f"{max(r['rss_growth_mb'] for r in runs):>8.1f}",
                flush=True,
            )


def sizes() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)), reltuples::bigint "
            "FROM pg_class WHERE relname = ANY(%s) ORDER BY relname",
            [TABLES],
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        total = cursor.fetchone()[0]
    return "\n".join(f"  {name}: {size}, {count:,} rows" for name, size, count in rows) + (
        f"\n  database: {total}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--keep", action="store_true", help=f"use {DATABASE} as it is")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--only", action="append", choices=["merge", "nik", "name", "pages", "export"]
    )
    args = parser.parse_args()
    if args.keep and not database_exists(DATABASE):
        parser.error(f"--keep: there is no database {DATABASE} yet")
    if not args.keep:
        print(f"making {DATABASE} anew", flush=True)
        make_database(DATABASE)
    MEDIA_ROOT.mkdir(exist_ok=True)
    setup_django(DATABASE, SRS_MEDIA_ROOT=str(MEDIA_ROOT))
    from django.conf import settings

    settings.SRS_PROCESS_IN_REQUEST = False  # processed here, as the worker would
    if not args.keep:
        setup_users_and_form()
        print(f"loading {args.people:,} people in {args.households:,} households", flush=True)
        load(args.people, args.households)
    print(sizes())
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}, {time.strftime('%c')}")
    print(f"process peak RSS {max_rss_mb():.0f} MB")
    bench = Bench(args.rounds, args.seed)
    print(f"Kepanjen: {len(bench.household_ids):,} households; server time in ms, in process")
    print(HEADER)
    only = set(args.only or ["merge", "nik", "name", "pages", "export"])
    if "merge" in only:
        bench.merges()
    if "nik" in only:
        bench.lookups()
    if "name" in only:
        bench.names()
    if "pages" in only:
        bench.pages()
    if "export" in only:
        bench.exports()
    missed = [f.label for f in bench.figures if f.target_ms is not None and f.p95 >= f.target_ms]
    print("all targets met" if not missed else f"MISSED: {', '.join(missed)}")
    print(f"load average {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
