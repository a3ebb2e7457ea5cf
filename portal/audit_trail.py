"""Reading the audit trail: who may see which records, filters, and the CSV export."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from accounts.access import Action, scope_for
from accounts.models import User
from audit.models import AuditRecord
from audit.trail import record_change

# A cell that a spreadsheet would read as a formula (CSV injection) gets a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_COLUMNS = (
    "at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "area_code",
    "before",
    "after",
    "source",
    "request_id",
    "client_ip",
)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditFilter:
    area: str = ""  # an area code: that area and everything below it
    action: str = ""
    actor: str = ""  # a username
    object_type: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    @classmethod
    def from_query(cls, params: QueryDict) -> "AuditFilter":
        """The filters of the audit page's query string (and the API's); bad dates are unset."""
        return cls(
            area=params.get("area", "").strip(),
            action=params.get("action", "").strip(),
            actor=params.get("actor", "").strip(),
            object_type=params.get("object_type", "").strip(),
            since=_date(params.get("since")),
            until=_date(params.get("until")),
        )

    def as_dict(self) -> dict[str, str]:
        return {key: str(value) for key, value in self.__dict__.items() if value not in ("", None)}


def audit_records_visible_to(user: User) -> QuerySet[AuditRecord]:
    """Records of the areas where ``user`` may read the trail; national ones for the nation."""
    scope = scope_for(user, Action.VIEW_AUDIT)
    if scope.is_empty:
        return AuditRecord.objects.none()
    return AuditRecord.objects.filter(scope.q("area_code"))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filtered_records(user: User, wanted: AuditFilter) -> QuerySet[AuditRecord]:
    records = audit_records_visible_to(user)
    if wanted.area:
        records = records.filter(
            Q(area_code=wanted.area) | Q(area_code__startswith=wanted.area + ".")
        )
    if wanted.action:
        records = records.filter(action=wanted.action)
    if wanted.actor:
        records = records.filter(actor_username=wanted.actor)
    if wanted.object_type:
        records = records.filter(object_type=wanted.object_type)
    if wanted.since:
        records = records.filter(at__gte=_start_of(wanted.since))
    if wanted.until:
        records = records.filter(at__lt=_start_of(wanted.until + timedelta(days=1)))
    return records.order_by("-at", "-id")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    """A file-like object that hands back what is written: csv.writer's rows, one by one."""

    def write(self, value: str) -> str:
        return value


def export_rows(records: QuerySet[AuditRecord]) -> Iterator[str]:
    """The CSV text of ``records``, a row at a time (the trail can be long: never in memory)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for record in records.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(record.at.isoformat()),
                *(_cell(getattr(record, column)) for column in EXPORT_COLUMNS[1:]),
            ]
        )


@transaction.atomic
def record_audit_export(*, user: User, wanted: AuditFilter, count: int) -> AuditRecord:
    """An export of the trail is itself recorded: who took which records out."""
    return record_change(
        actor=user,
        action="audit.exported",
        object_type="audit.auditrecord",
        object_id="export",
        object_label=f"{count} records",
        area_code=wanted.area,
        after={"filters": wanted.as_dict(), "count": count},
    )


def export_audit(*, user: User, wanted: AuditFilter) -> Iterator[str]:
    """Records the export, then gives the CSV rows of the records as they were when asked.

    Neither the export's own record nor later ones are in it.
    """
    records = filtered_records(user, wanted)
    export = record_audit_export(user=user, wanted=wanted, count=records.count())
    return export_rows(records.filter(pk__lt=export.pk))


def audit_export_filename() -> str:
    return f"audit-{timezone.localtime().strftime('%Y%m%d-%H%M')}.csv"
