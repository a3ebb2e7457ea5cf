"""Reading what the server needs from a submission's XML, and nothing more.

The request path only needs the form, version, instanceID (and deprecatedID),
the village for the area check and the names of the attached files. The
parser is lxml's (libxml2, in C: defusedxml's pure-Python tree builder cost
a tenth of the request's CPU), hardened: a document with a DTD is refused
before it is parsed, entities are never expanded and nothing is fetched.
"""

import threading
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.utils.translation import gettext_lazy as _
from lxml import etree

from intake.errors import IntakeError
from intake.models import Submission


class SubmissionMalformed(IntakeError):
    code = "submission_malformed"
    message = _("The submission is not a readable form instance: %(reason)s")
    http_status = 400


@dataclass(frozen=True)
class SubmissionHead:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    root: Any  # an lxml element


# The longest instanceID (or deprecatedID) a submission row keeps; Collect's are 41 characters.
_MAX_ID_LENGTH = min(
    cast(int, cast(models.CharField, Submission._meta.get_field(name)).max_length)
    for name in ("instance_id", "deprecated_id")
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


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


def read_submission_head(xml: bytes) -> SubmissionHead:
    """Raises SubmissionMalformed for XML that is broken, hostile or not a form instance."""
    if b"<!DOCTYPE" in xml:
        raise SubmissionMalformed(reason="DTDForbidden")
    try:
        root = etree.fromstring(xml, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise SubmissionMalformed(reason=type(exc).__name__) from None
    if root.getroottree().docinfo.doctype:
        raise SubmissionMalformed(reason="DTDForbidden")
    form_id = root.get("id", "").strip()
    if not form_id:
        raise SubmissionMalformed(reason="no form id")
    instance_id = deprecated_id = ""
    for child in root:
        if isinstance(child.tag, str) and _local(child.tag) == "meta":
            for field in child:
                name = _local(field.tag) if isinstance(field.tag, str) else ""
                if name == "instanceID":
                    instance_id = (field.text or "").strip()
                elif name == "deprecatedID":
                    deprecated_id = (field.text or "").strip()
    if not instance_id:
        raise SubmissionMalformed(reason="no instanceID")
    if len(instance_id) > _MAX_ID_LENGTH or len(deprecated_id) > _MAX_ID_LENGTH:
        raise SubmissionMalformed(reason=f"instanceID longer than {_MAX_ID_LENGTH} characters")
    return SubmissionHead(
        form_id=form_id,
        version=root.get("version", "").strip(),
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        root=root,
    )


def values_at(root: Any, paths: set[str]) -> dict[str, list[str]]:
    """The non-empty texts of the elements at ``paths`` (below the root; repeats give several)."""
    found: dict[str, list[str]] = {}

    def walk(element: Any, prefix: str) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue  # an entity reference left unexpanded
            path = f"{prefix}{_local(child.tag)}"
            if path in paths:
                text = (child.text or "").strip()
                if text:
                    found.setdefault(path, []).append(text)
            if len(child):
                walk(child, path + "/")

    walk(root, "")
    return found
