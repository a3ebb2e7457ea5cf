"""The search for duplicates: people read, blocked, scored with Splink, pairs stored.

``find_duplicates`` reads the people of an area (``extract``) into an
in-memory DuckDB, lets Splink compare the pairs that the blocking rules
bring together (same village and birth date; same kecamatan, birth year and
first name; the NIK without its serial; the KK; the phone; and the rules that
catch a birth date one part off, a move and a dropped name word, listed in
``linkage_model.BLOCKING_RULES``) with the fixed model of ``linkage_model``,
and keeps those at or above the threshold (0.75 by default: the model's
precision and recall there in ``deploy/PERFORMANCE.md``). People merged into
another are not read. For
households, two households are a candidate when their members are.

Each pair is stored once (unique on its two records, the lower id first): a
new one opens, an open one found again gets its new score, a dismissed or
merged one is left as it was decided.
"""

import logging
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
from django.db import transaction
from django.utils import timezone
from splink import DuckDBAPI, Linker

from accounts.models import User
from audit.trail import record_change
from duplicates.errors import UnknownPairKind
from duplicates.extract import FREQUENCY_TABLE, PEOPLE_TABLE, read_name_frequencies, read_people
from duplicates.linkage_model import (
    BLOCKING_RULES,
    COMPARISONS,
    MODEL_VERSION,
    PROBABILITY_TWO_RANDOM_RECORDS_MATCH,
    describe_parameters,
    level_codes,
    person_settings,
)
from duplicates.models import DedupRun, DuplicatePair, PairKind

logger = logging.getLogger(__name__)

DEFAULT_THRESHOLD = 0.75
_STORE_BATCH = 500
_MEMORY_LIMIT = "1500MB"


@dataclass(frozen=True)
class FoundPair:
    """One candidate pair as scored: the two ids (lower first) and why."""

    low: int
    high: int
    match_probability: float
    match_weight: float
    blocking_rule: str
    contributions: dict[str, Any]


def _prior_weight() -> float:
    prior = PROBABILITY_TWO_RANDOM_RECORDS_MATCH
    return math.log2(prior / (1 - prior))


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{_MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _predict(con: duckdb.DuckDBPyConnection, threshold: float) -> str:
    """Splink's scored pairs at or above ``threshold``: the name of their DuckDB table."""
    api = DuckDBAPI(con)
    people = api.register(PEOPLE_TABLE, table_name="dedup_people")
    linker = Linker(people, person_settings(), log_level=None)
    frequencies = api.register(FREQUENCY_TABLE, table_name="dedup_name_frequencies")
    linker.table_management.register_term_frequency_lookup(frequencies, "name_key")
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    return str(predictions.physical_name)


def _person_pairs(con: duckdb.DuckDBPyConnection, table: str) -> Iterator[FoundPair]:
    rules = list(BLOCKING_RULES)
    codes = {name: level_codes(name) for name in COMPARISONS}
    weights = [f"mw_{name}" for name in COMPARISONS]
    gammas = [f"gamma_{name}" for name in COMPARISONS]
    prior = round(_prior_weight(), 4)
    rows = con.execute(
        f"SELECT unique_id_l, unique_id_r, match_probability, match_weight, match_key, "
        f"mw_tf_adj_name, {', '.join(weights)}, {', '.join(gammas)} FROM {table}"
    )
    while batch := rows.fetchmany(10_000):
        for row in batch:
            left, right, probability, weight, key, frequency = row[:6]
            field_weights = row[6 : 6 + len(weights)]
            levels = row[6 + len(weights) :]
            contributions: dict[str, Any] = {"prior": prior}
            for name, value in zip(COMPARISONS, field_weights, strict=True):
                contributions[name] = round(float(value), 4)
            contributions["name_frequency"] = round(float(frequency or 0.0), 4)
            contributions["levels"] = {
                name: codes[name].get(int(level), "unknown")
                for name, level in zip(COMPARISONS, levels, strict=True)
            }
            yield FoundPair(
                low=min(left, right),
                high=max(left, right),
                match_probability=float(probability),
                match_weight=float(weight),
                blocking_rule=rules[int(key)],
                contributions=contributions,
            )


def _household_pairs(
    con: duckdb.DuckDBPyConnection, table: str, threshold: float
) -> Iterator[FoundPair]:
    """Two households are a candidate when at least two of their members are (all of them,
    for a household of one): their score, the matched share of the smaller household times
    the members' mean probability; their contributions, the matched members."""
    rows = con.execute(
        f"""
        WITH sizes AS (
            SELECT household_id, count(*) AS size FROM {PEOPLE_TABLE}
            WHERE household_id IS NOT NULL GROUP BY household_id
        ), members AS (
            SELECT least(household_id_l, household_id_r) AS ha,
                   greatest(household_id_l, household_id_r) AS hb,
                   unique_id_l, unique_id_r, match_probability, match_weight
            FROM {table}
            WHERE household_id_l IS NOT NULL AND household_id_r IS NOT NULL
              AND household_id_l <> household_id_r
        )
        SELECT ha, hb, count(*) AS matched, least(min(sa.size), min(sb.size)) AS smaller,
               avg(match_probability) AS mean_probability,
               list([unique_id_l, unique_id_r] ORDER BY match_weight DESC)[1:20] AS people,
               list(round(match_weight, 4) ORDER BY match_weight DESC)[1:20] AS weights
        FROM members JOIN sizes sa ON sa.household_id = ha JOIN sizes sb ON sb.household_id = hb
        GROUP BY ha, hb
        HAVING count(*) >= least(2, least(min(sa.size), min(sb.size)))
        """
    )
    while batch := rows.fetchmany(10_000):
        for ha, hb, matched, smaller, mean_probability, people, weights in batch:
            probability = min(1.0, matched / smaller) * float(mean_probability)
            if probability < threshold:
                continue
            clipped = min(max(probability, 1e-12), 1 - 1e-12)
            yield FoundPair(
                low=int(ha),
                high=int(hb),
                match_probability=probability,
                match_weight=math.log2(clipped / (1 - clipped)),
                blocking_rule="matched_members",
                contributions={
                    "members_matched": int(matched),
                    "smaller_household_size": int(smaller),
                    "mean_member_probability": round(float(mean_probability), 6),
                    "members": [
                        {"person_a": int(a), "person_b": int(b), "match_weight": float(w)}
                        for (a, b), w in zip(people, weights, strict=True)
                    ],
                },
            )


def _fields(kind: str) -> tuple[str, str]:
    return (
        ("person_a_id", "person_b_id")
        if kind == PairKind.PERSON
        else (
            "household_a_id",
            "household_b_id",
        )
    )


def _store_batch(run: DedupRun, kind: str, found: list[FoundPair], counts: dict[str, int]) -> None:
    low_field, high_field = _fields(kind)
    existing = {
        (getattr(pair, low_field), getattr(pair, high_field)): pair
        for pair in DuplicatePair.objects.filter(
            kind=kind, **{f"{low_field}__in": {pair.low for pair in found}}
        )
    }
    now = timezone.now()
    new: list[DuplicatePair] = []
    again: list[DuplicatePair] = []
    for candidate in found:
        pair = existing.get((candidate.low, candidate.high))
        if pair is None:
            new.append(
                DuplicatePair(
                    kind=kind,
                    **{low_field: candidate.low, high_field: candidate.high},
                    match_probability=candidate.match_probability,
                    match_weight=candidate.match_weight,
                    contributions=candidate.contributions,
                    blocking_rule=candidate.blocking_rule,
                    model_version=MODEL_VERSION,
                    last_run=run,
                )
            )
        elif pair.state == DuplicatePair.State.OPEN:
            pair.match_probability = candidate.match_probability
            pair.match_weight = candidate.match_weight
            pair.contributions = candidate.contributions
            pair.blocking_rule = candidate.blocking_rule
            pair.model_version = MODEL_VERSION
            pair.last_run = run
            pair.updated_at = now
            again.append(pair)
        else:
            counts["kept_decided"] += 1  # dismissed or merged: a reviewer's word stands
    with transaction.atomic():
        # A pair another run inserted meanwhile is left to it: the constraint decides.
        created = DuplicatePair.objects.bulk_create(new, ignore_conflicts=True)
        DuplicatePair.objects.bulk_update(
            again,
            [
                "match_probability",
                "match_weight",
                "contributions",
                "blocking_rule",
                "model_version",
                "last_run",
                "updated_at",
            ],
        )
    counts["created"] += len(created)
    counts["updated"] += len(again)


def _store(run: DedupRun, kind: str, pairs: Iterator[FoundPair]) -> dict[str, int]:
    counts = {"candidates": 0, "created": 0, "updated": 0, "kept_decided": 0}
    batch: list[FoundPair] = []
    for pair in pairs:
        batch.append(pair)
        counts["candidates"] += 1
        if len(batch) >= _STORE_BATCH:
            _store_batch(run, kind, batch, counts)
            batch = []
    if batch:
        _store_batch(run, kind, batch, counts)
    return counts


@transaction.atomic
def _start_run(
    *, kind: str, area_code: str | None, threshold: float, started_by: User | None
) -> DedupRun:
    run = DedupRun.objects.create(
        kind=kind,
        area_code=area_code or "",
        model_version=MODEL_VERSION,
        parameters=describe_parameters(threshold),
        started_by=started_by,
        started_at=timezone.now(),
    )
    record_change(
        actor=started_by,
        action="duplicates.run_started",
        obj=run,
        area_code=area_code,
        after={"state": run.state, "kind": kind, "model_version": MODEL_VERSION},
    )
    return run


@transaction.atomic
def _end_run(run: DedupRun, *, state: str, counts: dict[str, Any], error: str = "") -> None:
    run = DedupRun.objects.select_for_update().get(pk=run.pk)
    before = {"state": run.state}
    run.state = state
    run.counts = counts
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "counts", "error", "finished_at"])
    record_change(
        actor=run.started_by,
        action=f"duplicates.run_{state}",
        obj=run,
        area_code=run.area_code or None,
        before=before,
        after={"state": state, **{k: v for k, v in counts.items() if k != "seconds"}},
    )


def find_duplicates(
    *,
    kind: str,
    area_code: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    started_by: User | None = None,
) -> DedupRun:
    """Search ``area_code`` (the whole registry for None) for duplicate people or households
    and store the candidates at or above ``threshold`` (a match probability).

    Returns the finished run with its counts; a failure is recorded on the run (state
    ``failed``) and raised again. Raises UnknownPairKind for a kind other than person or
    household. Safe to run again: pairs are unique on their two records.
    """
    if kind not in PairKind.values:
        raise UnknownPairKind(kind=kind)
    run = _start_run(kind=kind, area_code=area_code, threshold=threshold, started_by=started_by)
    seconds: dict[str, float] = {}
    counts: dict[str, Any] = {}
    started = time.perf_counter()
    con = _connect()
    try:
        counts["people"] = read_people(con, area_code=area_code)
        read_name_frequencies(con)
        seconds["read"] = round(time.perf_counter() - started, 2)
        mark = time.perf_counter()
        table = _predict(con, threshold)
        ((scored,),) = con.execute(f"SELECT count(*) FROM {table}").fetchall()
        counts["person_pairs_above_threshold"] = int(scored)
        seconds["score"] = round(time.perf_counter() - mark, 2)
        mark = time.perf_counter()
        if kind == PairKind.PERSON:
            found = _person_pairs(con, table)
        else:
            found = _household_pairs(con, table, threshold)
        counts.update(_store(run, kind, found))
        seconds["store"] = round(time.perf_counter() - mark, 2)
    except Exception as exc:
        logger.exception("dedup: run %s failed", run.pk)
        counts["seconds"] = seconds
        _end_run(run, state=DedupRun.State.FAILED, counts=counts, error=repr(exc)[:2000])
        raise
    finally:
        con.close()
    seconds["total"] = round(time.perf_counter() - started, 2)
    counts["seconds"] = seconds
    _end_run(run, state=DedupRun.State.FINISHED, counts=counts)
    run.refresh_from_db()
    logger.info(
        "dedup: run %s (%s) found %s candidates, %s new",
        run.pk,
        kind,
        counts["candidates"],
        counts["created"],
    )
    return run
