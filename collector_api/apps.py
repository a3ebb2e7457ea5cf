from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectorApiConfig(AppConfig):
    name = "collector_api"
    verbose_name = _("ODK Collect server")

    def ready(self) -> None:
        from collector_api.draft_links import draft_test_page_links
        from forms.page_links import register_version_links

        # The draft's page offers the QR code that tests it on a phone (served here).
        register_version_links(draft_test_page_links)
