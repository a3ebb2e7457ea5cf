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
