"""People who move between households: a daughter who marries and moves with her new family
card, a head who moves out of the household she headed, and a NIK under an unlike name that
moves nobody until a reviewer says so."""

from dataclasses import replace

from django.utils import translation

from registry.conflicts import resolve_conflict
from registry.history import household_history
from registry.merge import merge_submission
from registry.models import Conflict, Family, Person, RegistryChange, Residence, Source
from review.registry_preview import registry_preview
from tests.registry.registry_data import (
    FOUR,
    KEPANJEN_TOWN,
    SentHousehold,
    household_of,
    merge_household,
    merge_sent,
    moved_child_household,
)
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import send_processed, unchecked_item

DEWI = ("Dewi Lestari", "3507135003000006", "female", "2000-03-10")
WITH_DEWI = replace(FOUR, members=[*FOUR.members, (*DEWI, "child")])
NEW_KK = "3507130101260010"


def _married_dewi(**changes) -> SentHousehold:
    """Dewi married Agus: they live in Kepanjen town, on a family card of their own."""
    household = SentHousehold(
        instance="registry-agus",
        village=KEPANJEN_TOWN,
        head=("Agus Salim", "3507131204980007", "male", "1998-04-12"),
        members=[(*DEWI, "spouse")],
        kk=NEW_KK,
        phone="081355556666",
        gps="-8.1290 112.5720 410 6",
    )
    return replace(household, **changes)


def test_a_daughter_who_marries_and_moves_takes_her_new_family_card_without_a_conflict(
    agent, reviewer, settings
):
    first = merge_household(agent, reviewer, WITH_DEWI, settings)
    dewi = Person.objects.get(nik=DEWI[1])
    assert dewi.family.kk_number == FOUR.kk

    second = merge_household(agent, reviewer, _married_dewi(), settings)

    dewi.refresh_from_db()
    new_home = household_of(second)
    assert dewi.household == new_home and dewi.village_id == KEPANJEN_TOWN
    assert dewi.family.kk_number == NEW_KK
    assert Family.objects.get(kk_number=NEW_KK).household == new_home
    # Her parents' family card stays theirs, in their household.
    assert Family.objects.get(kk_number=FOUR.kk).household == household_of(first)
    assert not Conflict.objects.exists()
    change = RegistryChange.objects.get(person=dewi, field="family", source=second)
    assert (change.source, change.before, change.after) == (second, FOUR.kk, NEW_KK)
    assert second.summary["moves"] == 1 and second.summary["conflicts"] == 0


def test_a_family_card_that_has_no_household_yet_goes_to_the_one_she_moved_into(
    agent, reviewer, settings
):
    merge_household(agent, reviewer, WITH_DEWI, settings)
    Family.objects.create(kk_number=NEW_KK)  # known before, in no household

    second = merge_household(agent, reviewer, _married_dewi(), settings)

    assert Family.objects.get(kk_number=NEW_KK).household == household_of(second)
    assert Person.objects.get(nik=DEWI[1]).family.kk_number == NEW_KK


def test_another_family_card_for_a_daughter_who_stays_is_still_a_conflict(
    agent, reviewer, settings
):
    merge_household(agent, reviewer, WITH_DEWI, settings)
    submission = send_processed(agent, replace(WITH_DEWI, instance="registry-budi-kk"), settings)
    answers = dict(submission.answers)
    answers["members"] = [
        {**row, "kk": NEW_KK} if row["nik"] == DEWI[1] else row for row in answers["members"]
    ]

    merge_submission(submission=submission, answers=answers, approved_by=reviewer)

    dewi = Person.objects.get(nik=DEWI[1])
    assert dewi.family.kk_number == FOUR.kk
    conflict = Conflict.objects.get()
    assert (conflict.person, conflict.field, conflict.held, conflict.offered) == (
        dewi,
        "family",
        FOUR.kk,
        NEW_KK,
    )


def _budi_moves_to_his_son() -> SentHousehold:
    """Budi (head of FOUR) moves in with his son Andi, who heads a household in town."""
    return replace(moved_child_household(), members=[(*FOUR.head, "parent")])


def test_a_head_who_moves_out_leaves_her_household_without_a_head_and_its_history_says_so(
    agent, reviewer, settings
):
    first = merge_household(agent, reviewer, FOUR, settings)
    old_home = household_of(first)
    budi = Person.objects.get(nik=FOUR.head[1])
    assert old_home.head == budi

    second = merge_household(agent, reviewer, _budi_moves_to_his_son(), settings)

    old_home.refresh_from_db()
    budi.refresh_from_db()
    assert budi.household == household_of(second)
    assert old_home.head is None
    change = RegistryChange.objects.get(household=old_home, field="head", source=second)
    assert (change.before, change.after) == (budi.pk, None)
    latest = household_history(old_home)[0]
    assert (latest.field, latest.before, latest.after, latest.source_id) == (
        "head",
        budi.pk,
        None,
        second.pk,
    )
    assert not Conflict.objects.exists()


def test_the_next_survey_of_the_household_a_head_left_sets_its_new_head_without_a_conflict(
    agent, reviewer, settings
):
    first = merge_household(agent, reviewer, FOUR, settings)
    merge_household(agent, reviewer, _budi_moves_to_his_son(), settings)
    siti = FOUR.members[0]
    resurvey = replace(
        FOUR, instance="registry-siti-heads", head=siti[:4], members=list(FOUR.members[1:])
    )

    third = merge_household(agent, reviewer, resurvey, settings)

    household = household_of(third)
    assert household == household_of(first)
    assert household.head == Person.objects.get(nik=siti[1])
    assert not Conflict.objects.filter(field="head").exists()


def test_the_review_page_shows_that_the_household_a_head_leaves_loses_its_head(
    agent, reviewer, settings
):
    old_home = household_of(merge_household(agent, reviewer, FOUR, settings))
    item = unchecked_item(agent, _budi_moves_to_his_son(), settings)

    with translation.override("en"):
        preview = registry_preview(item)

    assert ("update", f"Household {old_home.pk}", "Head of household", "Budi Santoso", "—") in [
        (row.kind, row.subject, row.field, row.held, row.offered) for row in preview.rows
    ]
    assert "move" in {row.kind for row in preview.rows}
    old_home.refresh_from_db()
    assert old_home.head is not None  # the preview writes nothing


def test_a_member_who_is_not_the_head_moves_without_touching_the_head(agent, reviewer, settings):
    first = merge_household(agent, reviewer, FOUR, settings)

    second = merge_household(agent, reviewer, moved_child_household(), settings)

    assert household_of(first).head.nik == FOUR.head[1]
    assert not RegistryChange.objects.filter(household=household_of(first), source=second)


def _budi_under_another_name(agent, reviewer, settings) -> tuple[Source, Source, Conflict]:
    first = merge_household(agent, reviewer, FOUR, settings)
    stranger = replace(
        moved_child_household(),
        instance="registry-joko",
        head=("Joko Susilo", FOUR.head[1], "male", FOUR.head[3]),
        members=[],
    )
    second = merge_household(agent, reviewer, stranger, settings)
    return first, second, Conflict.objects.get(field="household")


def test_a_head_moved_by_a_reviewer_after_a_nik_under_another_name_leaves_no_head_behind(
    agent, reviewer, settings
):
    first, second, moving = _budi_under_another_name(agent, reviewer, settings)
    budi = Person.objects.get(nik=FOUR.head[1])
    old_home = household_of(first)
    assert budi.household == old_home and second.summary["moves"] == 0
    assert old_home.head == budi

    resolve_conflict(user=reviewer, conflict_id=moving.pk, value=moving.offered, reason="KTP")

    budi.refresh_from_db()
    old_home.refresh_from_db()
    new_home = household_of(second)
    assert budi.household == new_home and budi.village_id == KEPANJEN_TOWN
    assert budi.kecamatan_code == "35.07.13"
    stays = list(Residence.objects.filter(person=budi).order_by("pk"))
    assert [(s.household, s.until is None) for s in stays] == [(old_home, False), (new_home, True)]
    assert stays[0].ended_by.kind == Source.Kind.RESOLUTION
    assert old_home.head is None
    change = RegistryChange.objects.get(
        household=old_home, field="head", source__kind=Source.Kind.RESOLUTION
    )
    assert (change.before, change.after) == (budi.pk, None)
    moved = RegistryChange.objects.get(
        person=budi, field="village", source__kind=Source.Kind.RESOLUTION
    )
    assert (moved.before, moved.after) == (FOUR.village, KEPANJEN_TOWN)


def test_keeping_her_where_she_is_after_a_nik_under_another_name_changes_nothing(
    agent, reviewer, settings
):
    first, _second, moving = _budi_under_another_name(agent, reviewer, settings)
    budi = Person.objects.get(nik=FOUR.head[1])
    old_home = household_of(first)

    resolved = resolve_conflict(
        user=reviewer, conflict_id=moving.pk, value=moving.held, reason="Another man"
    )

    budi.refresh_from_db()
    old_home.refresh_from_db()
    assert resolved.state == Conflict.State.RESOLVED and resolved.chosen == moving.held
    assert budi.household == old_home and budi.village_id == FOUR.village
    assert old_home.head == budi
    assert Residence.objects.get(person=budi).until is None
    assert not RegistryChange.objects.filter(household=old_home, field="head").exclude(source=first)
    assert not RegistryChange.objects.filter(person=budi, field="village").exclude(source=first)


def test_merging_the_move_twice_clears_the_head_once(agent, reviewer, settings):
    first = merge_household(agent, reviewer, FOUR, settings)
    submission = send_processed(agent, _budi_moves_to_his_son(), settings)
    merge_sent(submission, reviewer)

    merge_sent(submission, reviewer)

    assert (
        RegistryChange.objects.filter(household=household_of(first), field="head").count() == 2
    )  # set by the first survey, cleared by the move
