"""Small previews of photos for the review pages; the original bytes are never touched."""

import io
import logging

from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from media.models import Attachment
from media.storage import save_durably

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


def make_thumbnails(*, submission_id: int) -> int:
    """Make the missing thumbnails of a submission's images; idempotent. Returns how many."""
    made = 0
    pending = Attachment.objects.filter(
        submission_id=submission_id, content_type__startswith="image/", thumbnail=""
    )
    for attachment in pending:
        try:
            with attachment.file.open("rb") as handle:
                preview = thumbnail_bytes(handle.read())
        except (UnidentifiedImageError, OSError, ValueError):
            logger.warning("no thumbnail for attachment_id=%s", attachment.pk)
            continue
        name = save_durably(f"{attachment.file.name}.thumb.jpg", preview)
        with transaction.atomic():
            updated = Attachment.objects.filter(pk=attachment.pk, thumbnail="").update(
                thumbnail=name
            )
        if updated:
            made += 1
        else:
            attachment.file.storage.delete(name)  # another worker was first
    return made
