"""What the merge's Planner reads of the registry, each lookup one query.

``registry.planner.Planner`` decides by the merge's rules and reads through
these lookups only; ``registry.batch_merge`` overrides them to serve a whole
batch from rows it read at once, so both follow the same rules.
"""

from typing import Any

from django.db.models import Model, QuerySet

from areas.models import Area, AreaLevel
from registry.merge_plan import M
from registry.models import Conflict, Family, Household, Participation, Person, RegistryChange
from registry.provenance import Held, latest_sources


class RegistryReads:
    """The lookups; ``lock``: the rows the merge changes are read ``FOR UPDATE``."""

    lock: bool

    def _rows(self, model: type[Model], *related: str) -> QuerySet[Any]:
        rows = (
            model._default_manager.select_related(*related)
            if related
            else model._default_manager.all()
        )
        # Only the rows the merge changes are locked, not those joined to read them.
        return rows.select_for_update(of=("self",)) if self.lock else rows

    # -- reading the registry: one query each (batch_merge serves them from its reads) ------

    def _row_by_pk(self, model: type[M], pk: int) -> M | None:
        related = ("family",) if model is Person else ()
        return self._rows(model, *related).filter(pk=pk).first()

    def _person_with_nik(self, nik: str) -> Person | None:
        return Person.objects.filter(nik=nik).first()

    def _nik_holder(self, nik: str) -> Person | None:
        """The person of ``nik``, read (and locked) as a row the merge changes."""
        return self._rows(Person, "family").filter(nik=nik).first()

    def _household_of(self, pk: int) -> Household | None:
        return Household.objects.filter(pk=pk).first()

    def _family_household_id(self, kk: str, village: str) -> int | None:
        return (
            Family.objects.filter(kk_number=kk, household__village_id=village)
            .values_list("household_id", flat=True)
            .first()
        )

    def _people_with_niks(self, niks: list[str]) -> list[Person]:
        return list(self._rows(Person, "family").filter(nik__in=niks))

    def _people_without_nik(self, household: Household) -> list[Person]:
        return list(self._rows(Person, "family").filter(household=household, nik__isnull=True))

    def _latest_of_people(self, ids: list[int]) -> dict[tuple[int, str], Held]:
        return latest_sources(RegistryChange.objects.filter(person_id__in=ids), "person_id")

    def _latest_of_household(self, household_id: int) -> dict[tuple[int, str], Held]:
        return latest_sources(
            RegistryChange.objects.filter(household_id=household_id), "household_id"
        )

    def _open_conflicts(
        self, people: list[int], household_id: int | None
    ) -> set[tuple[str, int, str, str]]:
        found: set[tuple[str, int, str, str]] = set()
        conflicts = Conflict.objects.filter(state=Conflict.State.OPEN)
        for person_id, name, offered in conflicts.filter(person_id__in=people).values_list(
            "person_id", "field", "offered"
        ):
            found.add(("person", person_id, name, repr(offered)))
        if household_id is not None:
            for name, offered in conflicts.filter(household_id=household_id).values_list(
                "field", "offered"
            ):
                found.add(("household", household_id, name, repr(offered)))
        return found

    def _family(self, kk: str) -> Family | None:
        return self._rows(Family).filter(kk_number=kk).first()

    def _household_headed(self, household_id: int, person_id: int) -> Household | None:
        return self._rows(Household).filter(pk=household_id, head_id=person_id).first()

    def _is_village(self, code: str) -> bool:
        return Area.objects.filter(code=code, level=AreaLevel.VILLAGE).exists()

    def _open_programmes(self, household: Household) -> list[str]:
        return list(
            Participation.objects.filter(
                household=household, person__isnull=True, until__isnull=True
            ).values_list("programme", flat=True)
        )

    # -- finding rows ----------------------------------------------------------------------
