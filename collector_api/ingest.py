"""Accepting a submission from ODK Collect: never lost once acknowledged, never stored twice.

``ingest_submission`` is the only writer of submissions. It reads only what it
needs from the XML, checks the form, the person and the place, stores the
attachment bytes durably, and records everything in one transaction, so a
client that got a 201 has a complete record and a client that did not can
simply send again. Identity is the database's: a submission is unique on
(questionnaire, instanceID) and an attachment on (submission, filename).
"""

import hashlib
import logging
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collector_api.errors import CollectorError
from collector_api.submission_xml import SubmissionHead, read_submission_head, values_at
from forms.models import FormVersion, Questionnaire
from forms.queries import questionnaires_for_collector
from media.models import Attachment
from media.photos import image_content_type
from media.storage import save_durably
from registry.access import Action, scope_for
from registry.models import Area, User
from review.models import Submission
from review.tasks import process_submission

logger = logging.getLogger(__name__)


class UnknownForm(CollectorError):
    code = "unknown_form"
    message = _(
        "The server does not know the form “%(form_id)s” version “%(version)s”. Get the latest forms."
    )
    http_status = 404


class FormClosed(CollectorError):
    code = "form_closed"
    message = _("The form “%(title)s” is closed and no longer accepts submissions.")
    http_status = 403


class NotAllowedToSubmit(CollectorError):
    code = "not_allowed_to_submit"
    message = _("You may not send the form “%(title)s”. Ask your coordinator.")
    http_status = 403


class AreaNotAllowed(CollectorError):
    code = "area_not_allowed"
    message = _("The village %(village)s is outside your areas: you may not send data for it.")
    http_status = 403


class BadAttachmentName(CollectorError):
    code = "bad_attachment_name"
    message = _("The attachment name “%(name)s” is not allowed.")
    http_status = 400


class AttachmentWrongType(CollectorError):
    code = "attachment_wrong_type"
    message = _("The file “%(name)s” is not a picture, but the question asks for one.")
    http_status = 400


class AttachmentMissing(CollectorError):
    code = "attachment_missing"
    message = _("These files are missing from the submission: %(names)s. Send it again.")
    http_status = 400


class InstanceConflict(CollectorError):
    code = "instance_conflict"
    message = _(
        "A different submission with the same ID (%(instance_id)s) was already received. "
        "The first one is kept."
    )
    http_status = 409


class EditTargetUnknown(CollectorError):
    code = "edit_target_unknown"
    message = _("The submission you edited (%(instance_id)s) is not on the server.")
    http_status = 404


class EditTargetSuperseded(CollectorError):
    code = "edit_target_superseded"
    message = _("The submission you edited (%(instance_id)s) was already replaced by another edit.")
    http_status = 409


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class IngestResult:
    submission: Submission
    created: bool
    stored: tuple[str, ...]

    @property
    def is_complete(self) -> bool:
        return self.submission.is_complete


def _version_to_submit(user: User, head: SubmissionHead) -> FormVersion:
    """The published version the submission names, if the user may send it (one query).

    Only when she may not is the reason looked up, to tell her which it is.
    """
    published = FormVersion.objects.select_related("questionnaire").filter(
        questionnaire__form_id=head.form_id,
        version=head.version,
        status=FormVersion.Status.PUBLISHED,
    )
    version = published.filter(questionnaire__in=questionnaires_for_collector(user)).first()
    if version is not None:
        return version
    version = published.first()
    if version is None:
        raise UnknownForm(form_id=head.form_id, version=head.version)
    if version.questionnaire.status != Questionnaire.Status.ACTIVE:
        raise FormClosed(title=version.questionnaire.title)
    raise NotAllowedToSubmit(title=version.questionnaire.title)


def _area_of(user: User, codes: list[str] | None) -> Area | None:
    if not codes:
        return None
    code = codes[0]
    if not scope_for(user, Action.COLLECT).covers(code):
        raise AreaNotAllowed(village=code)
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise AreaNotAllowed(village=code)
    return area


def _checked_files(files: list[IncomingFile], declared: dict[str, str]) -> list[IncomingFile]:
    """The files the XML names, each of the type its question accepts."""
    wanted = []
    for incoming in files:
        name = incoming.name
        if not name or "/" in name or "\\" in name or name.startswith(".") or "\0" in name:
            raise BadAttachmentName(name=name)
        mediatype = declared.get(name)
        if mediatype is None:
            logger.warning("attachment not named in the submission ignored")
            continue
        if mediatype.startswith("image/") and image_content_type(incoming.content) is None:
            raise AttachmentWrongType(name=name)
        wanted.append(incoming)
    return wanted


def _lock_or_create(
    *,
    head: SubmissionHead,
    version: FormVersion,
    xml: bytes,
    user: User,
    device_id: str,
    area: Area | None,
    declared: dict[str, str],
    complete_on_arrival: bool,
) -> tuple[Submission, bool]:
    sha = hashlib.sha256(xml).hexdigest()
    existing = (
        Submission.objects.select_for_update()
        .filter(questionnaire=version.questionnaire, instance_id=head.instance_id)
        .first()
    )
    if existing is None:
        target = _edit_target(head, version) if head.deprecated_id else None
        try:
            with transaction.atomic():
                submission = Submission.objects.create(
                    questionnaire=version.questionnaire,
                    form_version=version,
                    instance_id=head.instance_id,
                    xml=xml,
                    xml_sha256=sha,
                    status=(
                        Submission.Status.COMPLETE
                        if complete_on_arrival
                        else Submission.Status.RECEIVING
                    ),
                    completed_at=timezone.now() if complete_on_arrival else None,
                    expected_attachments=sorted(declared),
                    area=area,
                    submitted_by=user,
                    device_id=device_id,
                    deprecated_id=head.deprecated_id,
                    supersedes=target,
                )
        except IntegrityError:
            # Another request stored the same instanceID a moment ago: use that one.
            existing = Submission.objects.select_for_update().get(
                questionnaire=version.questionnaire, instance_id=head.instance_id
            )
        else:
            if target is not None:
                Submission.objects.filter(pk=target.pk).update(is_current=False)
            return submission, True
    if existing.xml_sha256 != sha:
        raise InstanceConflict(instance_id=head.instance_id)
    return existing, False


def _edit_target(head: SubmissionHead, version: FormVersion) -> Submission:
    target = (
        Submission.objects.select_for_update()
        .filter(questionnaire=version.questionnaire, instance_id=head.deprecated_id)
        .first()
    )
    if target is None:
        raise EditTargetUnknown(instance_id=head.deprecated_id)
    if not target.is_current:
        raise EditTargetSuperseded(instance_id=head.deprecated_id)
    return target


def _store_file(submission: Submission, incoming: IncomingFile, saved: list[str]) -> bool:
    content_type = image_content_type(incoming.content) or "application/octet-stream"
    folder = submission.instance_id.replace(":", "_")
    name = save_durably(
        f"submissions/{submission.questionnaire_id}/{folder}/{incoming.name}", incoming.content
    )
    saved.append(name)
    # No savepoint needed: the submission row is locked (created or selected for update)
    # by this transaction, so no other request adds attachments to it meanwhile.
    Attachment.objects.create(
        submission=submission,
        filename=incoming.name,
        file=name,
        content_type=content_type,
        size=len(incoming.content),
        sha256=hashlib.sha256(incoming.content).hexdigest(),
    )
    return True


def _carry_over_from_edited(submission: Submission, missing: set[str]) -> set[str]:
    """An edit keeps the earlier version's files that the phone did not send again."""
    if submission.supersedes_id is None or not missing:
        return set()
    carried = set()
    for earlier in Attachment.objects.filter(
        submission_id=submission.supersedes_id, filename__in=missing
    ):
        Attachment.objects.create(
            submission=submission,
            filename=earlier.filename,
            file=earlier.file.name,
            content_type=earlier.content_type,
            size=earlier.size,
            sha256=earlier.sha256,
        )
        carried.add(earlier.filename)
    return carried


def ingest_submission(
    *, user: User, xml: bytes, files: list[IncomingFile], device_id: str, is_incomplete: bool
) -> IngestResult:
    """Store a submission (or the part of a split one) and say what was new.

    Raises a CollectorError subclass, having written nothing of this request,
    when the submission must be refused.
    """
    head = read_submission_head(xml)
    version = _version_to_submit(user, head)
    paths = set(version.binary_fields) | ({version.area_field} if version.area_field else set())
    found = values_at(head.root, paths)
    area = _area_of(user, found.get(version.area_field)) if version.area_field else None
    declared = {
        name: version.binary_fields[path]
        for path, names in found.items()
        if path in version.binary_fields
        for name in names
    }
    wanted = _checked_files(files, declared)
    saved: list[str] = []
    try:
        result = _record(
            head=head,
            version=version,
            xml=xml,
            user=user,
            device_id=device_id,
            area=area,
            declared=declared,
            wanted=wanted,
            is_incomplete=is_incomplete,
            saved=saved,
        )
    except BaseException:
        _forget_files(saved)
        raise
    return result


@transaction.atomic
def _record(
    *,
    head: SubmissionHead,
    version: FormVersion,
    xml: bytes,
    user: User,
    device_id: str,
    area: Area | None,
    declared: dict[str, str],
    wanted: list[IncomingFile],
    is_incomplete: bool,
    saved: list[str],
) -> IngestResult:
    # Once committed, the files belong to rows and must never be removed as orphans, even
    # if something after the commit (an on-commit callback) raises. Registered first, so
    # it runs before any other on-commit callback.
    transaction.on_commit(saved.clear)
    # The usual case, a new submission with all its files in one POST, is written once.
    complete_on_arrival = not head.deprecated_id and set(declared) <= {f.name for f in wanted}
    submission, created = _lock_or_create(
        head=head,
        version=version,
        xml=xml,
        user=user,
        device_id=device_id,
        area=area,
        declared=declared,
        complete_on_arrival=complete_on_arrival,
    )
    have = set() if created else set(submission.attachments.values_list("filename", flat=True))
    stored = tuple(
        incoming.name
        for incoming in wanted
        if incoming.name not in have and _store_file(submission, incoming, saved)
    )
    have |= set(stored)
    if created:
        have |= _carry_over_from_edited(submission, set(declared) - have)
    missing = set(declared) - have
    if missing and not is_incomplete:
        raise AttachmentMissing(names=", ".join(sorted(missing)))
    became_complete = created and complete_on_arrival
    if not missing and submission.status != Submission.Status.COMPLETE:
        submission.status = Submission.Status.COMPLETE
        submission.completed_at = timezone.now()
        submission.save(update_fields=["status", "completed_at"])
        became_complete = True
    if became_complete:
        process_submission.delay_on_commit(submission.pk)
        logger.info("submission complete submission_id=%s", submission.pk)
    if created:
        logger.info(
            "submission received submission_id=%s form=%s version=%s",
            submission.pk,
            head.form_id,
            head.version,
        )
    return IngestResult(submission=submission, created=created, stored=stored)


def _forget_files(names: list[str]) -> None:
    """Remove files saved by a request that was then refused (they belong to no row)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not remove an orphaned attachment file")
