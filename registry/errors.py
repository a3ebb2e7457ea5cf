from django.utils.translation import gettext_lazy as _

from srs.errors import DomainError


class RegistryError(DomainError):
    code = "registry_error"


class NotAllowed(RegistryError):
    code = "not_allowed"
    message = _("You are not allowed to do this here.")
    http_status = 403


class RoleLevelMismatch(RegistryError):
    code = "role_level_mismatch"
    message = _("The role “%(role)s” cannot be given for a %(level)s.")


class UnknownArea(RegistryError):
    code = "unknown_area"
    message = _("There is no area with the code “%(code)s”.")
    http_status = 404


class AreaDataMissing(RegistryError):
    code = "area_data_missing"
    message = _("The area data file %(path)s is missing.")
