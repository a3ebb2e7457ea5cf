from django.utils.translation import gettext_lazy as _

from foundation.errors import DomainError


class AreasError(DomainError):
    code = "areas_error"


class UnknownArea(AreasError):
    code = "unknown_area"
    message = _("There is no area with the code “%(code)s”.")
    http_status = 404


class AreaDataMissing(AreasError):
    code = "area_data_missing"
    message = _("The area data file %(path)s is missing.")
