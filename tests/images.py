"""Real JPEGs for tests, made on the fly (no Django needed)."""

import io
import random

from PIL import Image


def jpeg(size: int = 64, seed: int = 1, quality: int = 90) -> bytes:
    """A real JPEG of noise (so it does not compress to nothing): about size² bytes."""
    pixels = random.Random(seed).randbytes(size * size * 3)
    buffer = io.BytesIO()
    Image.frombytes("RGB", (size, size), pixels).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
