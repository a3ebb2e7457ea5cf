"""The Content-Security-Policy header of every response.

Pages load scripts and styles from this site only, no inline code (the
templates keep their JavaScript in static files), and no site may frame them.
Images may also be ``data:`` URLs and, when a map is configured, tiles from
``SRS_MAP_TILE_ORIGIN``. Non-HTML answers get the header too: an SVG served as
a form's media file then cannot run a script either.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy() -> str:
    images = " ".join(filter(None, ["'self'", "data:", settings.SRS_MAP_TILE_ORIGIN]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
