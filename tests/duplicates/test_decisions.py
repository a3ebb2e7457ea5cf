"""Who sees a duplicate pair, and its dismissal: audited, once, for good."""

import pytest

from audit.models import AuditRecord
from duplicates.decisions import dismiss_pair
from duplicates.errors import PairAlreadyDecided, PairNotFound, ReasonRequired
from duplicates.finding import find_duplicates
from duplicates.models import DuplicatePair, PairKind
from duplicates.queries import get_pair, open_pairs_for, pairs_for
from tests.duplicates.people import (
    KEPANJEN,
    PAGELARAN,
    PAGELARAN_VILLAGE,
    TALANGAGUNG,
    background,
    person,
    registry_source,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairs():
    """A pair within Kepanjen, and one of a Kepanjen and a Pagelaran record."""
    source = registry_source(make_user("loader", "administrator", [None]))
    background(source)
    inside = [
        person(source, "Sri Wahyuni", "1977-05-05"),
        person(source, "Sri Wahyuni", "1977-05-05"),
    ]
    person(
        source,
        "Kartosoewito",
        "1940-02-02",
        sex="male",
        village=TALANGAGUNG,
        phone="+6281311112222",
    )
    person(
        source,
        "Kartosuwito",
        "1940-02-02",
        sex="male",
        village=PAGELARAN_VILLAGE,
        phone="+6281311112222",
    )
    find_duplicates(kind=PairKind.PERSON)
    within = DuplicatePair.objects.get(person_a=inside[0])
    across = DuplicatePair.objects.exclude(pk=within.pk).get()
    return within, across


@pytest.fixture
def kepanjen_reviewer():
    return make_user("rina", "reviewer", [KEPANJEN])


def test_a_reviewer_sees_the_pairs_of_her_kecamatan_only_and_none_that_reach_outside(
    pairs, kepanjen_reviewer
):
    within, across = pairs
    pagelaran_reviewer = make_user("wati", "reviewer", [PAGELARAN])
    administrator = make_user("admin", "administrator", [None])
    field_agent = make_user("agent", "field_agent", [TALANGAGUNG])

    assert list(pairs_for(kepanjen_reviewer)) == [within]
    assert list(open_pairs_for(kepanjen_reviewer, kind=PairKind.PERSON)) == [within]
    assert list(pairs_for(pagelaran_reviewer)) == []
    assert list(pairs_for(field_agent)) == []
    assert set(pairs_for(administrator)) == {within, across}
    with pytest.raises(PairNotFound):
        get_pair(kepanjen_reviewer, across.pk)  # the same 404 as no pair at all
    with pytest.raises(PairNotFound):
        get_pair(kepanjen_reviewer, "x")


def test_dismissing_a_pair_records_who_why_and_when_in_the_audit_trail(pairs, kepanjen_reviewer):
    within, _across = pairs

    pair = dismiss_pair(pair=within, reviewer=kepanjen_reviewer, reason="Dua orang berbeda")

    pair.refresh_from_db()
    assert pair.state == DuplicatePair.State.DISMISSED
    assert pair.decided_by == kepanjen_reviewer and pair.decided_at is not None
    assert pair.reason == "Dua orang berbeda"
    record = AuditRecord.objects.get(action="duplicates.dismissed")
    assert record.actor_id == kepanjen_reviewer.pk and record.object_id == str(pair.pk)
    assert record.before == {"state": "open"}
    assert record.after["state"] == "dismissed" and record.after["reason"] == "Dua orang berbeda"
    assert record.area_code == TALANGAGUNG


def test_dismissing_twice_is_refused_and_writes_nothing_more(pairs, kepanjen_reviewer):
    within, _across = pairs
    dismiss_pair(pair=within, reviewer=kepanjen_reviewer, reason="Berbeda")

    with pytest.raises(PairAlreadyDecided):
        dismiss_pair(pair=within, reviewer=kepanjen_reviewer, reason="Berbeda")

    assert AuditRecord.objects.filter(action="duplicates.dismissed").count() == 1


def test_a_dismissal_needs_a_reason_and_a_reviewer_of_both_records(pairs, kepanjen_reviewer):
    within, across = pairs

    with pytest.raises(ReasonRequired):
        dismiss_pair(pair=within, reviewer=kepanjen_reviewer, reason="  ")
    with pytest.raises(PairNotFound):
        dismiss_pair(pair=across, reviewer=kepanjen_reviewer, reason="Berbeda")

    assert DuplicatePair.objects.filter(state=DuplicatePair.State.OPEN).count() == 2
    assert not AuditRecord.objects.filter(action="duplicates.dismissed").exists()


def test_merging_a_pair_merges_its_records_and_marks_it_merged_in_one_transaction(
    pairs, kepanjen_reviewer
):
    from duplicates.decisions import merge_pair
    from registry.models import Person

    within, _across = pairs

    source = merge_pair(pair=within, reviewer=kepanjen_reviewer, reason="Satu orang", keep="right")

    within.refresh_from_db()
    assert within.state == DuplicatePair.State.MERGED and within.reason == "Satu orang"
    assert Person.objects.get(pk=within.person_a_id).merged_into_id == within.person_b_id
    assert source.summary["kept_id"] == within.person_b_id
    assert AuditRecord.objects.filter(action="registry.people_merged").count() == 1
    record = AuditRecord.objects.get(action="duplicates.merged")
    assert record.object_id == str(within.pk) and record.after["source_id"] == source.pk
    assert list(open_pairs_for(kepanjen_reviewer, kind=PairKind.PERSON)) == []


def test_a_merge_that_fails_in_the_registry_leaves_the_pair_open(pairs, kepanjen_reviewer):
    from duplicates.decisions import merge_pair
    from registry.errors import RecordAlreadyMerged
    from registry.models import Person

    within, _across = pairs
    third = Person.objects.exclude(pk__in=within.record_ids).filter(village_id=TALANGAGUNG).first()
    Person.objects.filter(pk=within.person_a_id).update(merged_into=third)

    with pytest.raises(RecordAlreadyMerged):
        merge_pair(pair=within, reviewer=kepanjen_reviewer, reason="Satu", keep="left")

    within.refresh_from_db()
    assert within.state == DuplicatePair.State.OPEN
    assert not AuditRecord.objects.filter(action="duplicates.merged").exists()


def test_undoing_a_merged_pair_restores_its_records_and_reopens_it(pairs, kepanjen_reviewer):
    from duplicates.decisions import merge_pair, undo_pair
    from duplicates.errors import PairNotMerged
    from registry.models import Person

    within, _across = pairs
    before = list(Person.objects.order_by("pk").values())
    merge_pair(pair=within, reviewer=kepanjen_reviewer, reason="Satu", keep="left")

    pair = undo_pair(pair=within, reviewer=kepanjen_reviewer, reason="Keliru")

    assert pair.state == DuplicatePair.State.OPEN and pair.decided_by is None
    after = list(Person.objects.order_by("pk").values())
    strip = lambda rows: [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]  # noqa: E731
    assert strip(after) == strip(before)
    assert AuditRecord.objects.get(action="duplicates.merge_undone").after["reason"] == "Keliru"
    assert AuditRecord.objects.filter(action="registry.unmerged").count() == 1
    with pytest.raises(PairNotMerged):
        undo_pair(pair=within, reviewer=kepanjen_reviewer, reason="Keliru")


def test_a_dismissed_pair_cannot_be_merged(pairs, kepanjen_reviewer):
    from duplicates.decisions import merge_pair

    within, _across = pairs
    dismiss_pair(pair=within, reviewer=kepanjen_reviewer, reason="Berbeda")

    with pytest.raises(PairAlreadyDecided):
        merge_pair(pair=within, reviewer=kepanjen_reviewer, reason="Satu", keep="left")
