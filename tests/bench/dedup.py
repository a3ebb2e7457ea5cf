#!/usr/bin/env python3
"""Duplicates at a regency's size (issue #12's bar): a million people, 2% planted twice.

It copies the registry bench's database (``srs_bench_registry``, made by
``tests/bench/registry.py``: 1,000,000 people in 300,000 households) to
``srs_bench_dedup`` (``CREATE DATABASE … TEMPLATE``; the original is never
written), migrates it, and plants ``--rate`` (2%) of its people a second time,
as a second survey or an import would enter them again, each with its known
original (table ``bench_dedup_truth``):

- the name as typed before (40%), with one letter wrong (20%), split or joined
  at a space (15%), with a title or the old spelling (10%), or a word dropped
  (15%);
- the NIK missing (35%), mistyped (35%: two neighbouring digits swapped, or one
  digit wrong), or a second NIK (30%: another serial at the same office, or
  another kecamatan's prefix);
- the birth date the same (88%), day and month swapped (4%), one part off (8%);
- the same village (80%), another of the kecamatan (15%), or of another
  kecamatan (5%); no household, no family card.

Then, in this process, ``duplicates.finding.find_duplicates(kind="person")`` over
the whole registry, timed, with the process's peak RSS (DuckDB's memory is
the process's), and the precision and recall of the pairs it stored against
the planted truth (recall also by kind of planting).

Run: .venv/bin/python tests/bench/dedup.py            # copy, plant, find
     .venv/bin/python tests/bench/dedup.py --keep     # the copy as it is: find again
"""

import argparse
import os
import random
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_database import (  # noqa: E402
    copy_rows,
    database_exists,
    manage,
    max_rss_mb,
    psql,
    setup_django,
)

ORIGINAL = "srs_bench_registry"
DATABASE = "srs_bench_dedup"
TITLES = ["Hj.", "H.", "Bapak", "Ibu", "Drs."]
OLD = [("u", "oe"), ("c", "tj"), ("y", "j"), ("j", "dj")]


def copy_database() -> None:
    if not database_exists(ORIGINAL):
        sys.exit(f"{ORIGINAL} is missing: run tests/bench/registry.py first")
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    started = time.perf_counter()
    psql(f"CREATE DATABASE {DATABASE} TEMPLATE {ORIGINAL}")
    print(f"copied {ORIGINAL} in {time.perf_counter() - started:.0f} s", flush=True)
    manage(DATABASE, "migrate", "-v0")


def vary_name(rng: random.Random, name: str) -> tuple[str, str]:
    words = name.split()
    draw = rng.random()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if draw < 0.40:
        return name, "name_same"
    if draw < 0.60 and long_words:
        i = rng.choice(long_words)
        word = words[i]
        at = rng.randrange(1, len(word))
        letter = rng.choice("aiueonrst")
        edit = rng.choice(["substitute", "delete", "insert"])
        if edit == "substitute":
            word = word[:at] + letter + word[at + 1 :]
        elif edit == "delete":
            word = word[:at] + word[at + 1 :]
        else:
            word = word[:at] + letter + word[at:]
        words[i] = word
        return " ".join(words), "name_typo"
    if draw < 0.75:
        if len(words) >= 2 and rng.random() < 0.5:
            i = rng.randrange(len(words) - 1)
            return " ".join(
                words[:i] + [words[i] + words[i + 1].lower()] + words[i + 2 :]
            ), "name_space"
        if long_words:
            i = rng.choice(long_words)
            at = rng.randrange(2, len(words[i]) - 2) if len(words[i]) > 4 else 2
            words[i] = words[i][:at] + " " + words[i][at:].capitalize()
            return " ".join(words), "name_space"
        return name, "name_same"
    if draw < 0.85:
        if rng.random() < 0.5:
            return f"{rng.choice(TITLES)} {name}", "name_title"
        new, old = rng.choice(OLD)
        return name.replace(new, old, 1), "name_title"
    if len(words) >= 2:
        del words[rng.randrange(len(words))]
        return " ".join(words), "name_dropped"
    return name, "name_same"


def vary_nik(
    rng: random.Random, nik: str | None, other_prefixes: list[str]
) -> tuple[str | None, str]:
    if not nik:
        return None, "nik_none"
    draw = rng.random()
    if draw < 0.35:
        return None, "nik_missing"
    if draw < 0.70:
        digits = list(nik)
        if rng.random() < 0.5:
            at = rng.choice([i for i in range(15) if digits[i] != digits[i + 1]] or [0])
            digits[at], digits[at + 1] = digits[at + 1], digits[at]
        else:
            at = rng.randrange(16)
            digits[at] = rng.choice([d for d in "0123456789" if d != digits[at]])
        return "".join(digits), "nik_typo"
    if rng.random() < 0.7:
        return nik[:12] + f"{rng.randint(5000, 9999):04d}", "nik_second"
    return rng.choice(other_prefixes) + nik[6:12] + f"{rng.randint(5000, 9999):04d}", "nik_second"


def vary_birth_date(rng: random.Random, born: date | None) -> tuple[date | None, str]:
    if born is None:
        return None, "born_same"
    draw = rng.random()
    if draw < 0.88:
        return born, "born_same"
    if draw < 0.92 and born.day <= 12 and born.day != born.month:
        return date(born.year, born.day, born.month), "born_swapped"
    part = rng.choice(["day", "month", "year"])
    try:
        if part == "day":
            return born + timedelta(days=rng.choice([-2, -1, 1, 2])), "born_off"
        if part == "month":
            return born.replace(
                month=rng.choice([m for m in range(1, 13) if m != born.month])
            ), "born_off"
        return born.replace(year=born.year + rng.choice([-1, 1])), "born_off"
    except ValueError:
        return born, "born_same"


def plant(rate: float, seed: int, mix: str, *, replant: bool) -> int:
    from django.db import connection

    from foundation.names import name_key

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        if _has_truth(cursor) and replant:
            cursor.execute("DELETE FROM duplicates_duplicatepair")
            cursor.execute(
                "DELETE FROM registry_person WHERE id IN (SELECT duplicate_id FROM bench_dedup_truth)"
            )
            cursor.execute("DROP TABLE bench_dedup_truth")
        if _has_truth(cursor):
            cursor.execute("SELECT count(*) FROM bench_dedup_truth")
            (planted,) = cursor.fetchone()
            print(f"{planted} duplicates already planted", flush=True)
            return int(planted)
        cursor.execute(
            "SELECT code FROM areas_area WHERE level = 'village' AND code LIKE '35.07.%'"
        )
        villages = [code for (code,) in cursor.fetchall()]
        by_kecamatan: dict[str, list[str]] = {}
        for code in villages:
            by_kecamatan.setdefault(code.rsplit(".", 1)[0], []).append(code)
        prefixes = [k.replace(".", "") for k in by_kecamatan]
        cursor.execute("SELECT nik FROM registry_person WHERE nik IS NOT NULL")
        niks = {nik for (nik,) in cursor.fetchall()}
        cursor.execute("SELECT max(id), count(*) FROM registry_person")
        top, total = cursor.fetchone()
        count = int(total * rate)
        cursor.execute(
            "SELECT id, name, sex, birth_date, nik, village_id, kecamatan_code, phone, "
            "created_by_source_id FROM registry_person "
            f"WHERE village_id IS NOT NULL ORDER BY random() LIMIT {count}"
        )
        chosen = cursor.fetchall()
        people, truth = [], []
        now = datetime.now(UTC)
        next_id = top + 1
        for pid, name, sex, born, nik, village, kecamatan, phone, source in chosen:
            # "compound": name, birth date and place each vary on their own; "single": the NIK
            # and at most one of them.
            varied = (
                {"name", "born", "place"}
                if mix == "compound"
                else {rng.choices(["name", "born", "place", ""], [50, 20, 15, 15])[0]}
            )
            new_name, name_kind = vary_name(rng, name) if "name" in varied else (name, "name_same")
            new_nik, nik_kind = vary_nik(rng, nik, prefixes)
            if new_nik in niks:
                new_nik, nik_kind = None, "nik_missing"
            if new_nik:
                niks.add(new_nik)
            new_born, born_kind = (
                vary_birth_date(rng, born) if "born" in varied else (born, "born_same")
            )
            draw = rng.random() if "place" in varied else 0.0
            if draw < 0.80:
                new_village, place = village, "same_village"
            elif draw < 0.95:
                new_village, place = rng.choice(by_kecamatan[kecamatan]), "same_kecamatan"
            else:
                other = rng.choice([k for k in by_kecamatan if k != kecamatan])
                new_village, place = rng.choice(by_kecamatan[other]), "other_kecamatan"
            new_sex = sex if rng.random() < 0.99 else ""
            people.append(
                (next_id, new_nik, new_name, name_key(new_name), new_sex, new_born, phone,
                 new_village, new_village.rsplit(".", 1)[0], "", "{}", source, now, now)
            )  # fmt: skip
            truth.append((pid, next_id, " ".join([name_kind, nik_kind, born_kind, place])))
            next_id += 1
        started = time.perf_counter()
        copy_rows(
            cursor,
            "registry_person",
            ["id", "nik", "name", "name_key", "sex", "birth_date", "phone", "village_id",
             "kecamatan_code", "relation", "details", "created_by_source_id", "created_at",
             "updated_at"],
            people,
        )  # fmt: skip
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('registry_person', 'id'), "
            "(SELECT max(id) FROM registry_person))"
        )
        cursor.execute(
            "CREATE TABLE bench_dedup_truth (original_id bigint, duplicate_id bigint, kinds text)"
        )
        copy_rows(cursor, "bench_dedup_truth", ["original_id", "duplicate_id", "kinds"], truth)
        cursor.execute("ANALYZE registry_person")
        print(
            f"planted {len(people)} duplicates in {time.perf_counter() - started:.0f} s", flush=True
        )
        return len(people)


def _has_truth(cursor) -> bool:  # noqa: ANN001
    cursor.execute("SELECT to_regclass('bench_dedup_truth') IS NOT NULL")
    return bool(cursor.fetchone()[0])


def measure(threshold: float) -> None:
    from django.db import connection

    from duplicates.finding import find_duplicates
    from duplicates.models import DedupRun, DuplicatePair

    DuplicatePair.objects.all().delete()
    DedupRun.objects.all().delete()
    load_before = os.getloadavg()
    rss_before = max_rss_mb()
    started = time.perf_counter()
    run = find_duplicates(kind="person", threshold=threshold)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM duplicates_duplicatepair p JOIN bench_dedup_truth t "
            "ON (p.person_a_id, p.person_b_id) = (least(t.original_id, t.duplicate_id), "
            "greatest(t.original_id, t.duplicate_id)) WHERE p.kind = 'person'"
        )
        (true_found,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM duplicates_duplicatepair WHERE kind = 'person'")
        (found,) = cursor.fetchone()
        cursor.execute("SELECT kinds, duplicate_id, original_id FROM bench_dedup_truth")
        truth = cursor.fetchall()
        cursor.execute("SELECT person_a_id, person_b_id FROM duplicates_duplicatepair")
        pairs = set(cursor.fetchall())
    planted = len(truth)
    by_kind: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for kinds, dup, orig in truth:
        key = (min(dup, orig), max(dup, orig))
        for kind in kinds.split():
            by_kind[kind] += 1
            hit[kind] += key in pairs
    precision = true_found / found if found else 0.0
    recall = true_found / planted if planted else 0.0
    print(f"people: {run.counts['people']:,}  planted: {planted:,}  threshold: {threshold}")
    print(f"time: {elapsed:.0f} s ({elapsed / 60:.1f} min)  steps: {run.counts['seconds']}")
    print(f"peak RSS: {max_rss_mb():.0f} MB (before the run {rss_before:.0f} MB)")
    print(f"load average before {load_before[0]:.1f}, after {load_after[0]:.1f} (2 cores)")
    print(f"pairs stored: {found:,}  of them planted: {true_found:,}")
    print(f"precision: {precision:.4f}  recall: {recall:.4f}")
    for kind in sorted(by_kind):
        print(f"  recall {kind:16} {hit[kind] / by_kind[kind]:.3f}  ({by_kind[kind]:,})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="use the copy of the last run")
    parser.add_argument("--rate", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--threshold", type=float, default=None, help="the default: finding's")
    parser.add_argument(
        "--mix", choices=["compound", "single"], default="compound", help="how planted ones vary"
    )
    parser.add_argument("--replant", action="store_true", help="remove the planted, plant anew")
    args = parser.parse_args()
    if not args.keep or not database_exists(DATABASE):
        copy_database()
    else:
        manage(DATABASE, "migrate", "-v0")  # the copy kept: brought to the code's schema
    setup_django(DATABASE)
    plant(args.rate, args.seed, args.mix, replant=args.replant)
    from duplicates.finding import DEFAULT_THRESHOLD

    measure(DEFAULT_THRESHOLD if args.threshold is None else args.threshold)


if __name__ == "__main__":
    main()
