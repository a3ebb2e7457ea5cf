"""Checks on images that arrive with submissions."""

import io

from PIL import Image, UnidentifiedImageError

_FORMAT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "HEIF": "image/heif",
}


def image_content_type(content: bytes) -> str | None:
    """The content type of a decodable image, or None when the bytes are not one.

    Only the header and structure are verified here (fast); the pixels are
    decoded when thumbnails are made.
    """
    try:
        with Image.open(io.BytesIO(content)) as image:
            image_format = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return _FORMAT_TYPES.get(image_format, f"image/{image_format.lower()}")
