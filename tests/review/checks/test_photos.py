"""Photos: readable, not tiny, not one colour, the same picture found again, EXIF."""

import io
from datetime import UTC, datetime

from PIL import Image, ImageDraw

from media.thumbnails import thumbnail_bytes
from review.checks.gps import GeoPoint
from review.checks.photos import hamming, inspect_photo, is_same_picture, phash_bands


def _house(variant: int, size: tuple[int, int] = (1600, 1200)) -> Image.Image:
    """A picture with structure, as a photo of a house has (noise would hash at random)."""
    image = Image.effect_mandelbrot(size, (-2 + variant * 0.3, -1.2, 1, 1.2), 60).convert("RGB")
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.rectangle([w // 8 + variant * 40, h // 4, w // 2, h * 5 // 6], fill=(150, 80, 40))
    draw.polygon([(w // 10, h // 4), (w // 3, h // 24), (w * 3 // 5, h // 4)], fill=(200, 30, 30))
    return image


def _jpeg(image: Image.Image, *, quality: int = 85, scale: float = 1.0, exif=None) -> bytes:
    if scale != 1.0:
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **({"exif": exif} if exif is not None else {}))
    return buffer.getvalue()


def test_a_good_photo_has_no_finding_and_a_hash():
    facts = inspect_photo(_jpeg(_house(0)), field="house_photo")
    assert facts.findings == []
    assert facts.phash is not None and len(facts.phash) == 16
    assert (facts.width, facts.height) == (1600, 1200)


def test_the_same_photo_reencoded_at_another_size_and_quality_is_the_same_picture():
    original = inspect_photo(_jpeg(_house(0)), field="p").phash
    smaller = inspect_photo(_jpeg(_house(0), quality=40, scale=0.5), field="p").phash
    other = inspect_photo(_jpeg(_house(3)), field="p").phash
    assert original and smaller and other
    assert hamming(original, smaller) <= 3  # close enough to share a band of the index
    assert is_same_picture(original, smaller)
    assert set(phash_bands(original)) & set(phash_bands(smaller))
    assert hamming(original, other) > 10
    assert not is_same_picture(original, other)


def test_the_thumbnail_gives_the_same_hash_as_the_original():
    photo = _jpeg(_house(1))
    from_original = inspect_photo(photo, field="p")
    from_thumbnail = inspect_photo(
        photo, field="p", thumbnail=thumbnail_bytes(photo, max_pixels=100_000_000)
    )
    assert from_original.phash and from_thumbnail.phash
    assert hamming(from_original.phash, from_thumbnail.phash) <= 3


def test_a_photo_of_one_colour():
    pocket = _jpeg(Image.new("RGB", (1600, 1200), (20, 20, 22)))
    assert [f.check for f in inspect_photo(pocket, field="p").findings] == ["photo.one_colour"]


def test_a_tiny_photo():
    tiny = _jpeg(_house(0, size=(120, 90)))
    assert "photo.tiny" in [f.check for f in inspect_photo(tiny, field="p").findings]


def test_a_file_that_is_no_picture():
    facts = inspect_photo(b"not a jpeg at all", field="p")
    assert [f.check for f in facts.findings] == ["photo.unreadable"]
    assert facts.phash is None


def _exif(taken: str, lat: tuple[float, float, float] | None = None, lon=None) -> Image.Exif:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = taken
    if lat and lon:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "S", lat, "E", lon
    return exif


def test_exif_time_and_position_against_the_submission():
    photo = _jpeg(
        _house(2), exif=_exif("2026:11:01 09:00:00", (7.0, 58.0, 48.0), (112.0, 37.0, 48.0))
    )
    sent = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    kepanjen = GeoPoint(-8.13, 112.57)
    facts = inspect_photo(photo, field="p", submitted_at=sent, point=kepanjen)
    checks = [f.check for f in facts.findings]
    # Taken a month before, in Malang city (-7.98, 112.63), 17 km from the household.
    assert checks == ["photo.exif_time", "photo.exif_position"]
    same_day = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)
    near = GeoPoint(-7.98, 112.63)
    assert inspect_photo(photo, field="p", submitted_at=same_day, point=near).findings == []
