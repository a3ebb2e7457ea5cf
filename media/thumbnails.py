"""Small previews of photos for the review pages; the original bytes are never touched."""

import io

from PIL import Image, ImageOps

from media.photos import ImageTooLarge

THUMBNAIL_SIZE = (320, 320)
# A JPEG decodes straight at 1/2, 1/4 or 1/8 of its size, so even the largest accepted photo
# costs a few megabytes. Other formats decode whole (4 bytes a pixel): beyond this many
# pixels (64 MB) they get no thumbnail rather than a worker's memory.
FULL_DECODE_MAX_PIXELS = 16_000_000


def thumbnail_bytes(content: bytes, *, max_pixels: int) -> bytes:
    """A JPEG of at most 320×320, turned upright by its EXIF orientation.

    Raises ImageTooLarge, before decoding anything, for an image of more than
    ``max_pixels`` pixels, or a non-JPEG of more than FULL_DECODE_MAX_PIXELS.
    """
    with Image.open(io.BytesIO(content)) as image:
        width, height = image.size
        limit = max_pixels if image.format == "JPEG" else min(max_pixels, FULL_DECODE_MAX_PIXELS)
        if width * height > limit:
            raise ImageTooLarge(f"{width}x{height}")
        # A JPEG decodes at the smallest of 1/1, 1/2, 1/4, 1/8 that is still at least the
        # thumbnail's own size: a 1600×1200 phone photo decodes as 400×300, a sixteenth of
        # its pixels. (No-op for other formats.)
        scale = min(THUMBNAIL_SIZE[0] / width, THUMBNAIL_SIZE[1] / height, 1.0)
        image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
        # Made small first, then turned: turning copies the image, and the copy is small.
        # Bilinear from the draft (a JPEG's is under twice the size): half the CPU of bicubic, no
        # difference a reviewer sees at 240 pixels wide.
        image.thumbnail(THUMBNAIL_SIZE, Image.Resampling.BILINEAR, reducing_gap=None)
        upright = ImageOps.exif_transpose(image)
        buffer = io.BytesIO()
        upright.convert("RGB").save(buffer, "JPEG", quality=80)
    return buffer.getvalue()
