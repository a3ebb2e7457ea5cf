"""The audit trail pages: district auditors and administrators read and export it."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import Action, require
from accounts.models import User
from portal.audit_trail import AuditFilter, audit_export_filename, export_audit, filtered_records


def _auditor(request: HttpRequest) -> User:
    user = request.user
    require(user, Action.VIEW_AUDIT)
    assert isinstance(user, User)  # require() refused anonymous users
    return user


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    user = _auditor(request)
    wanted = AuditFilter.from_query(request.GET)
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
    wanted = AuditFilter.from_query(request.GET)
    rows = export_audit(user=user, wanted=wanted)
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{audit_export_filename()}"'
    return response
