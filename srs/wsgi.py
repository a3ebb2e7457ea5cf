import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application
from django.utils.http import parse_header_parameters

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "srs.settings")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def readable_content_type(app: WSGIApp) -> WSGIApp:
    """A Content-Type whose parameters Django cannot read keeps only its media type.

    Django reads the header while it builds the request, before any middleware
    or view, and an RFC 2231 parameter in an unknown charset
    (``boundary*=bogus''x``) raises there: a 500 for every URL. Without the
    parameters the request reaches the view, which refuses it in the sender's
    terms (an upload without a readable boundary is a 400).
    """

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        content_type = environ.get("CONTENT_TYPE", "")
        if content_type:
            try:
                parse_header_parameters(content_type)
            except (ValueError, LookupError, UnicodeError):
                environ["CONTENT_TYPE"] = content_type.split(";", 1)[0].strip()
        return app(environ, start_response)

    return wrapped


application = readable_content_type(get_wsgi_application())
