"""Exports of the registry: a selection of households or people as CSV or XLSX, streamed.

The selection is the registry list's (``registry.queries.search_households``
and ``search_people``: the reader's areas, then village, RT, RW, programme
and ``q``), narrowed to the areas where the reader may export
(``Action.EXPORT``: reviewers, coordinators, district staff and
administrators; not field agents, monitors or auditors). NIK, KK and phone
numbers are always masked: an export never reveals (a reveal is an act of
its own, for one person, with a reason). A cell that a spreadsheet would
read as a formula gets a leading quote, in both formats.

Each export is one audit record (``registry.exported``, with its filters and
row count), written before the first row leaves. The rows are read with a
server-side cursor (``iterator(chunk_size=2000)``) and written as they come:
a regency's households never sit in memory, and the first bytes leave at
once. The rows are those that existed when the export was asked for (the
highest id then): the count in the audit record is the count sent.
"""

import csv
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import (
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from accounts.access import Action, home_area_code, require, scope_for
from accounts.models import User
from audit.trail import record_change
from registry.masking import mask_kk, mask_nik, mask_phone
from registry.models import Family, Household, Participation, Person
from registry.queries import RegistryFilters, search_households, search_people
from registry.xlsx_stream import Cell, stream_xlsx

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
_CSV_ROWS_PER_WRITE = 500
# A cell that a spreadsheet would read as a formula (CSV injection) gets a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportKind(StrEnum):
    HOUSEHOLDS = "households"
    PEOPLE = "people"


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

HOUSEHOLD_COLUMNS = (
    "household_id",
    "village_code",
    "village",
    "kecamatan_code",
    "rw",
    "rt",
    "address",
    "head_name",
    "head_nik",
    "head_phone",
    "kk_numbers",
    "members",
    "programmes",
    "latitude",
    "longitude",
    "updated_at",
)
PERSON_COLUMNS = (
    "person_id",
    "household_id",
    "village_code",
    "village",
    "kecamatan_code",
    "rw",
    "rt",
    "name",
    "nik",
    "kk_number",
    "sex",
    "birth_date",
    "relation",
    "phone",
    "programmes",
    "updated_at",
)


def neutralise(value: object) -> Cell:
    """What a cell holds: numbers as they are, text with a leading quote where a
    spreadsheet would read a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@dataclass(frozen=True)
class Export:
    """An export ready to send: its chunks are read once, lazily."""

    kind: ExportKind
    file_format: ExportFormat
    count: int
    filename: str
    content_type: str
    chunks: Iterator[bytes]


# --- who may export what ------------------------------------------------------------


def _exportable(queryset: QuerySet[Any], user: User | AnonymousUser) -> QuerySet[Any]:
    """``queryset`` (already the reader's VIEW areas) within her EXPORT areas too.

    Every role that may export may also view; only a person who also holds
    a role without EXPORT (a field agent's village) sees more than she may
    take out.
    """
    export_scope = scope_for(user, Action.EXPORT)
    if export_scope.everywhere:
        return queryset
    view_scope = scope_for(user, Action.VIEW)
    if not view_scope.everywhere and view_scope.roots == export_scope.roots:
        return queryset
    return queryset.filter(export_scope.q("village__code"))


def _selection(
    user: User | AnonymousUser, kind: ExportKind, filters: RegistryFilters
) -> QuerySet[Any]:
    if kind is ExportKind.HOUSEHOLDS:
        return _exportable(search_households(user, filters), user)
    return _exportable(search_people(user, filters), user)


# --- rows ---------------------------------------------------------------------------


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _when(value: Any) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _programmes_of_households(household_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, set[str]] = defaultdict(set)
    for household_id, programme in Participation.objects.filter(
        household_id__in=household_ids, until__isnull=True
    ).values_list("household_id", "programme"):
        found[household_id].add(programme)
    return {key: sorted(values) for key, values in found.items()}


def _coordinate(function: str) -> Func:
    # Read as numbers by the database (PostGIS and SpatiaLite both have ST_X/ST_Y): a
    # geometry object made per row would cost more than the rest of the row.
    return Func(F("location"), function=function, output_field=FloatField())


def _per_household(queryset: QuerySet[Any], value: Any, output: Any) -> Subquery:
    """One value per household (a count, the lowest KK), read in the export's own query:
    an index lookup each, cheaper than a grouped query per batch."""
    return Subquery(
        queryset.filter(household_id=OuterRef("pk"))
        .order_by()
        .values("household_id")
        .annotate(value=value)
        .values("value"),
        output_field=output,
    )


def household_rows(households: QuerySet[Household]) -> Iterator[list[Cell]]:
    """One row per household, in the list's order, NIK, KK and phone masked."""
    rows = (
        households.annotate(
            latitude=_coordinate("ST_Y"),
            longitude=_coordinate("ST_X"),
            members_count=_per_household(Person.objects.all(), Count("pk"), IntegerField()),
            families_count=_per_household(Family.objects.all(), Count("pk"), IntegerField()),
            first_kk=_per_household(
                Family.objects.all(), Min("kk_number"), Family._meta.get_field("kk_number")
            ),
        )
        .values_list(
            "pk",
            "village_id",
            "village__name",
            "kecamatan_code",
            "rw",
            "rt",
            "address",
            "head__name",
            "head__nik",
            "head__phone",
            "latitude",
            "longitude",
            "updated_at",
            "members_count",
            "families_count",
            "first_kk",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for batch in _batches(rows, CHUNK_SIZE):
        ids = [row[0] for row in batch]
        # Most households hold one family card: the others' cards are read apart.
        several = [row[0] for row in batch if (row[14] or 0) > 1]
        kk_numbers: dict[int, list[str]] = defaultdict(list)
        for household_id, number in (
            Family.objects.filter(household_id__in=several)
            .order_by("kk_number")
            .values_list("household_id", "kk_number")
            if several
            else ()
        ):
            kk_numbers[household_id].append(mask_kk(number))
        programmes = _programmes_of_households(ids)
        for pk, village, village_name, kecamatan, rw, rt, address, *rest in batch:
            head_name, head_nik, head_phone, latitude, longitude, updated_at, *counts = rest
            members, families, first_kk = counts
            cards = kk_numbers.get(pk) or ([mask_kk(first_kk)] if families else [])
            yield [
                neutralise(value)
                for value in (
                    pk,
                    village,
                    village_name,
                    kecamatan,
                    rw,
                    rt,
                    address,
                    head_name or "",
                    mask_nik(head_nik),
                    mask_phone(head_phone),
                    " ".join(cards),
                    members or 0,
                    " ".join(programmes.get(pk, [])),
                    round(latitude, 6) if latitude is not None else None,
                    round(longitude, 6) if longitude is not None else None,
                    _when(updated_at),
                )
            ]


def person_rows(people: QuerySet[Person]) -> Iterator[list[Cell]]:
    """One row per person, in the list's order, NIK, KK and phone masked."""
    rows = people.values_list(
        "pk",
        "household_id",
        "village_id",
        "village__name",
        "kecamatan_code",
        "household__rw",
        "household__rt",
        "name",
        "nik",
        "family__kk_number",
        "sex",
        "birth_date",
        "relation",
        "phone",
        "updated_at",
    ).iterator(chunk_size=CHUNK_SIZE)
    for batch in _batches(rows, CHUNK_SIZE):
        ids = [row[0] for row in batch]
        household_ids = sorted({row[1] for row in batch if row[1] is not None})
        own: dict[int, set[str]] = defaultdict(set)
        for person_id, programme in Participation.objects.filter(
            person_id__in=ids, until__isnull=True
        ).values_list("person_id", "programme"):
            own[person_id].add(programme)
        households: dict[int, set[str]] = defaultdict(set)
        for household_id, programme in Participation.objects.filter(
            household_id__in=household_ids, person__isnull=True, until__isnull=True
        ).values_list("household_id", "programme"):
            households[household_id].add(programme)
        for pk, household_id, *rest in batch:
            village, village_name, kecamatan, rw, rt, name, nik, kk, sex, *more = rest
            birth_date, relation, phone, updated_at = more
            programmes = own.get(pk, set()) | households.get(household_id, set())
            yield [
                neutralise(value)
                for value in (
                    pk,
                    household_id,
                    village or "",
                    village_name or "",
                    kecamatan,
                    rw or "",
                    rt or "",
                    name,
                    mask_nik(nik),
                    mask_kk(kk),
                    sex,
                    birth_date.isoformat() if birth_date else "",
                    relation,
                    mask_phone(phone),
                    " ".join(sorted(programmes)),
                    _when(updated_at),
                )
            ]


# --- formats ------------------------------------------------------------------------


class _Echo:
    """A file-like object that hands back what is written: csv.writer's rows, one by one."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (Excel then reads the names' letters right),
    a few hundred rows a piece."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow(header)).encode("utf-8")
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow(row))
        if len(batch) >= _CSV_ROWS_PER_WRITE:
            yield "".join(batch).encode("utf-8")
            batch.clear()
    if batch:
        yield "".join(batch).encode("utf-8")


def _chunks(
    kind: ExportKind, file_format: ExportFormat, selection: QuerySet[Any]
) -> Iterator[bytes]:
    if kind is ExportKind.HOUSEHOLDS:
        header, rows = HOUSEHOLD_COLUMNS, household_rows(selection)
    else:
        header, rows = PERSON_COLUMNS, person_rows(selection)
    if file_format is ExportFormat.CSV:
        return csv_chunks(header, rows)
    return stream_xlsx(header=header, rows=rows, sheet_name=kind.value)


# --- the export ---------------------------------------------------------------------


@transaction.atomic
def record_export(
    *,
    user: User,
    kind: ExportKind,
    file_format: ExportFormat,
    filters: RegistryFilters,
    count: int,
) -> None:
    """The audit record of an export: who took which selection out, how many rows."""
    record_change(
        actor=user,
        action="registry.exported",
        object_type=f"registry.{'household' if kind is ExportKind.HOUSEHOLDS else 'person'}",
        object_id="export",
        object_label=f"{count} {kind.value} ({file_format.value})",
        area_code=filters.village or home_area_code(user, Action.EXPORT),
        after={
            "kind": kind.value,
            "format": file_format.value,
            "filters": filters.as_query(),
            "count": count,
        },
    )


def export_filename(kind: ExportKind, file_format: ExportFormat) -> str:
    return f"{kind.value}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{file_format.value}"


def export_registry(
    *,
    user: User | AnonymousUser,
    kind: ExportKind,
    file_format: ExportFormat,
    filters: RegistryFilters,
) -> Export:
    """Records the export, then gives its bytes, lazily, of the rows as they were when asked.

    Raises NotAllowed (403) for a reader who may export nowhere.
    """
    require(user, Action.EXPORT)
    assert isinstance(user, User)  # require() refused anonymous users
    selection = _selection(user, kind, filters)
    totals = selection.order_by().aggregate(count=Count("pk"), last=Max("pk"))
    count, last = int(totals["count"] or 0), totals["last"]
    selection = selection.filter(pk__lte=last) if last is not None else selection.none()
    record_export(user=user, kind=kind, file_format=file_format, filters=filters, count=count)
    logger.info("registry export kind=%s format=%s rows=%s", kind, file_format, count)
    return Export(
        kind=kind,
        file_format=file_format,
        count=count,
        filename=export_filename(kind, file_format),
        content_type=CONTENT_TYPES[file_format],
        chunks=_chunks(kind, file_format, selection),
    )
