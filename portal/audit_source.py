"""Every change made while a request is served says which request it came from."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.trail import audit_source


def _without_secrets(path: str) -> str:
    """Access links and draft test links carry their token in the path: never record it."""
    for prefix in ("/key/", "/draft/"):
        if path.startswith(prefix):
            rest = path[len(prefix) :].partition("/")[2]
            return f"{prefix}…/{rest}"
    return path


def _channel(path: str) -> str:
    if path in ("/formList", "/submission") or path.startswith(("/key/", "/draft/", "/forms/")):
        return "openrosa"
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "web"


class AuditSourceMiddleware:
    """Sets the audit trail's source (``web POST /questionnaires/…``) for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        label = f"{_channel(request.path)} {request.method} {_without_secrets(request.path)}"
        with audit_source(label, client_ip=request.META.get("REMOTE_ADDR") or None):
            return self.get_response(request)
