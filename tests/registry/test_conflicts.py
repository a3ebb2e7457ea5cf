"""A reviewer of the village resolves a conflict with a reason; nobody else can see it."""

from dataclasses import replace

import pytest

from audit.models import AuditRecord
from registry.conflicts import resolve_conflict
from registry.errors import (
    ConflictAlreadyResolved,
    ConflictNotFound,
    ResolutionReasonRequired,
    ResolutionValueRefused,
    ResolutionValueTaken,
)
from registry.models import Conflict, Person, RegistryChange, Residence, Source
from tests.registry.registry_data import FOUR, merge_household, moved_child_household
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)

SITI = "3507135205830002"


@pytest.fixture
def conflict(agent, reviewer, settings) -> Conflict:
    merge_household(agent, reviewer, FOUR, settings)
    members = [(n, k, s, "1983-05-13" if k == SITI else b, r) for n, k, s, b, r in FOUR.members]
    merge_household(
        agent, reviewer, replace(FOUR, instance="conflict-2", members=members), settings
    )
    return Conflict.objects.get()


def test_resolving_a_conflict_sets_the_chosen_value_and_is_audited(conflict, reviewer):
    resolved = resolve_conflict(
        user=reviewer, conflict_id=conflict.pk, value="1983-05-13", reason="Seen on the KTP"
    )

    assert resolved.state == Conflict.State.RESOLVED
    assert (resolved.chosen, resolved.reason, resolved.resolved_by) == (
        "1983-05-13",
        "Seen on the KTP",
        reviewer,
    )
    assert str(Person.objects.get(nik=SITI).birth_date) == "1983-05-13"
    change = RegistryChange.objects.filter(field="birth_date").latest("pk")
    assert (change.before, change.after, change.source.kind) == (
        "1983-05-12",
        "1983-05-13",
        Source.Kind.RESOLUTION,
    )
    record = AuditRecord.objects.get(action="registry.conflict_resolved")
    assert record.object_id == str(conflict.pk) and record.area_code == "35.07.13.2011"
    assert record.after["chose"] == "offered" and record.after["reason"] == "Seen on the KTP"
    assert "1983" not in str(record.after)


def test_keeping_the_held_value_leaves_it_and_records_the_resolution(conflict, reviewer):
    resolve_conflict(user=reviewer, conflict_id=conflict.pk, value="1983-05-12", reason="KK")

    assert str(Person.objects.get(nik=SITI).birth_date) == "1983-05-12"
    assert RegistryChange.objects.filter(source__kind=Source.Kind.RESOLUTION).count() == 1


def test_a_reviewer_of_another_kecamatan_is_told_there_is_no_such_conflict(
    conflict, pagelaran_reviewer
):
    with pytest.raises(ConflictNotFound):
        resolve_conflict(
            user=pagelaran_reviewer, conflict_id=conflict.pk, value="1983-05-13", reason="x"
        )
    with pytest.raises(ConflictNotFound):
        resolve_conflict(
            user=pagelaran_reviewer, conflict_id=conflict.pk + 1000, value="x", reason="x"
        )
    assert Conflict.objects.get().state == Conflict.State.OPEN


def test_a_resolution_needs_a_reason_and_a_value_of_the_field(conflict, reviewer):
    with pytest.raises(ResolutionReasonRequired):
        resolve_conflict(user=reviewer, conflict_id=conflict.pk, value="1983-05-13", reason=" ")
    with pytest.raises(ResolutionValueRefused):
        resolve_conflict(user=reviewer, conflict_id=conflict.pk, value="someday", reason="x")
    # Another real date is a valid birth date too.
    resolve_conflict(user=reviewer, conflict_id=conflict.pk, value="1983-06-12", reason="akta")
    assert str(Person.objects.get(nik=SITI).birth_date) == "1983-06-12"
    with pytest.raises(ConflictAlreadyResolved):
        resolve_conflict(user=reviewer, conflict_id=conflict.pk, value="1983-05-13", reason="x")


def test_a_value_the_resolution_set_is_then_held_by_it(conflict, agent, reviewer, settings):
    """After a resolution, a survey offering the old value again is a new conflict whose
    held source is the resolution."""
    resolve_conflict(user=reviewer, conflict_id=conflict.pk, value="1983-05-13", reason="KTP")

    merge_household(agent, reviewer, replace(FOUR, instance="conflict-3"), settings)

    newest = Conflict.objects.filter(state=Conflict.State.OPEN).get()
    assert newest.held_source.kind == Source.Kind.RESOLUTION
    assert (newest.held, newest.offered) == ("1983-05-13", "1983-05-12")


def test_a_nik_another_person_holds_cannot_be_chosen(conflict, reviewer):
    putri = Person.objects.get(name="Putri Lestari")
    taken = Conflict.objects.create(
        person=putri,
        field="nik",
        held=None,
        offered=SITI,
        source=conflict.source,
        village_id=conflict.village_id,
        kecamatan_code=conflict.kecamatan_code,
    )

    with pytest.raises(ResolutionValueTaken):
        resolve_conflict(user=reviewer, conflict_id=taken.pk, value=SITI, reason="KK")

    putri.refresh_from_db()
    assert putri.nik is None
    assert Conflict.objects.get(pk=taken.pk).state == Conflict.State.OPEN


def test_a_nik_under_another_name_elsewhere_is_not_moved_until_a_reviewer_says_so(
    agent, reviewer, settings
):
    first = merge_household(agent, reviewer, FOUR, settings)
    andi_nik = FOUR.members[1][1]
    stranger = replace(
        moved_child_household(),
        head=("Joko Susilo", andi_nik, "male", "2008-09-03"),
        members=[],
    )
    second = merge_household(agent, reviewer, stranger, settings)
    andi = Person.objects.get(nik=andi_nik)
    assert andi.household_id == first.summary["household_id"] and second.summary["moves"] == 0
    moving = Conflict.objects.get(field="household")
    assert (moving.held, moving.offered) == (
        first.summary["household_id"],
        second.summary["household_id"],
    )

    resolve_conflict(
        user=reviewer, conflict_id=moving.pk, value=str(moving.offered), reason="Same man"
    )

    andi.refresh_from_db()
    assert andi.household_id == second.summary["household_id"]
    assert andi.village_id == "35.07.13.1010"
    stays = list(Residence.objects.filter(person=andi).order_by("pk"))
    assert [s.until is None for s in stays] == [False, True]
