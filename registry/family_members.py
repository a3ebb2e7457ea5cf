"""A person's family (her KK) as a reader may see it: the other members of her card.

A family card may hold people of more than one household, and a household
may move to another kecamatan while a grown child stays. The page and the
API of a person list the card's other members the reader may see (through
``registry.queries.people_for``, the one scope), with their relation and
masked NIK; those outside the reader's areas are counted, never named: the
count tells her the card is wider than what she sees, and nothing more.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from registry import queries
from registry.masking import mask_nik
from registry.models import Person
from registry.presentation import relation_label


@dataclass(frozen=True)
class FamilyMembers:
    """The card's other members within the reader's areas, and how many are outside."""

    members: list[dict[str, Any]]
    outside: int


NO_FAMILY = FamilyMembers(members=[], outside=0)


def family_members(user: User | AnonymousUser, person: Person) -> FamilyMembers:
    """The other members of ``person``'s family card, by household and name; two queries."""
    if person.family_id is None:
        return NO_FAMILY
    others = Person.objects.filter(family_id=person.family_id).exclude(pk=person.pk)
    visible = list(
        queries.people_for(user)
        .filter(family_id=person.family_id)
        .exclude(pk=person.pk)
        .order_by("household_id", "birth_date", "name_key", "pk")
        .values("pk", "name", "nik", "relation", "sex", "birth_date", "household_id")
    )
    rows = [
        {
            "id": row["pk"],
            "name": row["name"],
            "nik": mask_nik(row["nik"]),
            "relation": row["relation"],
            "relation_label": relation_label(row["relation"]) if row["relation"] else "",
            "sex": row["sex"],
            "birth_date": row["birth_date"],
            "household_id": row["household_id"],
            "same_household": row["household_id"] == person.household_id,
        }
        for row in visible
    ]
    return FamilyMembers(members=rows, outside=max(others.count() - len(rows), 0))
