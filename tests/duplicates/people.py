"""People written into the registry as a merge leaves them, for the duplicates' tests.

The duplicates app only reads the registry, so its tests put people there
directly: one ``Source`` (an import), households, family cards and people with
their stored ``name_key``.
"""

from datetime import date

from django.utils import timezone

from accounts.models import User
from foundation.names import name_key
from registry.models import Family, Household, Person, Source

KEPANJEN = "35.07.13"
TALANGAGUNG = "35.07.13.2011"
KEPANJEN_TOWN = "35.07.13.1010"
PAGELARAN = "35.07.33"
PAGELARAN_VILLAGE = "35.07.33.2001"


def registry_source(user: User) -> Source:
    now = timezone.now()
    return Source.objects.create(
        kind=Source.Kind.IMPORT, label="test extract", approved_by=user, approved_at=now
    )


def household(source: Source, village: str = TALANGAGUNG, kk: str = "") -> Household:
    home = Household.objects.create(
        village_id=village, kecamatan_code=village.rsplit(".", 1)[0], created_by_source=source
    )
    if kk:
        Family.objects.create(kk_number=kk, household=home)
    return home


def person(
    source: Source,
    name: str,
    born: str,
    *,
    nik: str | None = None,
    sex: str = "female",
    village: str = TALANGAGUNG,
    home: Household | None = None,
    phone: str = "",
) -> Person:
    family = Family.objects.filter(household=home).first() if home else None
    return Person.objects.create(
        nik=nik,
        name=name,
        name_key=name_key(name),
        sex=sex,
        birth_date=date.fromisoformat(born),
        phone=phone,
        household=home,
        village_id=village,
        kecamatan_code=village.rsplit(".", 1)[0],
        family=family,
        created_by_source=source,
    )


def nik_of(kecamatan: str, born: str, sex: str, serial: int) -> str:
    day = date.fromisoformat(born)
    return (
        kecamatan.replace(".", "")
        + f"{day.day + (40 if sex == 'female' else 0):02d}{day.month:02d}{day.year % 100:02d}"
        + f"{serial:04d}"
    )


# A village's background: people who are no one's duplicate, with common and rare names.
BACKGROUND = [
    ("Sri Rahayu", "1975-03-04", "female"),
    ("Agus Santoso", "1970-11-23", "male"),
    ("Siti Aminah", "1983-05-12", "female"),
    ("Budi Hartono", "1962-07-30", "male"),
    ("Eko Prasetyo", "1990-01-15", "male"),
    ("Dewi Lestari", "1995-09-09", "female"),
    ("Slamet Riyadi", "1958-12-01", "male"),
    ("Nur Hasanah", "2001-06-21", "female"),
]


def background(source: Source, village: str = TALANGAGUNG) -> list[Person]:
    kecamatan = village.rsplit(".", 1)[0]
    return [
        person(source, name, born, nik=nik_of(kecamatan, born, sex, 1), sex=sex, village=village)
        for name, born, sex in BACKGROUND
    ]
