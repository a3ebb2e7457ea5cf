"""Test submissions of a draft: kept beside the draft, never in the queue or the registry.

District staff fill a draft on a phone (a draft test link, ``/draft/<token>/``)
to see what it produces before they publish it. What the phone sends is
stored here, in ``DraftTestSubmission`` and in the draft's folder of media
storage, and nowhere else: intake never sees it, so no reviewer, household
or report does. The same rules as for real submissions keep a retry safe:
the same instanceID with the same XML is the same test (files it lacked are
added), with different XML it is refused (409). Publishing, replacing or
discarding the draft deletes its tests, rows and files.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any, cast

from django.core.files.storage import default_storage
from django.db import models, transaction

from forms.errors import (
    DraftNotBeingTested,
    DraftTestAttachmentRefused,
    DraftTestConflict,
    DraftTestMalformed,
    DraftTestNotForDraft,
)
from forms.models import DraftTestSubmission, FormVersion
from forms.xform_outline import Outline, OutlineNode, short_language, text_in
from foundation.untrusted_xml import XmlRefused, local_name, parse_untrusted_xml
from media.storage import save_all_durably

logger = logging.getLogger(__name__)

_MAX_INSTANCE_ID = cast(
    int, cast(models.CharField, DraftTestSubmission._meta.get_field("instance_id")).max_length
)
# Collect names files by the time they were taken ("1700000000000.jpg"); people's names
# may have spaces. Never a folder, never hidden, never longer than storage keeps.
_SAFE_FILENAME = re.compile(r"^[\w][\w .()+-]{0,199}$")
_UNSAFE_IN_FOLDER = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class IncomingTestFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class ReceivedTest:
    test: DraftTestSubmission
    created: bool
    new_files: tuple[str, ...]


@dataclass(frozen=True)
class TestAnswer:
    path: str  # with the repeat's number: "members[2]/name"
    label: str
    value: str  # a choice's label when the question has one, else the answer as sent


def _read_instance(xml: bytes) -> tuple[Any, str, str, str]:
    """(root, form id, version, instanceID); raises DraftTestMalformed."""
    try:
        root = parse_untrusted_xml(xml)
    except XmlRefused as exc:
        raise DraftTestMalformed(reason=str(exc)) from None
    instance_id = ""
    for child in root:
        if local_name(child.tag) == "meta":
            for item in child:
                if local_name(item.tag) == "instanceID":
                    instance_id = (item.text or "").strip()
    if not instance_id:
        raise DraftTestMalformed(reason="no instanceID")
    if len(instance_id) > _MAX_INSTANCE_ID:
        raise DraftTestMalformed(reason=f"instanceID longer than {_MAX_INSTANCE_ID} characters")
    return root, root.get("id", "").strip(), root.get("version", "").strip(), instance_id


def _check_files(files: list[IncomingTestFile]) -> None:
    seen: set[str] = set()
    for incoming in files:
        if not _SAFE_FILENAME.match(incoming.name) or incoming.name in seen:
            raise DraftTestAttachmentRefused(name=incoming.name[:80])
        seen.add(incoming.name)


def _folder(version: FormVersion, instance_id: str) -> str:
    questionnaire = version.questionnaire
    return (
        f"forms/{questionnaire.form_id}/{version.version}/draft-tests/{version.pk}/"
        f"{_UNSAFE_IN_FOLDER.sub('_', instance_id)[:100]}"
    )


@transaction.atomic
def receive_draft_test(
    *, version: FormVersion, xml: bytes, files: list[IncomingTestFile]
) -> ReceivedTest:
    """Store a test submission of a draft (idempotent for the same XML).

    Raises DraftNotBeingTested when the version is no longer a draft,
    DraftTestMalformed, DraftTestNotForDraft, DraftTestAttachmentRefused or
    DraftTestConflict (the same instanceID with different XML).
    """
    _root, form_id, form_version, instance_id = _read_instance(xml)
    _check_files(files)
    # Receipts of one draft queue behind its row: publishing takes the same lock.
    version = (
        FormVersion.objects.select_for_update().select_related("questionnaire").get(pk=version.pk)
    )
    if version.is_published:
        raise DraftNotBeingTested()
    if form_id != version.questionnaire.form_id or form_version != version.version:
        raise DraftTestNotForDraft(form_id=form_id[:80], version=form_version[:80])
    sha256 = hashlib.sha256(xml).hexdigest()
    test = version.test_submissions.filter(instance_id=instance_id).first()
    if test is not None and test.xml_sha256 != sha256:
        raise DraftTestConflict()
    known = {entry["filename"] for entry in test.attachments} if test is not None else set()
    new = [incoming for incoming in files if incoming.name not in known]
    folder = _folder(version, instance_id)
    stored = save_all_durably(
        [(f"{folder}/{incoming.name}", incoming.content) for incoming in new], default_storage
    )
    entries = [
        {"filename": incoming.name, "size": len(incoming.content), "stored_name": name}
        for incoming, name in zip(new, stored, strict=True)
    ]
    try:  # a failure after the files were written must not leave them behind
        with transaction.atomic():
            if test is None:
                test = DraftTestSubmission.objects.create(
                    form_version=version,
                    instance_id=instance_id,
                    xml=xml,
                    xml_sha256=sha256,
                    attachments=entries,
                )
                created = True
            else:
                created = False
                if entries:
                    test.attachments = [*test.attachments, *entries]
                    test.save(update_fields=["attachments", "updated_at"])
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise
    logger.info(
        "draft test received form_version_id=%s test_id=%s created=%s files=%s",
        version.pk,
        test.pk,
        created,
        len(entries),
    )
    return ReceivedTest(
        test=test, created=created, new_files=tuple(incoming.name for incoming in new)
    )


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def delete_draft_tests(version: FormVersion) -> int:
    """Delete the draft's test submissions and, after commit, their files; returns how many.

    Runs inside the caller's transaction (publishing, replacing or discarding the draft).
    """
    tests = list(version.test_submissions.all())
    names = [entry["stored_name"] for test in tests for entry in test.attachments]
    DraftTestSubmission.objects.filter(form_version=version).delete()
    if names:
        transaction.on_commit(lambda: _delete_files(names))
    if tests:
        logger.info("draft tests deleted form_version_id=%s count=%s", version.pk, len(tests))
    return len(tests)


def _language_for(outline: Outline, language_code: str) -> str:
    return next(
        (lang for lang in outline.languages if short_language(lang).lower() == language_code),
        outline.languages[0],
    )


def _choice_label(node: OutlineNode, value: str, language: str) -> str:
    if node.choices is None or not node.choices.choices:
        return value
    labels = {c.value: text_in(c.labels, language) or c.value for c in node.choices.choices}
    if node.type.startswith("select_multiple"):
        return ", ".join(labels.get(part, part) for part in value.split())
    return labels.get(value, value)


def answers_of(test: DraftTestSubmission, outline: Outline, language_code: str) -> list[TestAnswer]:
    """The answers of a test submission in form order, each with its question's label."""
    language = _language_for(outline, language_code)
    try:
        root = parse_untrusted_xml(bytes(test.xml))
    except XmlRefused:
        return []
    nodes = {node.path: node for node in outline.nodes}
    answers: list[TestAnswer] = []

    def walk(element: Any, prefix: str, shown_prefix: str) -> None:
        counts: dict[str, int] = {}
        for child in element:
            name = local_name(child.tag)
            if not name or (not prefix and name == "meta"):
                continue
            path = f"{prefix}{name}"
            node = nodes.get(path)
            if node is not None and node.kind == "repeat":
                counts[name] = counts.get(name, 0) + 1
                shown = f"{shown_prefix}{name}[{counts[name]}]"
            else:
                shown = f"{shown_prefix}{name}"
            if len(child):
                walk(child, path + "/", shown + "/")
                continue
            value = (child.text or "").strip()
            if not value:
                continue
            label = (node.label_in(language) if node is not None else "") or name
            answers.append(
                TestAnswer(
                    path=shown,
                    label=label,
                    value=_choice_label(node, value, language) if node is not None else value,
                )
            )

    walk(root, "", "")
    return answers
