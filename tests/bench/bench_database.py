"""A bench's own PostGIS database: made anew, Django set up on it, filled fast.

Shared by the registry benches (``registry_export.py``, ``registry.py``):

- ``make_database(name)`` drops and creates ``name`` on the local PostgreSQL,
  migrates it and loads Kabupaten Malang's areas (``load_areas 35.07``);
- ``setup_django(name)`` sets this process's Django up on it (the embedded
  settings otherwise: no Redis, local cache, logs at ERROR);
- ``bulk_load(cursor, tables)`` drops the tables' secondary indexes and turns
  off the foreign keys' triggers while a load runs, then builds the indexes
  again (a sort each, many times faster than 20 million index inserts) and
  analyses; ``copy_rows`` streams rows with ``COPY … FROM STDIN``;
- ``measure_export`` reads one streamed export to its end through the Django
  test client: rows/s, first byte, bytes, Python's peak allocation
  (tracemalloc, when ``traced``) and the growth of the process's peak RSS.
"""

import contextlib
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def database_url(name: str) -> str:
    return f"postgis://postgres@127.0.0.1:5432/{name}"


def bench_env(name: str) -> dict[str, str]:
    """This environment without its SRS_ settings, on database ``name``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SRS_", "DATABASE_URL"))}
    env.update(DATABASE_URL=database_url(name), SRS_LOG_LEVEL="ERROR", PYTHONPATH=str(ROOT))
    return env


def manage(name: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=bench_env(name),
        check=True,
        timeout=1200,
    )


def psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def database_exists(name: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def make_database(name: str) -> None:
    """``name`` anew: migrated, with Kabupaten Malang's areas."""
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")
    manage(name, "migrate", "-v0")
    manage(name, "load_areas", "35.07", "-v0")


def setup_django(name: str, **extra: str) -> None:
    os.environ.update(bench_env(name))
    os.environ.update(extra)
    os.environ["DJANGO_SETTINGS_MODULE"] = "srs.settings"
    import django

    django.setup()


@contextlib.contextmanager
def bulk_load(cursor: Any, tables: Sequence[str]) -> Iterator[None]:
    """While the block loads ``tables``: no secondary index, no foreign-key trigger.

    The indexes (unique ones too: the loader is trusted to keep them) are built
    again afterwards from their own definitions, and the tables analysed."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
        [list(tables)],
    )
    indexes = cursor.fetchall()
    constraints: list[tuple[str, str, str]] = []
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s)",
        [list(tables)],
    )
    constraints = cursor.fetchall()
    for table, constraint, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
    constraint_names = {c for _t, c, _d in constraints}
    for index, _definition in indexes:
        if index not in constraint_names:
            cursor.execute(f'DROP INDEX IF EXISTS "{index}"')
    cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        started = time.perf_counter()
        for table, constraint, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}')
        for index, definition in indexes:
            if index not in constraint_names:
                cursor.execute(definition)
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        print(f"  indexes built again in {time.perf_counter() - started:.0f} s", flush=True)


def copy_rows(
    cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """``rows`` into ``table`` with COPY (psycopg 3, through Django's cursor); their count."""
    count = 0
    raw = cursor.cursor  # Django's wrapper around psycopg's cursor
    with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_export(
    username: str, path: str, params: dict[str, str] | None = None, *, traced: bool
) -> dict[str, float]:
    """One export read to the end, in process, signed in as ``username``."""
    from django.test import Client

    from accounts.models import User

    client = Client(SERVER_NAME="localhost")
    client.force_login(User.objects.get(username=username))
    if traced:
        tracemalloc.start()
    rss_before = max_rss_mb()
    started = time.perf_counter()
    response = client.get(path, params or {})
    assert response.status_code == 200, response.status_code
    first_byte = 0.0
    size = 0
    for chunk in response.streaming_content:
        if not size:
            first_byte = time.perf_counter() - started
        size += len(chunk)
    elapsed = time.perf_counter() - started
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    rows = int(response["X-Export-Rows"])
    return {
        "rows": rows,
        "seconds": elapsed,
        "rows_per_s": rows / elapsed if elapsed else 0.0,
        "first_byte_ms": first_byte * 1000,
        "mb": size / 1024 / 1024,
        "peak_mb": peak,
        "rss_growth_mb": max_rss_mb() - rss_before,
    }
