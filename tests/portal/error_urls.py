"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError
from srs.urls import handler403, handler404, handler500
from srs.urls import urlpatterns as site_urlpatterns


class StillInUse(DomainError):
    code = "still_in_use"
    message = _("You are not allowed to do this here.")
    http_status = 409


@login_not_required
def database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError("could not connect to server")


def conflict(request: HttpRequest) -> HttpResponse:
    raise StillInUse()


urlpatterns = [
    path("test-errors/database-down/", database_down),
    path("test-errors/conflict/", conflict),
    *site_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
