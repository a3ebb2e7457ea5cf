"""Small previews of photos for the review pages; the original bytes are never touched."""

import io

from PIL import Image, ImageOps

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
