"""Checks on a form media file before it is attached to a version."""

import csv
import io
import json
import re

from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from forms.errors import MediaInvalid

_CONTENT_TYPES = {
    ".csv": "text/csv",
    ".xml": "text/xml",
    ".geojson": "application/geo+json",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
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
            reason=gettext("only CSV, XML, GeoJSON, JPEG and PNG files can be attached."),
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
    elif content_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise MediaInvalid(
                filename=filename, reason=gettext("the image cannot be read.")
            ) from None
    return content_type


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
