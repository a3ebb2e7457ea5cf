"""Reading a submission's XML: what the request needs, and the answers, by one rule.

The request path only needs the form, version, instanceID (and deprecatedID),
the village for the area check and the names of the attached files. The XML
is read by the one hardened reader, ``foundation.untrusted_xml`` (lxml, in C:
no DTD, no entities, nothing fetched, no huge tree — libxml2's limits of 256
levels and 10 MB in one text).

The request (``values_at``) and the derived answers (``answers_of``) read the
instance by the same walk, which refuses a question answered twice outside a
repeat: so the village that the area check read is the village the answers
hold, whatever the XML holds.
"""

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.utils.translation import gettext_lazy as _

from foundation.untrusted_xml import XmlRefused, local_name, parse_untrusted_xml
from intake.errors import IntakeError
from intake.models import Submission


class SubmissionMalformed(IntakeError):
    code = "submission_malformed"
    message = _("The submission is not a readable form instance: %(reason)s")
    http_status = 400


class SubmissionXmlTooLarge(IntakeError):
    code = "submission_xml_too_large"
    message = _(
        "The form's answers are too large for the server (%(size)s kB, at most %(limit)s kB). "
        "Ask your coordinator: the form may have too many repeated entries."
    )
    http_status = 413


class InstanceIdUnreadable(IntakeError):
    code = "instance_id_unreadable"
    message = _(
        "The submission's ID (instanceID) holds characters the server does not accept. "
        "Fill in the form again as a new form."
    )
    http_status = 400


class QuestionAnsweredTwice(IntakeError):
    code = "question_answered_twice"
    message = _(
        "The submission answers the question “%(question)s” more than once; "
        "it may be answered once only. Fill in the form again."
    )
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


# A household of twenty members is some 50 kB of XML; a form with a 500-row repeat, under
# 1 MB. Parsed, an XML costs some 15 times its size in memory (elements, then the answers):
# 5 MB stays under 100 MB and a second of CPU, where a 64 MB request would take a gigabyte.
MAX_XML_BYTES = 5 * 1024 * 1024


def parse_xml(xml: bytes) -> Any:
    """The root element of ``xml`` (a submission, or a form's XForm), by the one hardened
    reader (``foundation.untrusted_xml``).

    Raises SubmissionMalformed for XML that is broken or hostile (a DTD, an
    entity, deeper than libxml2's limit).
    """
    try:
        return parse_untrusted_xml(xml)
    except XmlRefused as exc:
        raise SubmissionMalformed(reason=str(exc)) from None


def _is_printable_id(value: str) -> bool:
    # Control, format, unassigned and private-use characters: never in an ID a phone makes,
    # and they would reach file names, logs and the reviewers' pages.
    return value.isprintable() and not any(
        unicodedata.category(character) in ("Cf", "Co", "Cn") for character in value
    )


def read_submission_head(xml: bytes) -> SubmissionHead:
    """Raises SubmissionMalformed (or InstanceIdUnreadable) for XML that is broken, hostile
    or not a form instance, and SubmissionXmlTooLarge beyond MAX_XML_BYTES."""
    if len(xml) > MAX_XML_BYTES:
        raise SubmissionXmlTooLarge(size=len(xml) // 1024, limit=MAX_XML_BYTES // 1024)
    root = parse_xml(xml)
    form_id = root.get("id", "").strip()
    if not form_id:
        raise SubmissionMalformed(reason="no form id")
    instance_id = deprecated_id = ""
    for child in root:
        if local_name(child.tag) == "meta":
            for field in child:
                name = local_name(field.tag)
                if name == "instanceID":
                    instance_id = (field.text or "").strip()
                elif name == "deprecatedID":
                    deprecated_id = (field.text or "").strip()
    if not instance_id:
        raise SubmissionMalformed(reason="no instanceID")
    if len(instance_id) > _MAX_ID_LENGTH or len(deprecated_id) > _MAX_ID_LENGTH:
        raise SubmissionMalformed(reason=f"instanceID longer than {_MAX_ID_LENGTH} characters")
    if not _is_printable_id(instance_id) or not _is_printable_id(deprecated_id):
        raise InstanceIdUnreadable()
    return SubmissionHead(
        form_id=form_id,
        version=root.get("version", "").strip(),
        instance_id=instance_id,
        deprecated_id=deprecated_id,
        root=root,
    )


def answers_of(root: Any, repeats: Collection[str]) -> dict[str, Any]:
    """The instance below ``root`` as nested dicts: each repeat (its path below the root, as
    ``repeat_paths`` gives them) a list, every other value the text as sent.

    Raises QuestionAnsweredTwice when an element that is not a repeat occurs twice
    in the same place (in the same group or the same repeat instance): there is no
    telling which answer is meant.
    """

    def convert(element: Any, prefix: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for child in element:
            name = local_name(child.tag)
            if not name:
                continue
            path = prefix + name
            value: Any = convert(child, path + "/") if len(child) else (child.text or "")
            if path in repeats:
                found = result.setdefault(name, [])
                if not isinstance(found, list):
                    raise QuestionAnsweredTwice(question=path)
                found.append(value)
            elif name in result:
                raise QuestionAnsweredTwice(question=path)
            else:
                result[name] = value
        return result

    return convert(root, "")


def _texts(value: Any, steps: list[str]) -> list[str]:
    """The non-empty (stripped) texts at ``steps`` below ``value``, through repeats' lists."""
    if isinstance(value, list):
        return [text for item in value for text in _texts(item, steps)]
    if not steps:
        text = value.strip() if isinstance(value, str) else ""
        return [text] if text else []
    if not isinstance(value, dict) or steps[0] not in value:
        return []
    return _texts(value[steps[0]], steps[1:])


def values_at(answers: dict[str, Any], paths: Collection[str]) -> dict[str, list[str]]:
    """The non-empty texts (stripped) at ``paths`` of ``answers`` (as ``answers_of`` reads
    them): one for a question, several for one inside a repeat."""
    found: dict[str, list[str]] = {}
    for path in paths:
        texts = _texts(answers, path.split("/"))
        if texts:
            found[path] = texts
    return found
