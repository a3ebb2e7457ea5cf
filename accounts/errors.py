from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from foundation.errors import DomainError


class AccountsError(DomainError):
    code = "accounts_error"


class NotAllowed(AccountsError):
    """The one refusal of permission: every interface maps it (403, OpenRosa, API)."""

    code = "not_allowed"
    message = _("You are not allowed to do this here.")
    http_status = 403


class RoleLevelMismatch(AccountsError):
    code = "role_level_mismatch"
    message = _("The role “%(role)s” cannot be given for a %(level)s.")


class SignInLocked(AccountsError):
    """Too many failed sign-ins of this account or from this address (accounts/lockout.py)."""

    code = "sign_in_locked"
    http_status = 429

    def __init__(self, *, retry_after: int) -> None:
        super().__init__()
        self.retry_after = max(int(retry_after), 1)

    @property
    def detail(self) -> str:
        minutes = max((self.retry_after + 59) // 60, 1)
        return ngettext(
            "Too many failed sign-ins. Try again in %(minutes)d minute.",
            "Too many failed sign-ins. Try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}


class NonceReused(AccountsError):
    """A Digest nonce count that is not above the last one seen: a replayed request."""

    code = "nonce_reused"
    message = _("Sign in again.")
    http_status = 401
