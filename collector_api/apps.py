from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectorApiConfig(AppConfig):
    name = "collector_api"
    verbose_name = _("ODK Collect server")
