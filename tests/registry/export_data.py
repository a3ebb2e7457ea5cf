"""Registry rows made directly, for the tests of exports and of the phones' lists.

The merge's own tests build households through approval; exports and lists
only read the tables, so these rows are written with the ORM: a source, a
household with its head and members, a family card, programmes.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.gis.geos import Point
from django.utils import timezone

from accounts.models import User
from areas.models import Area
from foundation.names import name_key
from registry.models import Family, Household, Participation, Person, Source

KEPANJEN = "35.07.13"
TALANGAGUNG = "35.07.13.2011"  # a village of Kepanjen
KEPANJEN_TOWN = "35.07.13.1010"  # a kelurahan of Kepanjen
PAGELARAN = "35.07.33"
PAGELARAN_VILLAGE = "35.07.33.2001"


@dataclass
class Member:
    name: str
    nik: str = ""
    sex: str = "female"
    birth_date: date | None = None
    relation: str = "child"
    phone: str = ""


@dataclass
class HouseholdData:
    village: str = TALANGAGUNG
    head: Member = field(
        default_factory=lambda: Member(
            "Budi Santoso", "3507131708800001", "male", date(1980, 8, 17), "head", "+6281234567890"
        )
    )
    members: list[Member] = field(default_factory=list)
    rt: str = "001"
    rw: str = "002"
    address: str = "Jl. Mawar 1"
    kk: str = "3507130101090001"
    programmes: tuple[str, ...] = ()
    location: tuple[float, float] | None = (-8.1307, 112.5712)


def make_source(user: User, label: str = "test") -> Source:
    return Source.objects.create(
        kind=Source.Kind.IMPORT, label=label, approved_by=user, approved_at=timezone.now()
    )


def make_household(source: Source, data: HouseholdData) -> Household:
    village = Area.objects.get(code=data.village)
    kecamatan = ".".join(data.village.split(".")[:3])
    household = Household.objects.create(
        village=village,
        kecamatan_code=kecamatan,
        rt=data.rt,
        rw=data.rw,
        address=data.address,
        location=Point(data.location[1], data.location[0], srid=4326) if data.location else None,
        created_by_source=source,
    )
    family = Family.objects.create(kk_number=data.kk, household=household) if data.kk else None
    for index, member in enumerate([data.head, *data.members]):
        person = Person.objects.create(
            nik=member.nik or None,
            name=member.name,
            name_key=name_key(member.name),
            sex=member.sex,
            birth_date=member.birth_date,
            phone=member.phone,
            household=household,
            village=village,
            kecamatan_code=kecamatan,
            family=family,
            relation=member.relation,
            created_by_source=source,
        )
        if index == 0:
            household.head = person
            household.save(update_fields=["head"])
    for programme in data.programmes:
        Participation.objects.create(
            household=household, programme=programme, source=source, since=date(2024, 1, 1)
        )
    return household


def kepanjen_and_pagelaran(user: User) -> dict[str, Household]:
    """Budi's household of three in Talangagung (Kepanjen), Wati's in Pagelaran."""
    source = make_source(user)
    budi = make_household(
        source,
        HouseholdData(
            members=[
                Member("Siti Aminah", "3507135205830002", "female", date(1983, 5, 12), "spouse"),
                Member("Putri Lestari", "", "female", date(2025, 6, 1), "child"),
            ],
            programmes=("pkh",),
        ),
    )
    wati = make_household(
        source,
        HouseholdData(
            village=PAGELARAN_VILLAGE,
            head=Member("Wati Pagelaran", "3507334101750005", "female", date(1975, 1, 1), "head"),
            kk="3507330101100002",
            rt="003",
            rw="004",
        ),
    )
    return {"budi": budi, "wati": wati}
