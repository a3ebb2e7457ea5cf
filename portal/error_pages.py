"""The pages a person sees when something is refused, missing or broken.

Each is in the site's layout and the person's language, with a way back. A
DomainError that escapes a web view becomes its page once, here (its message
and its http_status), so that no view needs its own try/except for refusals.
The 500 page renders without the database, the session or the user: whatever
broke the request may break them too.
"""

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import requires_csrf_token

from foundation.errors import DomainError
from portal.middleware import is_openrosa_path

logger = logging.getLogger(__name__)

_TEMPLATES = {403: "403.html", 404: "404.html"}


def _way_back(request: HttpRequest) -> str:
    """The page the person came from, when it is one of ours; else empty."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def render_error_page(request: HttpRequest, *, status: int, message: str = "") -> HttpResponse:
    """The error page for ``status`` with ``message``, in the site's layout."""
    return render(
        request,
        _TEMPLATES.get(status, "error.html"),
        {"status": status, "message": message, "back_url": _way_back(request)},
        status=status,
    )


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # PermissionDenied's text is for developers; a DomainError's message is for people.
    message = exception.detail if isinstance(exception, DomainError) else ""
    return render_error_page(request, status=403, message=message)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = exception.detail if isinstance(exception, DomainError) else ""
    return render_error_page(request, status=404, message=message)


def server_error(request: HttpRequest) -> HttpResponse:
    # No RequestContext: no context processor, no user, no session, no database.
    return HttpResponseServerError(loader.get_template("500.html").render({}))


class DomainErrorPageMiddleware:
    """Answers a DomainError raised in a web view with its page and http_status.

    OpenRosa endpoints answer phones with their own XML messages, and DRF's
    views answer ``{"code", "detail"}`` before an error could reach this.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        if is_openrosa_path(request.path_info):
            return None
        status = exception.http_status if 400 <= exception.http_status < 500 else 422
        logger.warning("web request refused code=%s status=%s", exception.code, status)
        return render_error_page(request, status=status, message=exception.detail)
