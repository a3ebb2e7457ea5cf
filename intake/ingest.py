"""Accepting a submission from ODK Collect: never lost once acknowledged, never stored twice.

``ingest_submission`` is the only writer of submissions. It reads only what it
needs from the XML, checks the form, the person and the place, stores the
attachment bytes durably, and records everything in one transaction, so a
client that got a 201 has a complete record and a client that did not can
simply send again. Identity is the database's: a submission is unique on
(questionnaire, instanceID) and an attachment on (submission, filename).

It runs for every POST from every phone, so the usual case asks the database
as little as it can: who she is (one query, in the authentication), whether the
form reaches her (one query; the published version itself is remembered; so are
the village codes, which never disappear), then, once the files are on disk, one
statement that stores the submission and its files and commits on its own
(PostgreSQL; the unique constraint says whether it is new). Everything else (a
repeat, a split upload, an edit, SQLite) takes the long way: the submission row
locked or created, the files it still lacks, the commit.

A phone touches only what is hers: a stored submission (found by its
instanceID, or named as the one an edit replaces) is hers when its area is
within her collect scope, or when she sent it and it has no area or her own
(``_is_hers``). Any other is answered as if it did not exist: an edit of it is
unknown (404), its instanceID is taken (409, the same words whatever it
holds), and nothing is attached to it, compared with it or carried over from it.
Its area is the village that the area question names, read by the same walk as
the answers (a question answered twice is refused), or, on a form without an
area question, her own (``_own_area``), so that her reviewers see it.
"""

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from accounts.access import Action, Scope, scope_for
from accounts.models import User
from areas.area_codes import area_exists, common_ancestor
from areas.models import Area
from forms.reach import (
    PublishedVersion,
    QuestionnaireReach,
    find_published_version,
    read_reach,
)
from intake.answers import repeats_of_version
from intake.errors import (
    AreaMissing,
    AreaNotAllowed,
    AreaUnknown,
    AttachmentMissing,
    AttachmentNameTooLong,
    AttachmentTwice,
    AttachmentWrongType,
    BadAttachmentName,
    EditTargetSuperseded,
    EditTargetUnknown,
    FormClosed,
    InstanceConflict,
    InstanceIdTaken,
    NotAllowedToSubmit,
    PhotoTooLarge,
    UnknownForm,
)
from intake.inserts import (
    can_store_submission_with_files_at_once,
    insert_row,
    new_submission_with_files_plan,
    row_params,
)
from intake.models import Attachment, Submission, attachment_name
from intake.processing import process_after_commit
from intake.submission_xml import (
    QuestionAnsweredTwice,
    SubmissionHead,
    answers_of,
    read_submission_head,
    values_at,
)
from media.photos import ImageTooLarge, image_content_type
from media.storage import save_all_durably, save_durably

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class _CheckedFile:
    """A file the XML names, with the content type found in its bytes (checked once)."""

    name: str
    content: bytes
    content_type: str
    sha256: str


@dataclass(frozen=True)
class _Accepted:
    """A submission that passed every check, with what storing it needs."""

    head: SubmissionHead
    version: PublishedVersion
    xml: bytes
    xml_sha256: str
    user: User
    scope: Scope  # where she collects
    device_id: str
    area_code: str | None  # the village it is about (or, without a village question, hers)
    declared: dict[str, str]  # the files its XML names, with their questions' media types
    wanted: list[_CheckedFile]  # those of them that this POST brings

    @property
    def completes_on_arrival(self) -> bool:
        """A new submission (not an edit, which may keep earlier files) with all its files."""
        return not self.head.deprecated_id and set(self.declared) <= {f.name for f in self.wanted}

    def file_name(self, incoming: _CheckedFile) -> str:
        """Where ``incoming`` is stored (or a free variant of it)."""
        return attachment_name(
            questionnaire_id=self.version.questionnaire_id,
            instance_id=self.head.instance_id,
            filename=incoming.name,
        )


@dataclass(frozen=True)
class IngestResult:
    submission_id: int
    created: bool
    is_complete: bool
    stored: tuple[str, ...]


@dataclass(frozen=True)
class _Stored:
    """The submission row this request works on, locked until the commit."""

    pk: int
    created: bool
    is_complete: bool
    supersedes_id: int | None
    # Its retention ended (intake/erasure.py): told it arrived, nothing stored again.
    is_erased: bool = False


def _version_to_submit(
    user: User, head: SubmissionHead, scope: Scope
) -> tuple[PublishedVersion, QuestionnaireReach]:
    """The published version the submission names, if the questionnaire reaches the user.

    The same rule as the form list (``questionnaires_for_collector``); when it
    does not reach her, the error says why: unknown, closed, or not hers.
    """
    version = find_published_version(head.form_id, head.version)
    if version is None:
        raise UnknownForm(form_id=head.form_id, version=head.version)
    reach = read_reach(version.questionnaire_id)
    if not reach.is_active:
        raise FormClosed(title=reach.title)
    if not reach.reaches(scope):
        raise NotAllowedToSubmit(title=reach.title)
    return version, reach


# How many of her villages a refusal names (an agent has a few; more would not help her).
_VILLAGES_NAMED = 10


def _refuse_village(scope: Scope, code: str) -> AreaNotAllowed | AreaUnknown:
    """Why ``code`` is refused, in her words: unknown, or not one of her villages (named)."""
    names = dict(
        Area.objects.filter(code__in=[code, *scope.roots[:_VILLAGES_NAMED]]).values_list(
            "code", "name"
        )
    )
    if code not in names:
        return AreaUnknown(code=code)
    yours = ", ".join(
        f"{names[root]} ({root})" for root in scope.roots[:_VILLAGES_NAMED] if root in names
    )
    if len(scope.roots) > _VILLAGES_NAMED:
        yours += ", …"
    return AreaNotAllowed(name=names[code], code=code, yours=yours or "—")


def _answered_village(scope: Scope, version: PublishedVersion, codes: list[str]) -> str:
    """The village the submission's area question names, if it is one where she collects.

    Read by the same walk as the answers (``answers_of``), which refuses a
    question answered twice: the village checked is the village stored.
    """
    if not codes:
        raise AreaMissing(question=version.area_field.rsplit("/", 1)[-1])
    if len(set(codes)) > 1:  # the area question inside a repeat, answered differently
        raise QuestionAnsweredTwice(question=version.area_field)
    code = codes[0]
    if scope.covers(code) and area_exists(code):
        return code
    raise _refuse_village(scope, code)


def _own_area(scope: Scope, reach: QuestionnaireReach) -> str | None:
    """The area of a submission to a form without an area question: hers.

    Her village when she collects in one (of those the form is deployed to),
    else the deepest area that holds all of them (the kecamatan of her
    villages), so that the reviewers of that area see it. None when she
    collects everywhere or in places with nothing in common (no such area):
    then the questionnaire's owner area decides who sees it. No query once
    the area is known to this process.
    """
    if scope.everywhere:
        return None
    roots = [
        root
        for root in scope.roots
        if any(root == code or root.startswith(code + ".") for code in reach.deployed_to)
        or any(code.startswith(root + ".") for code in reach.deployed_to)
    ] or list(scope.roots)
    code = common_ancestor(roots)
    return code if code and area_exists(code) else None


def _is_hers(accepted: "_Accepted", *, area_id: str | None, submitted_by_id: int) -> bool:
    """May the sender add to, replace or compare with this stored submission?

    When its area is within her collect scope; or, when she sent it, when it
    has no area or its area holds villages of hers (her own area, on a form
    without an area question). Anything else is treated as not there.
    """
    scope = accepted.scope
    if area_id is not None and scope.covers(area_id):
        return True
    if submitted_by_id != accepted.user.pk:
        return False
    return area_id is None or scope.overlaps(area_id)


# Collect names files by the time they were taken (``1700000000000.jpg``). The stored path is
# submissions/<questionnaire>/<instanceID, at most 255>/<name>, with room for the suffix of a
# free variant, within the file column's 500 characters and the filesystem's 255 bytes a name.
_MAX_NAME_BYTES = 200


def _bad_name(name: str) -> bool:
    return (
        not name
        or "/" in name
        or "\\" in name
        or name.startswith(".")
        or not name.isprintable()  # NUL, line breaks and other control characters
    )


def _checked_files(files: list[IncomingFile], declared: dict[str, str]) -> list[_CheckedFile]:
    """The files the XML names, each of the type its question accepts."""
    wanted: list[_CheckedFile] = []
    for incoming in files:
        name = incoming.name
        if len(name.encode("utf-8", "surrogatepass")) > _MAX_NAME_BYTES:
            raise AttachmentNameTooLong(name=name[:40], limit=_MAX_NAME_BYTES)
        if _bad_name(name):
            raise BadAttachmentName(name=name)
        if any(earlier.name == name for earlier in wanted):
            raise AttachmentTwice(name=name)
        mediatype = declared.get(name)
        if mediatype is None:
            logger.warning("attachment not named in the submission ignored")
            continue
        max_pixels = int(settings.SRS_PHOTO_MAX_PIXELS)
        try:
            found_type = image_content_type(incoming.content, max_pixels=max_pixels)
        except ImageTooLarge:
            raise PhotoTooLarge(name=name, limit=max_pixels // 1_000_000) from None
        if mediatype.startswith("image/") and found_type is None:
            raise AttachmentWrongType(name=name)
        wanted.append(
            _CheckedFile(
                name=name,
                content=incoming.content,
                content_type=found_type or "application/octet-stream",
                sha256=hashlib.sha256(incoming.content).hexdigest(),
            )
        )
    return wanted


def _attachment_values(incoming: _CheckedFile, stored_name: str) -> dict[str, Any]:
    """An attachment row for ``incoming``, stored as ``stored_name`` (all but its submission)."""
    return {
        "filename": incoming.name,
        "file": stored_name,
        "content_type": incoming.content_type,
        "size": len(incoming.content),
        "sha256": incoming.sha256,
    }


def _log_received(
    submission_pk: int, head: SubmissionHead, *, created: bool, files: int, complete: bool
) -> None:
    logger.info(
        "submission received submission_id=%s form=%s version=%s new=%s files=%s complete=%s",
        submission_pk,
        head.form_id,
        head.version,
        created,
        files,
        complete,
    )


def _store_at_once(accepted: _Accepted) -> IngestResult | None:
    """Store the usual POST in one statement, which commits on its own.

    The files are written and flushed to disk first, then one statement records the
    submission and its attachments together: no BEGIN, no COMMIT, no second INSERT
    to wait for. Returns None when the instanceID is already there: the files just
    written are not needed, they are removed, and the caller takes the long way
    (compare the XML, add only the files that are missing).
    """
    wanted = accepted.wanted
    names = save_all_durably([(accepted.file_name(f), f.content) for f in wanted])
    try:
        plan = new_submission_with_files_plan(len(wanted))
        params = row_params(
            plan.submission_fields,
            _submission_values(accepted, complete_on_arrival=True, supersedes_id=None),
        )
        for incoming, name in zip(wanted, names, strict=True):
            params += row_params(plan.file_fields, _attachment_values(incoming, name))
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            found = cursor.fetchone()
    except BaseException:
        _forget_files(names)
        raise
    if found is None:
        _forget_files(names)
        return None
    submission_pk = int(found[0])
    process_after_commit(submission_pk)
    _log_received(submission_pk, accepted.head, created=True, files=len(wanted), complete=True)
    return IngestResult(
        submission_id=submission_pk,
        created=True,
        is_complete=True,
        stored=tuple(incoming.name for incoming in wanted),
    )


def _submission_values(
    accepted: _Accepted, *, complete_on_arrival: bool, supersedes_id: int | None
) -> dict[str, Any]:
    """The new submission row, by attribute name."""
    now = timezone.now()
    return {
        "questionnaire_id": accepted.version.questionnaire_id,
        "form_version_id": accepted.version.pk,
        "instance_id": accepted.head.instance_id,
        "xml": accepted.xml,
        "xml_sha256": accepted.xml_sha256,
        "status": Submission.Status.COMPLETE
        if complete_on_arrival
        else Submission.Status.RECEIVING,
        "received_at": now,
        "completed_at": now if complete_on_arrival else None,
        "expected_attachments": sorted(accepted.declared),
        "area_id": accepted.area_code,
        "submitted_by_id": accepted.user.pk,
        "device_id": accepted.device_id,
        "deprecated_id": accepted.head.deprecated_id,
        "supersedes_id": supersedes_id,
    }


def _lock_or_create(accepted: _Accepted, *, complete_on_arrival: bool) -> _Stored:
    head = accepted.head
    if head.deprecated_id:
        # An edit: the very same edit sent again is found first; only a new one needs the
        # submission it replaces, locked, so that two edits of it cannot both win.
        existing = _lock_existing(accepted)
        target = None if existing else _edit_target(accepted)
    else:
        existing, target = None, None
    if existing is None:
        created_pk = insert_row(
            Submission,
            _submission_values(
                accepted,
                complete_on_arrival=complete_on_arrival,
                supersedes_id=target.pk if target else None,
            ),
            unless_exists=("questionnaire", "instance_id"),
        )
        if created_pk is not None:
            if target is not None:
                Submission.objects.filter(pk=target.pk).update(is_current=False)
            return _Stored(
                pk=created_pk,
                created=True,
                is_complete=complete_on_arrival,
                supersedes_id=target.pk if target else None,
            )
        # Stored already, by an earlier POST or one a moment ago (its commit was awaited).
        existing = _lock_existing(accepted)
        assert existing is not None  # the constraint just said it is there
    if existing.xml_sha256 != accepted.xml_sha256:
        raise InstanceConflict(instance_id=head.instance_id)
    return _Stored(
        pk=existing.pk,
        created=False,
        is_complete=existing.is_complete,
        supersedes_id=existing.supersedes_id,
        is_erased=existing.erased_at is not None,
    )


def _lock_existing(accepted: _Accepted) -> Submission | None:
    """The stored submission with this instanceID, locked; None when there is none.

    Raises InstanceIdTaken when it is not hers to touch (another area's), the
    same refusal whatever it holds: nothing is added to it, nothing compared.
    """
    existing = (
        Submission.objects.select_for_update()
        .only("pk", "xml_sha256", "status", "supersedes", "area", "submitted_by", "erased_at")
        .filter(
            questionnaire_id=accepted.version.questionnaire_id,
            instance_id=accepted.head.instance_id,
        )
        .first()
    )
    if existing is not None and not _is_hers(
        accepted, area_id=existing.area_id, submitted_by_id=existing.submitted_by_id
    ):
        logger.warning(
            "instanceID of another area's submission refused submission_id=%s", existing.pk
        )
        raise InstanceIdTaken()
    return existing


def _edit_target(accepted: _Accepted) -> Submission:
    """The submission an edit replaces, locked; one that is not hers is as unknown."""
    deprecated_id = accepted.head.deprecated_id
    target = (
        Submission.objects.select_for_update()
        .only("pk", "is_current", "area", "submitted_by")
        .filter(questionnaire_id=accepted.version.questionnaire_id, instance_id=deprecated_id)
        .first()
    )
    if target is None or not _is_hers(
        accepted, area_id=target.area_id, submitted_by_id=target.submitted_by_id
    ):
        raise EditTargetUnknown(instance_id=deprecated_id)
    if not target.is_current:
        raise EditTargetSuperseded(instance_id=deprecated_id)
    return target


def _store_file(
    *, submission_pk: int, accepted: _Accepted, incoming: _CheckedFile, saved: list[str]
) -> str:
    name = save_durably(accepted.file_name(incoming), incoming.content)
    saved.append(name)
    # No conflict possible: the submission row is locked (created or selected for update)
    # by this transaction, so no other request adds attachments to it meanwhile.
    insert_row(Attachment, {"submission_id": submission_pk, **_attachment_values(incoming, name)})
    return incoming.name


def _carry_over_from_edited(stored: _Stored, missing: set[str]) -> set[str]:
    """An edit keeps the earlier version's files that the phone did not send again."""
    if stored.supersedes_id is None or not missing:
        return set()
    carried = set()
    for earlier in Attachment.objects.filter(
        submission_id=stored.supersedes_id, filename__in=missing
    ):
        Attachment.objects.create(
            submission_id=stored.pk,
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

    Raises an IntakeError subclass, having written nothing of this request,
    when the submission must be refused.
    """
    head = read_submission_head(xml)
    scope = scope_for(user, Action.COLLECT)
    version, reach = _version_to_submit(user, head, scope)
    # One reading of the instance decides the village, the files and (later) the answers.
    answers = answers_of(head.root, repeats_of_version(version.pk))
    paths = set(version.binary_fields) | ({version.area_field} if version.area_field else set())
    found = values_at(answers, paths)
    area_code = (
        _answered_village(scope, version, found.get(version.area_field, []))
        if version.area_field
        else _own_area(scope, reach)
    )
    declared = {
        name: version.binary_fields[path]
        for path, names in found.items()
        if path in version.binary_fields
        for name in names
    }
    accepted = _Accepted(
        head=head,
        version=version,
        xml=xml,
        xml_sha256=hashlib.sha256(xml).hexdigest(),
        user=user,
        scope=scope,
        device_id=device_id,
        area_code=area_code,
        declared=declared,
        wanted=_checked_files(files, declared),
    )
    if accepted.completes_on_arrival and can_store_submission_with_files_at_once():
        stored_at_once = _store_at_once(accepted)
        if stored_at_once is not None:
            return stored_at_once
    saved: list[str] = []
    try:
        result = _record(accepted, is_incomplete=is_incomplete, saved=saved)
    except BaseException:
        _forget_files(saved)
        raise
    return result


@transaction.atomic
def _record(accepted: _Accepted, *, is_incomplete: bool, saved: list[str]) -> IngestResult:
    # Once committed, the files belong to rows and must never be removed as orphans, even
    # if something after the commit (an on-commit callback) raises. Registered first, so
    # it runs before any other on-commit callback.
    transaction.on_commit(saved.clear)
    head, declared = accepted.head, accepted.declared
    # A new submission with all its files in one POST is written once, complete.
    stored = _lock_or_create(accepted, complete_on_arrival=accepted.completes_on_arrival)
    if stored.is_erased:
        return IngestResult(submission_id=stored.pk, created=False, is_complete=True, stored=())
    have = (
        set()
        if stored.created
        else set(
            Attachment.objects.filter(submission_id=stored.pk).values_list("filename", flat=True)
        )
    )
    new_files = tuple(
        _store_file(submission_pk=stored.pk, accepted=accepted, incoming=incoming, saved=saved)
        for incoming in accepted.wanted
        if incoming.name not in have
    )
    have |= set(new_files)
    if stored.created:
        have |= _carry_over_from_edited(stored, set(declared) - have)
    missing = set(declared) - have
    if missing and not is_incomplete:
        raise AttachmentMissing(names=", ".join(sorted(missing)))
    is_complete = stored.is_complete
    if not missing and not is_complete:
        Submission.objects.filter(pk=stored.pk).update(
            status=Submission.Status.COMPLETE, completed_at=timezone.now()
        )
        is_complete = True
    if is_complete and (stored.created or not stored.is_complete):
        process_after_commit(stored.pk)
    if stored.created or new_files:
        _log_received(
            stored.pk, head, created=stored.created, files=len(new_files), complete=is_complete
        )
    return IngestResult(
        submission_id=stored.pk, created=stored.created, is_complete=is_complete, stored=new_files
    )


def _forget_files(names: list[str]) -> None:
    """Remove files saved by a request that was then refused (they belong to no row)."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not remove an orphaned attachment file")
