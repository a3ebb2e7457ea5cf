"""Reading what the server needs from a submission's XML, and nothing more.

The request path only needs the form, version, instanceID (and deprecatedID),
the village for the area check and the names of the attached files. The
parser is defusedxml's: no DTD, no entities, no network.
"""

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext_lazy as _

from collector_api.errors import CollectorError


class SubmissionMalformed(CollectorError):
    code = "submission_malformed"
    message = _("The submission is not a readable form instance: %(reason)s")
    http_status = 400


@dataclass(frozen=True)
class SubmissionHead:
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    root: Element


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_submission_head(xml: bytes) -> SubmissionHead:
    """Raises SubmissionMalformed for XML that is broken, hostile or not a form instance."""
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise SubmissionMalformed(reason=type(exc).__name__) from None
    form_id = root.get("id", "").strip()
    if not form_id:
        raise SubmissionMalformed(reason="no form id")
    instance_id = deprecated_id = ""
    for child in root:
        if _local(child.tag) == "meta":
            for field in child:
                name = _local(field.tag)
                if name == "instanceID":
                    instance_id = (field.text or "").strip()
                elif name == "deprecatedID":
                    deprecated_id = (field.text or "").strip()
    if not instance_id:
        raise SubmissionMalformed(reason="no instanceID")
    return SubmissionHead(
        form_id=form_id,
        version=root.get("version", "").strip(),
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        root=root,
    )


def values_at(root: Element, paths: set[str]) -> dict[str, list[str]]:
    """The non-empty texts of the elements at ``paths`` (below the root; repeats give several)."""
    found: dict[str, list[str]] = {}

    def walk(element: Element, prefix: str) -> None:
        for child in element:
            path = f"{prefix}{_local(child.tag)}"
            if path in paths:
                text = (child.text or "").strip()
                if text:
                    found.setdefault(path, []).append(text)
            if len(child):
                walk(child, path + "/")

    walk(root, "")
    return found
