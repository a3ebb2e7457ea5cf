"""Parsing XML that came from outside (a phone's submission, a compiled workbook).

lxml (libxml2), hardened: a document with a DTD is refused before and after
parsing, entities are never expanded, nothing is fetched from the network and
no huge tree is built. ``intake.submission_xml`` follows the same rules for the
request path; every other reader of untrusted XML uses this one.
"""

import threading
from typing import Any

from lxml import etree


class XmlRefused(ValueError):
    """The bytes are not a well-formed, harmless XML document (developer-facing reason)."""


_parsers = threading.local()


def _parser() -> Any:
    # One per thread: an lxml parser may parse many documents, but one at a time.
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_pis=True,
            remove_comments=True,
        )
    return parser


def parse_untrusted_xml(data: bytes) -> Any:
    """The root element (lxml) of ``data``; raises XmlRefused for broken or hostile XML."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XmlRefused("DTDForbidden")
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XmlRefused(type(exc).__name__) from None
    if root is None or root.getroottree().docinfo.doctype:
        raise XmlRefused("DTDForbidden")
    return root


def local_name(tag: Any) -> str:
    """The tag without its namespace; "" for a comment, an entity or a processing instruction."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]
