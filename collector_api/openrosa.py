"""OpenRosa 1.0 documents and headers: form list, manifest, and responses."""

from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import translation
from django.utils.http import http_date

OPENROSA_VERSION = "1.0"
# Collect refuses form lists and manifests served as application/xml.
XML_CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class FormListEntry:
    form_id: str
    name: str
    version: str
    md5: str
    download_url: str
    manifest_url: str | None


@dataclass(frozen=True)
class ManifestEntry:
    filename: str
    md5: str
    download_url: str


def openrosa_headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    response["Date"] = http_date()
    response["Content-Language"] = translation.get_language() or "id"
    return response


def xml_response(body: str, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        status=status,
        content_type=XML_CONTENT_TYPE,
    )
    return openrosa_headers(response)


def form_list_response(entries: Iterable[FormListEntry]) -> HttpResponse:
    parts = ['<xforms xmlns="http://openrosa.org/xforms/xformsList">']
    for entry in entries:
        parts.append(
            "<xform>"
            f"<formID>{escape(entry.form_id)}</formID>"
            f"<name>{escape(entry.name)}</name>"
            f"<version>{escape(entry.version)}</version>"
            f"<hash>md5:{entry.md5}</hash>"
            f"<downloadUrl>{escape(entry.download_url)}</downloadUrl>"
            + (
                f"<manifestUrl>{escape(entry.manifest_url)}</manifestUrl>"
                if entry.manifest_url
                else ""
            )
            + "</xform>"
        )
    parts.append("</xforms>")
    return xml_response("".join(parts))


def manifest_response(entries: Iterable[ManifestEntry]) -> HttpResponse:
    parts = ['<manifest xmlns="http://openrosa.org/xforms/xformsManifest">']
    for entry in entries:
        parts.append(
            "<mediaFile>"
            f"<filename>{escape(entry.filename)}</filename>"
            f"<hash>md5:{entry.md5}</hash>"
            f"<downloadUrl>{escape(entry.download_url)}</downloadUrl>"
            "</mediaFile>"
        )
    parts.append("</manifest>")
    return xml_response("".join(parts))


def message_response(message: str, status: int, nature: str = "") -> HttpResponse:
    """An ``OpenRosaResponse`` whose message Collect shows to the enumerator."""
    nature_attr = f' nature="{escape(nature)}"' if nature else ""
    body = (
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f"<message{nature_attr}>{escape(message)}</message>"
        "</OpenRosaResponse>"
    )
    return xml_response(body, status=status)
