"""Photos of a submission: readable, not tiny, not one colour, not another's, EXIF sensible.

The perceptual hash (imagehash's pHash of 64 bits, written as 16 hex digits)
survives re-encoding and resizing, so the same picture sent twice at another
size or quality is found again: two pictures within ``SAME_PICTURE_DISTANCE``
bits are the same. For the database lookup the hash is cut into four 16-bit
bands: two hashes within 3 bits share at least one band exactly.

Decoding is bounded: a JPEG is decoded at a reduced scale (Pillow's draft),
or the caller passes the thumbnail that intake already made, and only the
original's header is read (size, EXIF).
"""

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import imagehash
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageStat, UnidentifiedImageError

from forms.geopoint import GeoPoint
from review.checks.base import ERROR, WARNING, FindingDraft, make_finding
from review.checks.gps import distance_m

TINY_SIDE_PX = 200
TINY_BYTES = 5_000
ONE_COLOUR_STDDEV = 6.0
SAME_PICTURE_DISTANCE = 6
EXIF_TIME_TOLERANCE = timedelta(days=2)
EXIF_DISTANCE_M = 1_000.0

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 0x9003
_DATETIME = 0x0132

Source = str | Path | bytes | IO[bytes]


@dataclass(frozen=True)
class PhotoFacts:
    findings: list[FindingDraft]
    phash: str | None
    width: int | None = None
    height: int | None = None


def _open(source: Source) -> Image.Image:
    if isinstance(source, bytes):
        return Image.open(io.BytesIO(source))
    return Image.open(source)


def _size_in_bytes(source: Source) -> int | None:
    if isinstance(source, bytes):
        return len(source)
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    return None


def _exif_time(image: Image.Image) -> datetime | None:
    exif = image.getexif()
    text = exif.get_ifd(_EXIF_IFD).get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    try:
        taken = datetime.strptime(str(text).strip(), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    # EXIF has no time zone; a phone in Indonesia writes its local time (WIB at the least).
    return taken.replace(tzinfo=timezone.get_fixed_timezone(7 * 60))


def _degrees(value: object, ref: object) -> float | None:
    try:
        d, m, s = (float(part) for part in value)  # type: ignore[attr-defined]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    number = d + m / 60 + s / 3600
    return -number if str(ref).upper() in ("S", "W") else number


def _exif_point(image: Image.Image) -> GeoPoint | None:
    gps = image.getexif().get_ifd(_GPS_IFD)
    if not gps:
        return None
    lat, lon = _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))
    if lat is None or lon is None or (lat == 0 and lon == 0):
        return None
    return GeoPoint(lat=lat, lon=lon)


def perceptual_hash(image: Image.Image) -> str:
    """imagehash's pHash. It reads a 32×32 grey picture (its own LANCZOS resize, whatever the
    aspect); a box reduction to 64×64 first costs a seventh of resizing the whole thumbnail,
    and moves the hash by 0–2 of its 64 bits."""
    grey = image.convert("L")
    if grey.width > 64 or grey.height > 64:
        grey = grey.resize((64, 64), Image.Resampling.BOX)
    return str(imagehash.phash(grey))


def _unreadable(field: str) -> PhotoFacts:
    return PhotoFacts(
        findings=[
            make_finding(
                "photo.unreadable",
                ERROR,
                field,
                None,
                _("The photo cannot be opened: the file is damaged or not a picture."),
            )
        ],
        phash=None,
    )


def inspect_photo(
    source: Source,
    *,
    field: str,
    submitted_at: datetime | None = None,
    point: GeoPoint | None = None,
    thumbnail: Source | None = None,
) -> PhotoFacts:
    """What is wrong with one photo, and its perceptual hash for the duplicate check.

    ``source`` is the original (a path, bytes or an open binary file); only its
    header is read when ``thumbnail`` (intake's small JPEG of it) is given.
    """
    findings: list[FindingDraft] = []
    try:
        with _open(source) as original:
            width, height = original.size
            taken, taken_at = _exif_time(original), _exif_point(original)
            if thumbnail is None:
                original.draft("RGB", (64, 64))
                pixels = original.convert("RGB")
        if thumbnail is not None:
            with _open(thumbnail) as small:
                pixels = small.convert("RGB")
        grey = pixels.convert("L")
        spread = ImageStat.Stat(grey).stddev[0]
        phash = perceptual_hash(grey)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return _unreadable(field)
    size = _size_in_bytes(source)
    if min(width, height) < TINY_SIDE_PX or (size is not None and size < TINY_BYTES):
        findings.append(
            make_finding(
                "photo.tiny",
                WARNING,
                field,
                None,
                _("The photo is very small (%(width)s×%(height)s pixels, %(kb)s kB)."),
                width=width,
                height=height,
                kb=f"{(size or 0) / 1000:.0f}",
            )
        )
    if spread < ONE_COLOUR_STDDEV:
        findings.append(
            make_finding(
                "photo.one_colour",
                WARNING,
                field,
                None,
                _(
                    "The photo is nearly one colour (a covered lens, a pocket, darkness): "
                    "it shows nothing."
                ),
            )
        )
    if taken is not None and submitted_at is not None:
        gap = submitted_at - taken
        if gap > EXIF_TIME_TOLERANCE or gap < -EXIF_TIME_TOLERANCE:
            findings.append(
                make_finding(
                    "photo.exif_time",
                    WARNING,
                    field,
                    None,
                    _(
                        "The photo was taken on %(taken)s, %(days)s days from when the form "
                        "was sent."
                    ),
                    taken=taken.strftime("%Y-%m-%d %H:%M"),
                    days=abs(gap.days) if gap.days >= 0 else abs((-gap).days),
                )
            )
    if taken_at is not None and point is not None:
        away = distance_m(taken_at, point)
        if away > EXIF_DISTANCE_M:
            findings.append(
                make_finding(
                    "photo.exif_position",
                    WARNING,
                    field,
                    None,
                    _("The photo was taken %(km)s km from the household's GPS point."),
                    km=f"{away / 1000:.1f}",
                )
            )
    return PhotoFacts(findings=findings, phash=phash, width=width, height=height)


def hamming(a: str, b: str) -> int:
    """Bits in which two 16-hex-digit hashes differ."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def is_same_picture(a: str, b: str) -> bool:
    return hamming(a, b) <= SAME_PICTURE_DISTANCE


def phash_bands(phash: str) -> tuple[int, int, int, int]:
    """The hash's four 16-bit parts, each stored in an indexed column for the lookup."""
    value = int(phash, 16)
    return (
        (value >> 48) & 0xFFFF,
        (value >> 32) & 0xFFFF,
        (value >> 16) & 0xFFFF,
        value & 0xFFFF,
    )
