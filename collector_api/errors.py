from typing import Any

from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError


class CollectorError(DomainError):
    code = "collector_error"
    http_status = 400


class Unauthenticated(CollectorError):
    code = "unauthenticated"
    message = _("Sign in with your username and password.")
    http_status = 401

    def __init__(self, *, stale: bool = False, **params: Any) -> None:
        super().__init__(**params)
        self.stale = stale


class BadCredentials(Unauthenticated):
    code = "bad_credentials"
    message = _("The username or password is wrong.")


class TokenRevoked(CollectorError):
    code = "token_revoked"
    message = _("This access link no longer works. Ask your coordinator for a new QR code.")
    http_status = 401


class InsecureBasicAuth(Unauthenticated):
    code = "insecure_basic_auth"
    message = _("Passwords are only accepted in plain form over HTTPS.")


class InsecureConnection(CollectorError):
    code = "insecure_connection"
    message = _(
        "This server accepts ODK Collect only over HTTPS: in Collect's settings, "
        "make the server address begin with https://."
    )
    http_status = 403
