"""The registry's people read into DuckDB, in the columns the linkage model compares.

On PostgreSQL the rows are streamed with ``COPY … TO STDOUT`` into a
temporary CSV file that DuckDB reads (a million people in seconds, never all
of them as Python objects); on SpatiaLite, the embedded default, a plain query
read in batches. Names are compared on their stored ``name_key``
(``foundation.names``: titles dropped, old spellings and Muhammad's many forms
made one), never on what was typed.
"""

import logging
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa
from django.db import connection
from django.db.models import Count, QuerySet

from duplicates.linkage_model import FREQUENCY_FLOOR_PEOPLE
from duplicates.queries import area_q
from registry.models import Person

logger = logging.getLogger(__name__)

RAW_TABLE = "people_raw"
PEOPLE_TABLE = "people"
FREQUENCY_TABLE = "name_frequencies"

_COLUMNS = (
    "id",
    "household_id",
    "name_key",
    "sex",
    "birth_date",
    "village_id",
    "kecamatan_code",
    "nik",
    "family__kk_number",
    "phone",
)
_DUCKDB_TYPES = {
    "id": "BIGINT",
    "household_id": "BIGINT",
    "name_key": "VARCHAR",
    "sex": "VARCHAR",
    "birth_date": "DATE",
    "village": "VARCHAR",
    "kecamatan": "VARCHAR",
    "nik": "VARCHAR",
    "kk": "VARCHAR",
    "phone": "VARCHAR",
}
_BATCH = 50_000


def people_in(area_code: str | None) -> QuerySet[Person]:
    """The registry's people of ``area_code`` and below (everyone for None), without those
    merged into another (``merged_into``): their row is kept, but they are someone else now."""
    people = Person.objects.filter(merged_into__isnull=True)
    if area_code:
        people = people.filter(area_q(area_code, village="village_id", kecamatan="kecamatan_code"))
    return people


def _copy_from_postgresql(
    con: duckdb.DuckDBPyConnection, people: QuerySet[Person], folder: Path
) -> None:
    sql, params = people.values_list(*_COLUMNS).query.sql_with_params()
    path = folder / "people.csv"
    with connection.cursor() as cursor, path.open("wb") as out:
        raw = cursor.cursor  # psycopg's own, under Django's wrapper
        with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
            for chunk in copy:
                out.write(chunk)
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in _DUCKDB_TYPES.items())
    con.execute(
        f"CREATE TABLE {RAW_TABLE} AS SELECT * FROM read_csv(?, header = false, "
        f"columns = {{{columns}}}, nullstr = '')",
        [str(path)],
    )
    path.unlink()


def _schema() -> pa.Schema:
    kinds = {"BIGINT": pa.int64(), "VARCHAR": pa.string(), "DATE": pa.date32()}
    return pa.schema([(name, kinds[kind]) for name, kind in _DUCKDB_TYPES.items()])


def _query_rows(con: duckdb.DuckDBPyConnection, people: QuerySet[Person]) -> None:
    schema = _schema()
    con.execute(
        f"CREATE TABLE {RAW_TABLE} ("
        + ", ".join(f"{name} {kind}" for name, kind in _DUCKDB_TYPES.items())
        + ")"
    )
    batch: list[tuple[object, ...]] = []

    def flush() -> None:
        columns = list(zip(*batch, strict=True))  # never called with an empty batch
        table = pa.Table.from_arrays(
            [
                pa.array(values, type=field.type)
                for values, field in zip(columns, schema, strict=True)
            ],
            schema=schema,
        )
        con.register("incoming", table)
        con.execute(f"INSERT INTO {RAW_TABLE} SELECT * FROM incoming")
        con.unregister("incoming")
        batch.clear()

    for row in people.values_list(*_COLUMNS).iterator(chunk_size=5000):
        batch.append(row)
        if len(batch) >= _BATCH:
            flush()
    if batch:
        flush()


def _derive_columns(con: duckdb.DuckDBPyConnection) -> int:
    """The compared columns: name variants, birth date parts, NIK parts and its consistency
    with the person's own birth date, sex and kecamatan."""
    con.execute(
        f"""
        CREATE TABLE {PEOPLE_TABLE} AS
        WITH cleaned AS (
            SELECT id AS unique_id, household_id,
                   NULLIF(trim(name_key), '') AS name_key, NULLIF(sex, '') AS sex, birth_date,
                   NULLIF(village, '') AS village, NULLIF(kecamatan, '') AS kecamatan,
                   NULLIF(nik, '') AS nik, NULLIF(kk, '') AS kk, NULLIF(phone, '') AS phone
            FROM {RAW_TABLE}
        )
        SELECT *,
               replace(name_key, ' ', '') AS name_compact,
               str_split(name_key, ' ') AS name_words,
               array_to_string(list_sort(str_split(name_key, ' ')), ' ') AS name_sorted,
               split_part(name_key, ' ', 1) AS first_token,
               split_part(name_key, ' ', -1) AS last_token,
               year(birth_date) AS birth_year,
               month(birth_date) AS birth_month,
               day(birth_date) AS birth_day,
               left(nik, 12) AS nik12,
               substr(nik, 7, 6) AS nik_date,
               array_to_string(list_sort(str_split(right(nik, 4), '')), '') AS nik_serial_sorted,
               array_to_string(list_sort(str_split(nik, '')), '') AS nik_sorted,
               nik IS NOT NULL AND (
                   left(nik, 6) <> replace(coalesce(kecamatan, ''), '.', '')
                   OR (birth_date IS NOT NULL AND substr(nik, 7, 6) NOT IN (
                       strftime(birth_date, '%d%m%y'),
                       lpad(CAST(day(birth_date) + 40 AS VARCHAR), 2, '0')
                           || strftime(birth_date, '%m%y')
                   ))
                   OR (sex = 'female' AND CAST(substr(nik, 7, 2) AS INT) <= 40)
                   OR (sex = 'male' AND CAST(substr(nik, 7, 2) AS INT) > 40)
               ) AS nik_inconsistent
        FROM cleaned
        """
    )
    con.execute(f"DROP TABLE {RAW_TABLE}")
    ((count,),) = con.execute(f"SELECT count(*) FROM {PEOPLE_TABLE}").fetchall()
    return int(count)


def read_people(con: duckdb.DuckDBPyConnection, *, area_code: str | None) -> int:
    """``PEOPLE_TABLE`` in ``con``: the people of ``area_code`` (all for None); their count."""
    people = people_in(area_code)
    if connection.vendor == "postgresql":
        with tempfile.TemporaryDirectory(prefix="srs-dedup-") as folder:
            _copy_from_postgresql(con, people, Path(folder))
    else:
        _query_rows(con, people)
    count = _derive_columns(con)
    logger.info("dedup: %d people read", count)
    return count


def read_name_frequencies(con: duckdb.DuckDBPyConnection) -> None:
    """``FREQUENCY_TABLE``: each name key's share of the whole registry's people (never of
    fewer than ``FREQUENCY_FLOOR_PEOPLE``, merged ones left out), whatever area the run
    covers, so that a pair's score does not depend on it."""
    counts = list(
        Person.objects.filter(merged_into__isnull=True)
        .exclude(name_key="")
        .values("name_key")
        .annotate(n=Count("id"))
        .values_list("name_key", "n")
        .iterator(chunk_size=20_000)
    )
    total = max(sum(n for _key, n in counts), FREQUENCY_FLOOR_PEOPLE)
    table = pa.table(
        {
            "name_key": pa.array([key for key, _n in counts], type=pa.string()),
            "tf_name_key": pa.array([n / total for _key, n in counts], type=pa.float64()),
        }
    )
    con.register("incoming_frequencies", table)
    con.execute(f"CREATE TABLE {FREQUENCY_TABLE} AS SELECT * FROM incoming_frequencies")
    con.unregister("incoming_frequencies")
