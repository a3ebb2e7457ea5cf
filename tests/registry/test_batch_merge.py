"""The batch merge of imported records follows the merge's rules exactly: the same
households merged one by one (``merge_submission``) and as one batch (``apply_batch``)
leave the same registry, table by table; a batch applied twice writes nothing more."""

import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from foundation.names import name_key
from registry.batch_merge import (
    BatchRecord,
    apply_batch,
    create_import_source,
    plan_batch,
)
from registry.models import (
    Conflict,
    Family,
    Participation,
    Person,
    RegistryChange,
    Residence,
)
from registry.models import Household as RegistryHousehold
from registry.records import HouseholdRecord, PersonRecord, read_record
from tests.registry.registry_data import (
    FOUR,
    KEPANJEN_TOWN,
    TALANGAGUNG,
    SentHousehold,
    merge_sent,
    moved_child_household,
)
from tests.review.checking_setup import *  # noqa: F403 (the fixtures)
from tests.review.checking_setup import send_processed

POOL = [
    ("Budi Santoso", "3507131708800001", "male", "1980-08-17"),
    ("Siti Aminah", "3507135205830002", "female", "1983-05-12"),
    ("Andi Saputra", "3507130309080003", "male", "2008-09-03"),
    ("Rina Wati", "3507136101070004", "female", "2007-01-21"),
    ("Joko Susilo", "3507131203750005", "male", "1975-03-12"),
    ("Dewi Lestari", "3507134404790006", "female", "1979-04-04"),
    ("Agus Salim", "3507130101600007", "male", "1960-01-01"),
    ("Putri Lestari", "", "female", "2025-06-01"),
    ("Bayu Pratama", "", "male", "2025-02-11"),
]
KKS = ["3507130101090001", "3507130101250009", "3507130101300011"]


class _Rollback(Exception):
    pass


def _person_key(person: Person | None) -> str:
    if person is None:
        return ""
    return person.nik or f"{person.name_key}/{person.birth_date}"


def _household_keys() -> dict[int, str]:
    """A household named by its families' numbers and village (pks differ by order)."""
    keys: dict[int, str] = {}
    for household in RegistryHousehold.objects.all():
        kks = sorted(Family.objects.filter(household=household).values_list("kk_number", flat=True))
        members = sorted(_person_key(p) for p in Person.objects.filter(household=household))
        keys[household.pk] = f"{household.village_id}:{','.join(kks) or ','.join(members)}"
    return keys


def snapshot() -> dict[str, Any]:
    """Every registry table's content, with rows named by what they are, not their pk."""
    people = {p.pk: _person_key(p) for p in Person.objects.all()}
    homes = _household_keys()

    def value(field: str, raw: Any) -> Any:
        if field in ("head",) and isinstance(raw, int):
            return people.get(raw, raw)
        if field == "household" and isinstance(raw, int):
            return homes.get(raw, raw)
        return raw

    def target(row: Any) -> str:
        if row.person_id:
            return "person " + people[row.person_id]
        if row.household_id:
            return "household " + homes[row.household_id]
        return "family " + row.family.kk_number

    return {
        "people": sorted(
            (
                people[p.pk],
                p.name,
                p.sex,
                str(p.birth_date),
                p.phone,
                homes.get(p.household_id or 0, ""),
                p.village_id,
                p.kecamatan_code,
                p.family.kk_number if p.family else "",
                p.relation,
                sorted(p.details.items()),
            )
            for p in Person.objects.select_related("family")
        ),
        "households": sorted(
            (
                homes[h.pk],
                h.rt,
                h.rw,
                h.address,
                str(h.location),
                h.location_accuracy_m,
                people.get(h.head_id or 0, ""),
                sorted(h.housing.items()),
                h.assets,
                h.kks_number,
            )
            for h in RegistryHousehold.objects.all()
        ),
        "families": sorted(
            (f.kk_number, homes.get(f.household_id or 0, "")) for f in Family.objects.all()
        ),
        "residences": sorted(
            (
                people[r.person_id],
                homes[r.household_id],
                str(r.since),
                str(r.until),
                bool(r.ended_by_id),
            )
            for r in Residence.objects.all()
        ),
        "participations": sorted(
            (homes[p.household_id], p.programme, str(p.since), str(p.until))
            for p in Participation.objects.all()
        ),
        "conflicts": sorted(
            (
                target(c),
                c.field,
                repr(value(c.field, c.held)),
                repr(value(c.field, c.offered)),
                bool(c.held_source_id),
                c.state,
                c.village_id,
            )
            for c in Conflict.objects.all()
        ),
        "changes": sorted(
            (target(c), c.field, repr(value(c.field, c.before)), repr(value(c.field, c.after)))
            for c in RegistryChange.objects.select_related("family").exclude(field="photo")
        ),
    }


def _after(merge: Any) -> dict[str, Any]:
    """The registry after ``merge``, rolled back: the next one starts from the same."""
    taken: dict[str, Any] = {}
    with pytest.raises(_Rollback), transaction.atomic():
        merge()
        taken.update(snapshot())
        raise _Rollback
    return taken


def _records(submissions: list[Any]) -> list[BatchRecord]:
    records = []
    for number, submission in enumerate(submissions):
        record = read_record(
            form_version=submission.form_version,
            answers=submission.answers,
            fallback_village=submission.area_id or "",
        )
        assert isinstance(record, HouseholdRecord)
        first = 1 + number * 10
        rows = tuple(range(first, first + len(record.members)))
        records.append(BatchRecord(rows=rows, record=record))
    return records


def _compare(submissions: list[Any], reviewer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    one_by_one = _after(lambda: [merge_sent(s, reviewer) for s in submissions])

    def batch() -> None:
        source = create_import_source(
            label="ppls:test.csv", applied_by=reviewer, observed_at=timezone.now()
        )
        plan = plan_batch(
            _records(submissions), observed_at=timezone.now(), source_label="ppls:test.csv"
        )
        apply_batch(plan, source=source)

    return one_by_one, _after(batch)


def _assert_same(one_by_one: dict[str, Any], batched: dict[str, Any]) -> None:
    for table in one_by_one:
        assert batched[table] == one_by_one[table], table


def test_households_merged_as_a_batch_leave_the_registry_merged_one_by_one(
    agent, reviewer, settings
):
    resurvey = replace(
        FOUR,
        instance="batch-resurvey",
        members=[
            ("Siti Aminah", "3507135205830002", "female", "1983-05-13", "spouse"),
            ("Andi Saputra", "3507130309080003", "male", "2008-09-03", "child"),
            ("Putri Lestari", "", "female", "2025-06-01", "child"),
        ],
    )
    stranger = SentHousehold(
        instance="batch-stranger",
        village=KEPANJEN_TOWN,
        head=("Agus Salim", "3507130101600007", "male", "1960-01-01"),
        members=[("Joko Widodo", "3507131708800001", "male", "1980-08-17", "child")],
        kk="3507130101300011",
    )
    sent = [FOUR, moved_child_household(), resurvey, stranger, replace(FOUR, instance="again")]
    submissions = [send_processed(agent, household, settings) for household in sent]

    one_by_one, batched = _compare(submissions, reviewer)

    assert one_by_one["conflicts"], "the scenario makes conflicts"
    assert any(r[3] != "None" for r in one_by_one["residences"]), "and a move"
    _assert_same(one_by_one, batched)


def _random_household(rng: random.Random, number: int) -> SentHousehold:
    people = rng.sample(POOL, rng.randint(1, 4))
    head, others = people[0], people[1:]
    if not head[1]:
        head = POOL[rng.randrange(7)]
        others = [p for p in others if p != head]
    members = []
    for name, nik, sex, born in others:
        if rng.random() < 0.15:
            born = born[:-1] + str((int(born[-1]) + 1) % 9 + 1)  # another birth date
        if nik and rng.random() < 0.1:
            name = "Slamet Riyadi"  # her NIK under another name: a stranger
        members.append((name, nik, sex, born, rng.choice(["spouse", "child", "parent"])))
    return SentHousehold(
        instance=f"batch-random-{number}-{rng.random()}",
        village=rng.choice([TALANGAGUNG, KEPANJEN_TOWN]),
        head=head,
        members=[m for m in members if m[1] != head[1]],
        kk=rng.choice(KKS),
        phone=rng.choice(["081234567890", "081298765432"]),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_households_merge_alike_one_by_one_and_as_a_batch(agent, reviewer, settings, seed):
    rng = random.Random(seed)
    sent = [_random_household(rng, n) for n in range(8)]
    submissions = [send_processed(agent, household, settings) for household in sent]

    one_by_one, batched = _compare(submissions, reviewer)

    _assert_same(one_by_one, batched)


def _person_alone(nik: str, name: str, born: str, *, kk: str = "") -> PersonRecord:
    from registry.records import iso_date

    return PersonRecord(name=name, nik=nik, sex="male", birth_date=iso_date(born), kk=kk)


def test_a_batch_applied_twice_writes_nothing_more(
    agent, reviewer, settings, django_assert_max_num_queries
):
    submissions = [send_processed(agent, household, settings) for household in (FOUR,)]
    records = [
        *_records(submissions),
        BatchRecord(
            rows=(20,),
            record=_person_alone("3507131203750005", "Joko Susilo", "1975-03-12", kk=KKS[2]),
            village_code=KEPANJEN_TOWN,
        ),
    ]
    source = create_import_source(
        label="ektp:test.csv", applied_by=reviewer, observed_at=timezone.now()
    )
    plan = plan_batch(records, observed_at=timezone.now(), source_label="ektp:test.csv")
    assert plan.totals == {"created": 6, "updated": 0, "conflicts": 0, "moves": 0, "invalid": 0}

    first = apply_batch(plan, source=source)
    counts = [
        m.objects.count() for m in (Person, RegistryChange, Residence, RegistryHousehold, Family)
    ]
    again = plan_batch(records, observed_at=timezone.now(), source_label="ektp:test.csv")
    with django_assert_max_num_queries(4):
        second = apply_batch(again, source=source)

    assert first.totals == plan.totals and not first.is_replay
    assert second.is_replay
    assert counts == [
        m.objects.count() for m in (Person, RegistryChange, Residence, RegistryHousehold, Family)
    ]
    joko = Person.objects.get(nik="3507131203750005")
    assert joko.household is None and joko.village_id == KEPANJEN_TOWN
    assert joko.family.kk_number == KKS[2]
    change = RegistryChange.objects.get(person=joko, field="birth_date")
    assert (change.source, change.row) == (source, 20)
    siti = RegistryChange.objects.get(person__nik="3507135205830002", field="birth_date")
    assert siti.row == 2  # her row of the file: the second member's
    source.refresh_from_db()
    assert source.summary["applied_rows"] == [[1, 20]] and source.summary["created"] == 6


def test_the_dry_run_counts_a_conflict_and_a_move_without_writing(agent, reviewer, settings):
    merge_sent(send_processed(agent, FOUR, settings), reviewer)
    records = [
        BatchRecord(
            rows=(1,),
            record=_person_alone("3507131708800001", "Budi Santoso", "1980-08-18"),
            village_code=TALANGAGUNG,
        ),
        *_records([send_processed(agent, moved_child_household(), settings)]),
    ]
    records[1] = replace(records[1], rows=(2, 3))
    changes = RegistryChange.objects.count()

    plan = plan_batch(records, observed_at=timezone.now() + timedelta(days=1), source_label="x")

    assert RegistryChange.objects.count() == changes
    assert [o.outcome for o in plan.outcomes] == ["conflict", "move"]
    assert plan.totals["conflicts"] == 1 and plan.totals["moves"] == 1
    assert plan.passes == 1
    assert name_key("Budi Santoso")
