"""Small previews of photos for the review pages; the original bytes are never touched."""

import io
import logging

from PIL import Image, ImageOps, UnidentifiedImageError

from media.models import Attachment
from media.storage import save_all_durably

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (320, 320)


def thumbnail_bytes(content: bytes) -> bytes:
    """A JPEG of at most 320×320, turned upright by its EXIF orientation."""
    with Image.open(io.BytesIO(content)) as image:
        # A JPEG decodes straight at 1/2, 1/4 or 1/8 of its size when that is still larger
        # than the thumbnail: a 12-megapixel phone photo then costs a fraction of a full decode.
        image.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        upright.convert("RGB").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def make_thumbnails(*, submission_ids: list[int]) -> int:
    """Make the missing thumbnails of these submissions' images; idempotent. Returns how many.

    The caller holds the submissions' rows locked (review/processing.py), so no
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
                preview = thumbnail_bytes(handle.read())
        except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
            logger.warning("no thumbnail for attachment_id=%s", attachment.pk)
            continue
        made.append((attachment, f"{attachment.file.name}.thumb.jpg", preview))
    names = save_all_durably([(name, preview) for _attachment, name, preview in made])
    for (attachment, _name, _preview), stored in zip(made, names, strict=True):
        attachment.thumbnail.name = stored
    Attachment.objects.bulk_update([attachment for attachment, _n, _p in made], ["thumbnail"])
    return len(made)
