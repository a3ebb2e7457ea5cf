#!/usr/bin/env python3
"""The registry's streamed exports at a regency's size, on PostGIS.

``--load`` makes the database ``srs_bench_export`` anew (migrations, Kabupaten
Malang's areas) and fills it with bulk inserts (``INSERT … SELECT`` over
``generate_series``): N households (default 100,000) over the regency's 390
villages, four people each (a head with an NIK, a phone and a family card,
three members), programmes for three in ten. Without ``--load`` the data of
the last run is kept.

Then, in this process, through the Django test client at the export URLs (as
a district officer of 35.07: the whole regency; as a reviewer of Kepanjen: one
kecamatan), it reads each export to the end and prints rows/s, the time to
the first byte and to the last, the bytes, and memory: the peak of Python's
allocations during the export (tracemalloc, in a second run, since tracing
slows Python down) and the growth of the process's peak resident size.

Run: .venv/bin/python tests/bench/registry_export.py --load [--count 100000]
     .venv/bin/python tests/bench/registry_export.py [--only households.csv]

Measured 2026-12-02, 2 cores shared with other test runs (load 3-6), PostgreSQL 15 on
loopback, 100,000 households / 400,000 people: the regency's households in 7-10 s as CSV
(10,000-14,000 rows/s) and 8-15 s as XLSX (6,800-12,000 rows/s), its people in 17-34 s
(12,000-24,000 rows/s; the faster figures on a quiet machine); first byte 20-200 ms
(about 1 s for the first request of a fresh process); Python's peak allocation during an
export 4-8 MB whatever its size, and the process's resident size unchanged after the first
export. A kecamatan (4,615 households): under half a second.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_database import (  # noqa: E402
    make_database,
    max_rss_mb,
    measure_export,
    setup_django,
)

DATABASE = "srs_bench_export"
EXPORTS = ["households.csv", "households.xlsx", "people.csv", "people.xlsx"]

FIRST_NAMES = [
    "Muhammad", "Siti", "Sri", "Dewi", "Agus", "Budi", "Bambang", "Slamet", "Joko", "Eko",
    "Dwi", "Tri", "Nur", "Ahmad", "Yusuf", "Wahyu", "Rina", "Ratna", "Endang", "Heru",
]  # fmt: skip
LAST_NAMES = [
    "Santoso", "Wijaya", "Susanto", "Hidayat", "Setiawan", "Prasetyo", "Kurniawan", "Rahayu",
    "Suryani", "Wibowo", "Saputra", "Hartono", "Gunawan", "Lestari", "Purnomo", "Nugroho",
]  # fmt: skip


def load(count: int) -> None:
    """``count`` households of four, in SQL; the users who export them."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from accounts.staff import assign_role
    from areas.models import Area
    from foundation.names import name_key
    from registry.models import Source

    started = time.perf_counter()
    district = User.objects.create_user("district", password="bench-pw-123")
    assign_role(user=district, role="district_staff", area=Area.objects.get(code="35.07"))
    reviewer = User.objects.create_user("reviewer", password="bench-pw-123")
    assign_role(user=reviewer, role="reviewer", area=Area.objects.get(code="35.07.13"))
    source = Source.objects.create(
        kind=Source.Kind.IMPORT, label="bench", approved_by=district, approved_at=timezone.now()
    )
    villages = list(
        Area.objects.filter(level="village", code__startswith="35.07.")
        .order_by("code")
        .values_list("code", "parent_id")
    )
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("CREATE TEMP TABLE bench_village (idx int PRIMARY KEY, code text, kec text)")
        cursor.executemany(
            "INSERT INTO bench_village VALUES (%s, %s, %s)",
            [(index, code, kec) for index, (code, kec) in enumerate(villages)],
        )
        cursor.execute("CREATE TEMP TABLE bench_name (idx int PRIMARY KEY, name text, key text)")
        cursor.executemany(
            "INSERT INTO bench_name VALUES (%s, %s, %s)",
            [(index, name, name_key(name)) for index, name in enumerate(names)],
        )
        n_villages, n_names = len(villages), len(names)
        cursor.execute(
            f"""
            INSERT INTO registry_household (village_id, kecamatan_code, rt, rw, address,
              location, location_accuracy_m, housing, assets, kks_number,
              created_by_source_id, created_at, updated_at)
            SELECT v.code, v.kec, lpad((1 + g %% 12)::text, 3, '0'),
              lpad((1 + (g / 12) %% 8)::text, 3, '0'), 'Jl. Mawar ' || g::text,
              ST_SetSRID(ST_MakePoint(112.5 + (g %% 9000) / 100000.0,
                -8.1 - (g %% 7000) / 100000.0), 4326),
              5, '{{}}'::jsonb, '[]'::jsonb, '', %(source)s, now(), now()
            FROM generate_series(1, %(count)s) AS g
            JOIN bench_village v ON v.idx = (g * 7) %% {n_villages}
            """,
            {"source": source.pk, "count": count},
        )
        cursor.execute(
            """
            INSERT INTO registry_family (kk_number, household_id, created_at)
            SELECT '3507' || lpad(h.id::text, 12, '0'), h.id, now() FROM registry_household h
            """
        )
        cursor.execute(
            f"""
            INSERT INTO registry_person (nik, name, name_key, sex, birth_date, phone,
              household_id, village_id, kecamatan_code, family_id, relation, details,
              created_by_source_id, created_at, updated_at)
            SELECT '35' || lpad((h.id * 4 + m)::text, 14, '0'), n.name, n.key,
              CASE WHEN m %% 2 = 0 THEN 'male' ELSE 'female' END,
              date '1950-01-01' + ((h.id * 4 + m) * 37 %% 25000)::int,
              CASE WHEN m = 0 THEN '+62812' || lpad(h.id::text, 8, '0') ELSE '' END,
              h.id, h.village_id, h.kecamatan_code, f.id,
              CASE WHEN m = 0 THEN 'head' WHEN m = 1 THEN 'spouse' ELSE 'child' END,
              '{{}}'::jsonb, %(source)s, now(), now()
            FROM registry_household h
            JOIN registry_family f ON f.household_id = h.id
            CROSS JOIN generate_series(0, 3) AS m
            JOIN bench_name n ON n.idx = ((h.id * 4 + m) * 2654435761) %% {n_names}
            """,
            {"source": source.pk},
        )
        cursor.execute(
            """
            UPDATE registry_household h SET head_id = p.id
            FROM registry_person p WHERE p.household_id = h.id AND p.relation = 'head'
            """
        )
        cursor.execute(
            """
            INSERT INTO registry_participation (household_id, programme, source_id, since)
            SELECT h.id, (ARRAY['pkh', 'kps_kks', 'bpjs_pbi'])[1 + h.id %% 3], %(source)s,
              date '2024-01-01'
            FROM registry_household h WHERE h.id %% 10 < 3
            """,
            {"source": source.pk},
        )
        cursor.execute("ANALYZE")
    print(f"  loaded {count:,} households in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", action="store_true", help=f"make {DATABASE} anew and fill it")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--only", choices=EXPORTS, action="append")
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args()
    if args.load:
        print(f"making {DATABASE} anew", flush=True)
        make_database(DATABASE)
    setup_django(DATABASE)
    if args.load:
        load(args.count)
    from registry.models import Household, Person

    print(f"{Household.objects.count():,} households, {Person.objects.count():,} people")
    print(f"process peak RSS before: {max_rss_mb():.0f} MB")
    header = (
        f"{'who':<9} {'export':<16} {'rows':>8} {'s':>7} {'rows/s':>8} {'1st byte':>9} "
        f"{'MB':>7} {'peak MB':>8} {'RSS +MB':>8}"
    )
    print(header)
    for username in ("district", "reviewer"):
        for export in args.only or EXPORTS:
            path = f"/registry/export/{export}"
            timed = measure_export(username, path, traced=False)
            peak = timed if args.no_trace else measure_export(username, path, traced=True)
            print(
                f"{username:<9} {export:<16} {timed['rows']:>8,} {timed['seconds']:>7.2f} "
                f"{timed['rows_per_s']:>8,.0f} {timed['first_byte_ms']:>7.0f}ms "
                f"{timed['mb']:>7.1f} {peak['peak_mb']:>8.1f} {timed['rss_growth_mb']:>8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
