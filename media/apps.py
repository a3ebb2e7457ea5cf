from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediaConfig(AppConfig):
    name = "media"
    label = "srs_media"
    verbose_name = _("Attachments")

    def ready(self) -> None:
        from django.conf import settings

        from media.photos import apply_pixel_limit

        apply_pixel_limit(int(settings.SRS_PHOTO_MAX_PIXELS))
