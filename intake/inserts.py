"""The INSERTs of the submission path, built once per process instead of per request.

Every phone's POST writes a submission and its files. The ORM would build the
same SQL and make model instances for each of them; here each statement is
built once (per model, or per number of files) and each value is put in its
database form by its own field, as ``save()`` does. The rows, their defaults
and their constraints stay the models'.
"""

import functools
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

from intake.models import Attachment, Submission


@dataclass(frozen=True)
class InsertPlan:
    sql: str
    fields: tuple[models.Field, ...]


@functools.cache
def _insert_plan(
    model: type[models.Model], vendor: str, unless_exists: tuple[str, ...]
) -> InsertPlan:
    meta = model._meta
    quote = connection.ops.quote_name
    fields = tuple(field for field in meta.concrete_fields if not field.primary_key)
    conflict = ", ".join(
        quote(cast(models.Field, meta.get_field(name)).column) for name in unless_exists
    )
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
        + (f" ON CONFLICT ({conflict}) DO NOTHING" if unless_exists else "")
        + f" RETURNING {quote(meta.pk.column)}"
    )
    return InsertPlan(sql=sql, fields=fields)


def row_params(fields: tuple[models.Field, ...], values: dict[str, Any]) -> list[Any]:
    """The database form of one row's values, field by field, as ``save()`` makes them.

    ``values`` go by attribute name (``questionnaire_id``); every other field gets its
    default and ``auto_now_add`` fields the time now.
    """
    now = timezone.now()
    params = []
    for field in fields:
        if field.attname in values:
            value = values[field.attname]
        elif getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            value = now
        else:
            value = field.get_default()
        params.append(field.get_db_prep_save(value, connection))
    return params


def insert_row(
    model: type[models.Model], values: dict[str, Any], *, unless_exists: tuple[str, ...] = ()
) -> int | None:
    """INSERT one row of ``model`` in one round trip and return its id, or None when a row
    with the same ``unless_exists`` fields is already there (the unique constraint decides,
    not a look-up). No model instance is made.
    """
    plan = _insert_plan(model, connection.vendor, unless_exists)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, row_params(plan.fields, values))
        found = cursor.fetchone()
    return int(found[0]) if found else None


@dataclass(frozen=True)
class NewSubmissionPlan:
    sql: str
    submission_fields: tuple[models.Field, ...]
    file_fields: tuple[models.Field, ...]  # of each attachment, all but its submission


@functools.cache
def _new_submission_plan(vendor: str, file_count: int) -> NewSubmissionPlan:
    submission = _insert_plan(Submission, vendor, ("questionnaire", "instance_id"))
    meta = Attachment._meta
    quote = connection.ops.quote_name
    link = cast(models.Field, meta.get_field("submission"))
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key and f is not link)
    columns = ", ".join(quote(f.column) for f in (link, *fields))
    values = ", ".join(["%s"] * len(fields))
    pk = quote(cast(models.Field, Submission._meta.pk).column)
    files = "".join(
        f", file_{n} AS (INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"SELECT {pk}, {values} FROM new_submission)"
        for n in range(file_count)
    )
    return NewSubmissionPlan(
        sql=f"WITH new_submission AS ({submission.sql}){files} SELECT {pk} FROM new_submission",
        submission_fields=submission.fields,
        file_fields=fields,
    )


def can_store_submission_with_files_at_once() -> bool:
    """Does this database run ``new_submission_with_files_plan``? (SQLite has no INSERT in WITH.)"""
    return connection.vendor == "postgresql"


def new_submission_with_files_plan(file_count: int) -> NewSubmissionPlan:
    """One statement (PostgreSQL's data-modifying WITH) that stores a new submission and
    its ``file_count`` attachments, or nothing at all when its instanceID is already there:
    each INSERT runs once, and the attachments' only for the submission row just made.

    Its parameters: the submission's (``submission_fields``), then each file's.
    """
    return _new_submission_plan(connection.vendor, file_count)
