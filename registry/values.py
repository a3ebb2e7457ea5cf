"""Setting one registry value by its field name, as ``RegistryChange.field`` names it.

The merge and the resolution of a conflict both set values by these names
(``birth_date``, ``housing.roof_material``, ``details.work_hours``, ``head``…),
with JSON values (dates as ISO strings, a location as ``{"lat", "lon",
"accuracy_m"}``, a family as its KK number, a head as the person's id). The
caller saves the row.
"""

from typing import Any

from django.contrib.gis.geos import Point
from django.db.models import Model

from foundation.names import name_key
from registry.models import Family, Household, Person
from registry.records import iso_date

_PLAIN = frozenset({"rt", "rw", "address", "kks_number", "sex", "phone", "relation"})


def kecamatan_of(village_code: str) -> str:
    return ".".join(village_code.split(".")[:3])


def _set_in(row: Model, attribute: str, key: str, value: Any) -> None:
    held = dict(getattr(row, attribute) or {})
    if value is None or value == "":
        held.pop(key, None)
    else:
        held[key] = value
    setattr(row, attribute, held)


def set_value(row: Model, field: str, value: Any) -> None:
    """Set ``field`` of a household, person or family to the JSON ``value``.

    Raises ValueError for a field the registry does not know."""
    prefix, _, key = field.partition(".")
    if key and prefix in ("housing", "details"):
        _set_in(row, prefix, key, value)
    elif field in _PLAIN:
        setattr(row, field, value or "")
    elif field == "village":
        row.village_id = value  # type: ignore[attr-defined]
        row.kecamatan_code = kecamatan_of(value or "")  # type: ignore[attr-defined]
    elif isinstance(row, Household):
        _set_household(row, field, value)
    elif isinstance(row, Person):
        _set_person(row, field, value)
    elif isinstance(row, Family) and field == "household":
        row.household_id = value
    else:
        raise ValueError(f"unknown registry field {field!r} of {type(row).__name__}")


def _set_household(row: Household, field: str, value: Any) -> None:
    if field == "location":
        if value:
            row.location = Point(float(value["lon"]), float(value["lat"]), srid=4326)
            row.location_accuracy_m = value.get("accuracy_m")
        else:
            row.location, row.location_accuracy_m = None, None
    elif field == "assets":
        row.assets = list(value or [])
    elif field == "photo":
        row.photo_id = value
    elif field == "head":
        row.head_id = value
    elif field == "programmes":
        pass  # Participation rows, written by the merge
    else:
        raise ValueError(f"unknown registry field {field!r} of a household")


def _set_person(row: Person, field: str, value: Any) -> None:
    if field == "nik":
        row.nik = value or None
    elif field == "name":
        row.name = value or ""
        row.name_key = name_key(row.name)
    elif field == "birth_date":
        row.birth_date = iso_date(value or "")
    elif field == "family":
        row.family = Family.objects.get_or_create(kk_number=value)[0] if value else None
    elif field == "household":
        row.household_id = value
    else:
        raise ValueError(f"unknown registry field {field!r} of a person")


def get_value(row: Model, field: str) -> Any:
    """The JSON value of ``field`` as held now (the inverse of ``set_value``)."""
    prefix, _, key = field.partition(".")
    if key and prefix in ("housing", "details"):
        return (getattr(row, prefix) or {}).get(key)
    if field in _PLAIN:
        return getattr(row, field)
    if field == "village":
        return row.village_id  # type: ignore[attr-defined]
    if isinstance(row, Household):
        if field == "location":
            if row.location is None:
                return None
            return {
                "lat": row.location.y,
                "lon": row.location.x,
                "accuracy_m": row.location_accuracy_m,
            }
        if field == "assets":
            return list(row.assets or [])
        if field in ("photo", "head"):
            return getattr(row, f"{field}_id")
    if isinstance(row, Person):
        if field == "nik":
            return row.nik
        if field == "name":
            return row.name
        if field == "birth_date":
            return row.birth_date.isoformat() if row.birth_date else None
        if field == "family":
            return row.family.kk_number if row.family_id and row.family else ""
        if field == "household":
            return row.household_id
    if isinstance(row, Family) and field == "household":
        return row.household_id
    raise ValueError(f"unknown registry field {field!r} of {type(row).__name__}")
