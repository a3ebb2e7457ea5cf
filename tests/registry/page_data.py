"""Registry rows made directly, for the tests of its pages, API, search and masking.

The merge has tests of its own (``test_merge.py``); these tests are about who
sees what, so they build the rows they read in a few lines: a household in
Talangagung (Kepanjen, 35.07.13) and one in Pagelaran (35.07.33), each with
its people, family card, programme, a conflict and a history.
"""

import datetime
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.models import User
from areas.models import Area
from foundation.names import name_key
from registry.models import (
    Conflict,
    Family,
    Household,
    Participation,
    Person,
    RegistryChange,
    Residence,
    Source,
)
from registry.name_index import note_names
from tests.factories import make_user

TALANGAGUNG = "35.07.13.2011"
KEPANJEN_TOWN = "35.07.13.1010"
PAGELARAN_VILLAGE = "35.07.33.2001"

BUDI_NIK = "3507131708800001"
SITI_NIK = "3507135205830002"
KK_BUDI = "3507130101090001"
BUDI_PHONE = "+6281234565678"
SARI_NIK = "3507334404900007"
KK_SARI = "3507330101100002"
SARI_PHONE = "+6285712349876"
# Every full identifier of the data: none may appear in a page or an answer unrevealed.
SECRETS = (BUDI_NIK, SITI_NIK, KK_BUDI, BUDI_PHONE, SARI_NIK, KK_SARI, SARI_PHONE)


def make_source(approved_by: User, label: str, *, days_ago: int = 10) -> Source:
    return Source.objects.create(
        kind=Source.Kind.SUBMISSION,
        label=label,
        approved_by=approved_by,
        approved_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def make_household(
    source: Source,
    village_code: str,
    *,
    rt: str = "3",
    rw: str = "2",
    address: str = "Jl. Raya 12",
    location: tuple[float, float] | None = (112.5712, -8.1307),
    kks_number: str = "",
) -> Household:
    village = Area.objects.get(code=village_code)
    return Household.objects.create(
        village=village,
        kecamatan_code=village.parent_id or "",
        rt=rt,
        rw=rw,
        address=address,
        location=Point(*location, srid=4326) if location else None,
        location_accuracy_m=5.0 if location else None,
        housing={"tenure": "own", "roof_material": "tile", "floor_area": "36"},
        assets=["motorbike", "television"],
        kks_number=kks_number,
        created_by_source=source,
    )


def make_person(
    household: Household,
    source: Source,
    name: str,
    *,
    nik: str | None,
    sex: str = "male",
    born: str = "1980-08-17",
    relation: str = "head",
    phone: str = "",
    family: Family | None = None,
) -> Person:
    note_names([name_key(name)])  # as the merge does
    person = Person.objects.create(
        nik=nik,
        name=name,
        name_key=name_key(name),
        sex=sex,
        birth_date=datetime.date.fromisoformat(born),
        phone=phone,
        household=household,
        village=household.village,
        kecamatan_code=household.kecamatan_code,
        family=family,
        relation=relation,
        details={"marital_status": "married", "work_hours": "40"},
        created_by_source=source,
    )
    Residence.objects.create(
        person=person, household=household, since=datetime.date(2026, 1, 5), source=source
    )
    for field, value in (
        ("name", name),
        ("nik", nik),
        ("birth_date", born),
        ("phone", phone),
        ("household", household.pk),
    ):
        RegistryChange.objects.create(
            source=source,
            person=person,
            field=field,
            before=None,
            after=value,
            at=source.approved_at,
        )
    return person


@dataclass
class RegistryData:
    approver: User
    budi_household: Household
    budi: Person
    siti: Person
    baby: Person
    sari_household: Household
    sari: Person
    budi_conflict: Conflict
    sari_conflict: Conflict


def build_registry() -> RegistryData:
    """Budi's household of three in Talangagung (Kepanjen) and Sari's in Pagelaran."""
    approver = make_user("approver", "reviewer", ["35.07.13"])
    source = make_source(approver, "ppls_household:uuid:budi")
    later = make_source(approver, "ppls_household:uuid:budi-2", days_ago=2)
    home = make_household(source, TALANGAGUNG, kks_number="3507130000123456")
    family = Family.objects.create(kk_number=KK_BUDI, household=home)
    budi = make_person(home, source, "Budi Santoso", nik=BUDI_NIK, phone=BUDI_PHONE, family=family)
    siti = make_person(
        home,
        source,
        "Siti Aminah",
        nik=SITI_NIK,
        sex="female",
        born="1983-05-12",
        relation="spouse",
        family=family,
    )
    baby = make_person(
        home, source, "Putri Lestari", nik=None, sex="female", born="2025-06-01", relation="child"
    )
    home.head = budi
    home.save(update_fields=["head"])
    RegistryChange.objects.create(
        source=source,
        household=home,
        field="address",
        before=None,
        after="Jl. Raya 12",
        at=source.approved_at,
    )
    Participation.objects.create(
        household=home, programme="pkh", source=source, since=datetime.date(2026, 1, 5)
    )
    budi_conflict = Conflict.objects.create(
        person=budi,
        field="birth_date",
        held="1980-08-17",
        offered="1980-08-18",
        held_source=source,
        source=later,
        village=home.village,
        kecamatan_code=home.kecamatan_code,
    )

    elsewhere = make_source(approver, "ppls_household:uuid:sari")
    far = make_household(elsewhere, PAGELARAN_VILLAGE, address="Dusun Krajan 7", rt="1", rw="4")
    far_family = Family.objects.create(kk_number=KK_SARI, household=far)
    sari = make_person(
        far,
        elsewhere,
        "Sari Wulandari",
        nik=SARI_NIK,
        sex="female",
        born="1990-04-04",
        phone=SARI_PHONE,
        family=far_family,
    )
    far.head = sari
    far.save(update_fields=["head"])
    Participation.objects.create(
        household=far, programme="pkh", source=elsewhere, since=datetime.date(2026, 1, 5)
    )
    sari_conflict = Conflict.objects.create(
        person=sari,
        field="sex",
        held="female",
        offered="male",
        held_source=elsewhere,
        source=elsewhere,
        village=far.village,
        kecamatan_code=far.kecamatan_code,
    )
    return RegistryData(
        approver=approver,
        budi_household=home,
        budi=budi,
        siti=siti,
        baby=baby,
        sari_household=far,
        sari=sari,
        budi_conflict=budi_conflict,
        sari_conflict=sari_conflict,
    )


@dataclass
class Readers:
    """One user per role and place the registry's rules are about."""

    kepanjen_reviewer: User
    pagelaran_reviewer: User
    agent: User  # a field agent of Talangagung
    town_agent: User  # a field agent of Kepanjen town (same kecamatan, another village)
    coordinator: User  # Kepanjen's SRS coordinator
    district: User
    monitor: User
    auditor: User


def make_readers() -> Readers:
    return Readers(
        kepanjen_reviewer=make_user("rev-kepanjen", "reviewer", ["35.07.13"]),
        pagelaran_reviewer=make_user("rev-pagelaran", "reviewer", ["35.07.33"]),
        agent=make_user("agent-talangagung", "field_agent", [TALANGAGUNG]),
        town_agent=make_user("agent-town", "field_agent", [KEPANJEN_TOWN]),
        coordinator=make_user("coord-kepanjen", "coordinator", ["35.07.13"]),
        district=make_user("district-malang", "district_staff", ["35.07"]),
        monitor=make_user("monitor-jatim", "monitor", ["35"]),
        auditor=make_user("auditor-malang", "auditor", ["35.07"]),
    )


DEWI_NIK = "3507134506050004"
ANDI_NIK = "3507130309080003"
# The full identifiers of Budi's card's members who live elsewhere.
FAMILY_SECRETS = (DEWI_NIK, ANDI_NIK)


@dataclass
class FamilyElsewhere:
    dewi: Person  # Budi's daughter, married into a household of Kepanjen town
    andi: Person  # Budi's son, who works in Pagelaran


def add_family_elsewhere(data: RegistryData) -> FamilyElsewhere:
    """Two more people on Budi's family card (KK), living in other households: Dewi in
    Kepanjen town (Budi's kecamatan, another village) and Andi in Pagelaran."""
    family = data.budi.family
    assert family is not None
    source = data.budi_household.created_by_source
    town = make_household(source, KEPANJEN_TOWN, address="Jl. Kawi 3", rt="5", rw="1")
    dewi = make_person(
        town,
        source,
        "Dewi Santoso",
        nik=DEWI_NIK,
        sex="female",
        born="2005-06-05",
        relation="spouse",
        family=family,
    )
    far = make_household(source, PAGELARAN_VILLAGE, address="Dusun Sumber 2", rt="2", rw="1")
    andi = make_person(
        far, source, "Andi Santoso", nik=ANDI_NIK, born="2008-09-03", relation="head", family=family
    )
    return FamilyElsewhere(dewi=dewi, andi=andi)
