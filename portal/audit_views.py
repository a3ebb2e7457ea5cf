"""The audit trail pages: district auditors and administrators read and export it."""

from datetime import date

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import Action, require
from accounts.models import User
from portal.audit_trail import (
    AuditFilter,
    export_rows,
    filtered_records,
    record_audit_export,
)


def _auditor(request: HttpRequest) -> User:
    user = request.user
    require(user, Action.VIEW_AUDIT)
    assert isinstance(user, User)  # require() refused anonymous users
    return user


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _filter_from(request: HttpRequest) -> AuditFilter:
    params = request.GET
    return AuditFilter(
        area=params.get("area", "").strip(),
        action=params.get("action", "").strip(),
        actor=params.get("actor", "").strip(),
        object_type=params.get("object_type", "").strip(),
        since=_date(params.get("since")),
        until=_date(params.get("until")),
    )


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    user = _auditor(request)
    wanted = _filter_from(request)
    records = filtered_records(user, wanted)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portal/audit_list.html",
        {"page": page, "filter": wanted, "query": query.urlencode()},
    )


@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    user = _auditor(request)
    wanted = _filter_from(request)
    records = filtered_records(user, wanted)
    export = record_audit_export(user=user, wanted=wanted, count=records.count())
    # The records as they were when asked for: not the export's own record, nor later ones.
    records = records.filter(pk__lt=export.pk)
    response = StreamingHttpResponse(export_rows(records), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
