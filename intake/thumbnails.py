"""Thumbnails of a submission's photos, for the review pages (the originals never change)."""

import logging

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from intake.models import Attachment
from media.photos import ImageTooLarge
from media.storage import save_all_durably
from media.thumbnails import thumbnail_bytes

logger = logging.getLogger(__name__)


def make_thumbnails(*, submission_ids: list[int]) -> int:
    """Make the missing thumbnails of these submissions' images; idempotent. Returns how many.

    The caller holds the submissions' rows locked (intake/processing.py), so no
    one else makes the same thumbnails meanwhile.
    """
    pending = list(
        Attachment.objects.filter(
            submission_id__in=submission_ids, content_type__startswith="image/", thumbnail=""
        )
    )
    made: list[tuple[Attachment, str, bytes]] = []
    for attachment in pending:
        try:
            with attachment.file.open("rb") as handle:
                preview = thumbnail_bytes(
                    handle.read(), max_pixels=int(settings.SRS_PHOTO_MAX_PIXELS)
                )
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            ImageTooLarge,
            OSError,
            ValueError,
        ):
            logger.warning("no thumbnail for attachment_id=%s", attachment.pk)
            continue
        made.append((attachment, f"{attachment.file.name}.thumb.jpg", preview))
    names = save_all_durably([(name, preview) for _attachment, name, preview in made])
    for (attachment, _name, _preview), stored in zip(made, names, strict=True):
        attachment.thumbnail.name = stored
    Attachment.objects.bulk_update([attachment for attachment, _n, _p in made], ["thumbnail"])
    return len(made)
