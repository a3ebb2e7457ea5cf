"""Checks on images that arrive with submissions.

Their size is read from the header, before anything is decoded: a PNG of
48 kB can declare 20000×20000 pixels (1.6 GB once decoded). A picture beyond
``SRS_PHOTO_MAX_PIXELS`` is refused; Pillow's own guard
(``Image.MAX_IMAGE_PIXELS``) is set to the same limit when the app starts
(``apply_pixel_limit``), so that no other code path decodes more.
"""

import io

from PIL import Image, UnidentifiedImageError

_FORMAT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "HEIF": "image/heif",
}


class ImageTooLarge(ValueError):
    """The image has more pixels than allowed (developer-facing; callers word the refusal)."""


def apply_pixel_limit(max_pixels: int) -> None:
    """Make Pillow refuse, everywhere in the process, images far beyond ``max_pixels``.

    Pillow warns above ``MAX_IMAGE_PIXELS`` and refuses above twice that; the
    checks here refuse above ``max_pixels`` themselves, before decoding.
    """
    Image.MAX_IMAGE_PIXELS = max_pixels


def image_content_type(content: bytes, *, max_pixels: int) -> str | None:
    """The content type of a decodable image, or None when the bytes are not one.

    Only the header and structure are verified here (fast); the pixels are
    decoded when thumbnails are made. Raises ImageTooLarge when the header
    declares more than ``max_pixels`` pixels.
    """
    try:
        with Image.open(io.BytesIO(content)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise ImageTooLarge(f"{width}x{height}")
            image_format = image.format or ""
            image.verify()
    except Image.DecompressionBombError:
        raise ImageTooLarge("beyond Pillow's limit") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageTooLarge):
            raise
        return None
    return _FORMAT_TYPES.get(image_format, f"image/{image_format.lower()}")
