"""Reading the multipart/form-data body of a submission POST, as ODK Collect sends it.

Django's general-purpose parser streams every part through upload handlers; a
submission is a few parts that the server holds in memory anyway (the request
is refused with 413 above ``SRS_SUBMISSION_REQUEST_MAX_BYTES`` before it is
read), so this reads the body once and cuts it at the boundaries (RFC 7578).
File names are kept exactly as sent, so that a name with a path in it is
refused rather than quietly shortened.
"""

import re
from dataclasses import dataclass

from django.utils.http import parse_header_parameters
from django.utils.translation import gettext_lazy as _

from collector_api.errors import CollectorError


class MultipartMalformed(CollectorError):
    code = "multipart_malformed"
    message = _("The request is not a readable form upload: %(reason)s")
    http_status = 400


@dataclass(frozen=True)
class Part:
    name: str  # the form field's name
    filename: str | None  # None for a plain field (``*isIncomplete*``)
    content: bytes


_HEADER_END = b"\r\n\r\n"
_TOKEN = r"[!#$%&'+.^_`|~0-9A-Za-z-]+"
_PLAIN_PARAMETER = re.compile(rf'\s*;\s*({_TOKEN})\s*=\s*(?:"([^"\\]*)"|({_TOKEN}))\s*')


def header_parameters(value: str) -> tuple[str, dict[str, str]]:
    """The main value and parameters of a header such as ``Content-Disposition``.

    The same answer as Django's ``parse_header_parameters``, which builds an
    e-mail message for it (a twentieth of a submission's Python time, for the
    three headers of every POST): headers as plain as Collect's are read here,
    anything else (RFC 2231 ``*=`` values, backslashes, odd syntax) by Django.
    """
    kind, semicolon, rest = value.partition(";")
    if not semicolon:
        return kind.strip().lower(), {}
    if "*" in rest or "\\" in rest:
        return parse_header_parameters(value)
    parameters = {}
    position = len(kind)
    while position < len(value):
        match = _PLAIN_PARAMETER.match(value, position)
        if match is None:
            return parse_header_parameters(value)
        quoted = match.group(2)
        parameters[match.group(1).lower()] = quoted if quoted is not None else match.group(3)
        position = match.end()
    return kind.strip().lower(), parameters


def _boundary(content_type: str) -> bytes:
    kind, params = header_parameters(content_type)
    boundary = params.get("boundary", "")
    if kind != "multipart/form-data" or not boundary:
        raise MultipartMalformed(reason="not multipart/form-data")
    if len(boundary) > 200:
        raise MultipartMalformed(reason="boundary too long")
    try:
        return boundary.encode("ascii")
    except UnicodeEncodeError:
        raise MultipartMalformed(reason="boundary not ASCII") from None


def _part(raw: bytes) -> Part:
    head, found, content = raw.partition(_HEADER_END)
    if not found:
        raise MultipartMalformed(reason="a part without headers")
    disposition = ""
    for line in head.decode("utf-8", "replace").split("\r\n"):
        header, _, value = line.partition(":")
        if header.strip().lower() == "content-disposition":
            disposition = value.strip()
    kind, params = header_parameters(disposition)
    if kind != "form-data" or "name" not in params:
        raise MultipartMalformed(reason="a part without a form-data name")
    return Part(name=params["name"], filename=params.get("filename"), content=content)


def read_parts(content_type: str, body: bytes) -> list[Part]:
    """The parts of ``body``, in order; raises MultipartMalformed for a broken body."""
    delimiter = b"--" + _boundary(content_type)
    start = body.find(delimiter)
    if start < 0:
        raise MultipartMalformed(reason="no boundary in the body")
    parts: list[Part] = []
    position = start + len(delimiter)
    while True:
        if body.startswith(b"--", position):
            return parts  # the closing delimiter
        if not body.startswith(b"\r\n", position):
            raise MultipartMalformed(reason="a boundary not followed by a line break")
        end = body.find(b"\r\n" + delimiter, position + 2)
        if end < 0:
            raise MultipartMalformed(reason="the body ends inside a part")
        parts.append(_part(body[position + 2 : end]))
        position = end + 2 + len(delimiter)
