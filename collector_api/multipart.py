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
from typing import Protocol

from django.utils.http import parse_header_parameters
from django.utils.translation import gettext_lazy as _

from collector_api.errors import CollectorError


class MultipartMalformed(CollectorError):
    code = "multipart_malformed"
    message = _("The request is not a readable form upload: %(reason)s")
    http_status = 400


class LengthMalformed(CollectorError):
    code = "length_malformed"
    message = _(
        "The request does not say its length in bytes (Content-Length “%(value)s”). "
        "Send the form again."
    )
    http_status = 400


class BodyCutOff(CollectorError):
    code = "body_cut_off"
    message = _("The upload was cut off before its end. Send the form again.")
    http_status = 400


_DIGITS = re.compile(r"[0-9]+")
_HUGE = 10**18  # more than any limit; a longer number is only that much larger


def request_length(value: str | None) -> int:
    """The ``Content-Length`` a request declares (0 when it has none).

    Raises LengthMalformed for anything but digits: ``abc``, ``-5``, ``1_000``,
    ``+7`` (Python's ``int`` would take the last two).
    """
    if value is None or value == "":
        return 0
    digits = value.strip()
    if not _DIGITS.fullmatch(digits):
        raise LengthMalformed(value=value[:20])
    return int(digits) if len(digits) < 18 else _HUGE


class _Readable(Protocol):
    def read(self) -> bytes: ...


def read_body(request: _Readable) -> bytes:
    """The whole body; raises BodyCutOff when the connection broke while it was read."""
    try:
        return request.read()
    except OSError:  # Django's UnreadablePostError, a reset connection
        raise BodyCutOff() from None


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
        return _parsed_by_django(value)
    parameters = {}
    position = len(kind)
    while position < len(value):
        match = _PLAIN_PARAMETER.match(value, position)
        if match is None:
            return _parsed_by_django(value)
        quoted = match.group(2)
        parameters[match.group(1).lower()] = quoted if quoted is not None else match.group(3)
        position = match.end()
    return kind.strip().lower(), parameters


def _parsed_by_django(value: str) -> tuple[str, dict[str, str]]:
    try:
        return parse_header_parameters(value)
    except (ValueError, LookupError) as exc:  # an RFC 2231 value in an unknown charset
        raise MultipartMalformed(reason=f"an unreadable header ({type(exc).__name__})") from None


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
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # Collect writes its headers (file names included) in UTF-8; anything else would
        # be a guess, and a file name guessed wrong matches no name in the XML.
        raise MultipartMalformed(reason="a part header that is not UTF-8") from None
    disposition = ""
    for line in text.split("\r\n"):
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
