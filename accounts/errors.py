from django.utils.translation import gettext_lazy as _

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
