"""Checks on a form media file before it is attached to a version.

The kinds ODK Collect uses as form media: label images (including SVG), audio
and video, CSV, XML and GeoJSON for select_from_file and pulldata().
"""

import csv
import io
import json
import re

from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from forms.errors import MediaInvalid
from foundation.untrusted_xml import XmlRefused, local_name, parse_untrusted_xml

_CONTENT_TYPES = {
    ".csv": "text/csv",
    ".xml": "text/xml",
    ".geojson": "application/geo+json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".amr": "audio/amr",
    ".mp4": "video/mp4",
    ".3gp": "video/3gpp",
    ".webm": "video/webm",
}
# The first bytes of each audio and video format (the ISO media formats: "ftyp" at 4).
_SIGNATURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    ".mp3": ((0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xf3"), (0, b"\xff\xf2")),
    ".m4a": ((4, b"ftyp"),),
    ".mp4": ((4, b"ftyp"),),
    ".3gp": ((4, b"ftyp"),),
    ".wav": ((0, b"RIFF"),),
    ".ogg": ((0, b"OggS"),),
    ".amr": ((0, b"#!AMR"),),
    ".webm": ((0, b"\x1a\x45\xdf\xa3"),),
}
# Collect's search() appearance names a CSV by its stem: search('fruits') reads fruits.csv.
_SEARCH_RE = re.compile(r"""search\(\s*(?:&apos;|&quot;|'|")([^'"&]+)""")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")


def check_media_file(filename: str, content: bytes) -> str:
    """Return the content type of a usable media file; raise MediaInvalid otherwise."""
    if not _SAFE_NAME.match(filename) or ".." in filename:
        raise MediaInvalid(
            filename=filename,
            reason=gettext("use a plain file name of letters, digits, dots, - and _."),
        )
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    content_type = _CONTENT_TYPES.get(extension)
    if content_type is None:
        raise MediaInvalid(
            filename=filename,
            reason=gettext(
                "only images (JPEG, PNG, GIF, WebP, SVG), audio (MP3, M4A, WAV, OGG, AMR), "
                "video (MP4, 3GP, WebM), CSV, XML and GeoJSON files can be attached."
            ),
        )
    if not content:
        raise MediaInvalid(filename=filename, reason=gettext("the file is empty."))
    if extension == ".csv":
        _check_csv(filename, content)
    elif extension == ".geojson":
        try:
            json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise MediaInvalid(
                filename=filename, reason=gettext("it is not valid GeoJSON.")
            ) from None
    elif extension == ".svg":
        _check_svg(filename, content)
    elif extension in _SIGNATURES:
        if not any(content[at : at + len(magic)] == magic for at, magic in _SIGNATURES[extension]):
            raise MediaInvalid(
                filename=filename,
                reason=gettext("its content is not what its name says (%(kind)s).")
                % {"kind": extension.lstrip(".").upper()},
            )
    elif content_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise MediaInvalid(
                filename=filename, reason=gettext("the image cannot be read.")
            ) from None
    return content_type


def _check_svg(filename: str, content: bytes) -> None:
    # Phones render it: read like every untrusted XML, so no DTD reaches them either.
    try:
        root = parse_untrusted_xml(content)
    except XmlRefused as exc:
        if str(exc) == "DTDForbidden":
            raise MediaInvalid(
                filename=filename,
                reason=gettext(
                    "it declares a DOCTYPE, which the server does not accept. Save it again "
                    "as plain SVG (in Inkscape: Save as, Plain SVG or Optimized SVG)."
                ),
            ) from None
        root = None
    if root is None or local_name(root.tag) != "svg":
        raise MediaInvalid(filename=filename, reason=gettext("it is not a readable SVG image."))


def _check_csv(filename: str, content: bytes) -> None:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MediaInvalid(filename=filename, reason=gettext("save the CSV as UTF-8.")) from None
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        raise MediaInvalid(
            filename=filename, reason=gettext("it is not a readable CSV file.")
        ) from None
    if not header or not any(cell.strip() for cell in header):
        raise MediaInvalid(filename=filename, reason=gettext("the CSV has no header row."))


def is_media_used(xform_xml: str, required_media: "list[str] | tuple[str, ...]", name: str) -> bool:
    """Whether the form refers to the file: as jr:// media, or by stem in search()."""
    if name in required_media:
        return True
    stem, _dot, extension = name.rpartition(".")
    return extension.lower() == "csv" and stem in _SEARCH_RE.findall(xform_xml)
