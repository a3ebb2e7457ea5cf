"""Every change to a questionnaire: upload a version, attach media, publish, archive, deploy.

Each function owns its transaction and checks the rules that keep published
versions immutable and versions increasing. Permission (who may manage which
questionnaire) is checked by the callers through ``forms.permissions``.
"""

import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from areas.models import Area
from audit.trail import record_change
from forms.area_media import GENERATED_MEDIA, REGISTRY_LISTS
from forms.draft_tests import delete_draft_tests
from forms.errors import (
    FileTooLarge,
    FormIdMismatch,
    MediaInvalid,
    MediaMissing,
    NotADraft,
    QuestionnaireArchived,
    QuestionnaireExists,
    VersionExists,
    VersionNotIncreasing,
)
from forms.media_files import check_media_file, is_media_used
from forms.models import Deployment, FormMedia, FormVersion, Questionnaire
from forms.xlsform import ITEMSETS_CSV, CompiledForm, compile_xlsform

logger = logging.getLogger(__name__)

_CHUNK_RE = re.compile(r"(\d+)")
# What the server writes as the version of a workbook that has none: the minute of the upload.
_ASSIGNED_VERSION_FORMAT = "%Y%m%d%H%M"
_XLSFORM_FILENAME_LENGTH = int(FormVersion._meta.get_field("xlsform_filename").max_length or 255)


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that orders versions as people expect: 2 < 10, 2026112301 < 2026112302."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in _CHUNK_RE.split(version.strip())
        if part != ""
    )


def assigned_version(latest: str | None) -> str:
    """The version the server gives an upload whose settings sheet has none.

    The local time to the minute, ``YYYYMMDDHHMM`` (as KoboToolbox versions each
    deployment), or, when that is not above the latest published version (two
    uploads in one minute, a clock behind), the first version that is.
    """
    candidate = timezone.localtime().strftime(_ASSIGNED_VERSION_FORMAT)
    if latest is None or version_key(candidate) > version_key(latest):
        return candidate
    if len(latest) == len(candidate) and latest.isdigit():
        try:
            stamped = datetime.strptime(latest, _ASSIGNED_VERSION_FORMAT)
        except ValueError:
            return str(int(latest) + 1)
        return (stamped + timedelta(minutes=1)).strftime(_ASSIGNED_VERSION_FORMAT)
    if latest.isdigit():
        return str(int(latest) + 1)
    # "v3" is above every number: "v3-202612021030" is above "v3".
    return f"{latest}-{candidate}"


def _check_size(data: bytes, limit: int) -> None:
    if len(data) > limit:
        raise FileTooLarge(size=filesizeformat(len(data)), limit=filesizeformat(limit))


def latest_published(questionnaire: Questionnaire) -> FormVersion | None:
    published = list(questionnaire.versions.filter(status=FormVersion.Status.PUBLISHED))
    if not published:
        return None
    return max(published, key=lambda v: version_key(v.version))


def _check_version_rules(questionnaire: Questionnaire, compiled: CompiledForm) -> None:
    if compiled.form_id != questionnaire.form_id:
        raise FormIdMismatch(uploaded=compiled.form_id, expected=questionnaire.form_id)
    if questionnaire.versions.filter(
        version=compiled.version, status=FormVersion.Status.PUBLISHED
    ).exists():
        raise VersionExists(version=compiled.version)
    latest = latest_published(questionnaire)
    if latest is not None and version_key(compiled.version) <= version_key(latest.version):
        raise VersionNotIncreasing(version=compiled.version, latest=latest.version)


def _new_version(
    questionnaire: Questionnaire, compiled: CompiledForm, data: bytes, filename: str, user: User
) -> FormVersion:
    version = FormVersion(
        questionnaire=questionnaire,
        version=compiled.version,
        title=compiled.title,
        # The name the browser sent, cut to the column (its end keeps the extension).
        xlsform_filename=filename[-_XLSFORM_FILENAME_LENGTH:],
        xlsform_sha256=hashlib.sha256(data).hexdigest(),
        xform_xml=compiled.xform_xml,
        xform_md5=compiled.xform_md5,
        languages=list(compiled.languages),
        warnings=[w.as_dict() for w in compiled.warnings],
        required_media=list(compiled.required_media),
        binary_fields=dict(compiled.binary_fields),
        area_field=compiled.area_field or "",
        created_by=user,
    )
    version.xlsform.save(
        f"{questionnaire.form_id}{compiled.file_type}", ContentFile(data), save=False
    )
    version.save()
    if compiled.itemsets_csv is not None:
        # Made by pyxform from the external_choices sheet: served like any form media.
        _store_media(
            version=version, filename=ITEMSETS_CSV, content=compiled.itemsets_csv, user=user
        )
    return version


def create_questionnaire(
    *, workbook: bytes, filename: str, owner_area: Area, user: User
) -> FormVersion:
    """Create a questionnaire from its first workbook; returns its draft version.

    A settings sheet without a version gets one from the server (``assigned_version``).

    Raises the errors of ``compile_xlsform``, FileTooLarge, or QuestionnaireExists.
    """
    _check_size(workbook, settings.SRS_XLSFORM_MAX_BYTES)
    # Compiling runs ODK Validate (a second of Java): outside the transaction.
    compiled = compile_xlsform(workbook, version_if_missing=assigned_version(None))
    try:
        with transaction.atomic():
            questionnaire = Questionnaire.objects.create(
                form_id=compiled.form_id,
                title=compiled.title,
                owner_area=owner_area,
                created_by=user,
            )
            version = _new_version(questionnaire, compiled, workbook, filename, user)
            record_change(
                actor=user,
                action="forms.questionnaire_created",
                obj=questionnaire,
                area_code=owner_area.code,
                after={
                    "form_id": questionnaire.form_id,
                    "title": questionnaire.title,
                    "draft_version": version.version,
                    "xlsform_sha256": version.xlsform_sha256,
                },
            )
    except IntegrityError:
        raise QuestionnaireExists(form_id=compiled.form_id) from None
    logger.info("questionnaire created form_id=%s version=%s", compiled.form_id, compiled.version)
    return version


def upload_form_version(
    *, questionnaire: Questionnaire, workbook: bytes, filename: str, user: User
) -> FormVersion:
    """Upload a workbook as the draft of the next version, replacing any earlier draft.

    A settings sheet without a version gets one above the latest published version.

    Nothing changes when the workbook is refused. Raises the errors of
    ``compile_xlsform``, FileTooLarge, FormIdMismatch, VersionExists,
    VersionNotIncreasing or QuestionnaireArchived.
    """
    _check_size(workbook, settings.SRS_XLSFORM_MAX_BYTES)
    latest = latest_published(questionnaire)
    # Compiling runs ODK Validate (a second of Java): outside the transaction.
    compiled = compile_xlsform(
        workbook, version_if_missing=assigned_version(latest.version if latest else None)
    )
    return _store_draft(
        questionnaire=questionnaire,
        compiled=compiled,
        workbook=workbook,
        filename=filename,
        user=user,
    )


@transaction.atomic
def _store_draft(
    *,
    questionnaire: Questionnaire,
    compiled: CompiledForm,
    workbook: bytes,
    filename: str,
    user: User,
) -> FormVersion:
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire.is_archived:
        raise QuestionnaireArchived(title=questionnaire.title)
    _check_version_rules(questionnaire, compiled)
    old_draft = questionnaire.versions.filter(status=FormVersion.Status.DRAFT).first()
    # Media attached to the earlier draft carry over: people upload them once. Not those the
    # new version no longer uses, nor the itemsets.csv it makes itself.
    carried = [
        (m.filename, m.file.open("rb").read())
        for m in (old_draft.media.all() if old_draft else [])
        if is_media_used(compiled.xform_xml, compiled.required_media, m.filename)
        and not (m.filename == ITEMSETS_CSV and compiled.itemsets_csv is not None)
    ]
    if old_draft is not None:
        _delete_draft(old_draft)
    version = _new_version(questionnaire, compiled, workbook, filename, user)
    for media_name, content in carried:
        _store_media(version=version, filename=media_name, content=content, user=user)
    record_change(
        actor=user,
        action="forms.draft_uploaded",
        obj=version,
        area_code=questionnaire.owner_area_id,
        before={"draft_version": old_draft.version} if old_draft else None,
        after={
            "draft_version": version.version,
            "xlsform_sha256": version.xlsform_sha256,
            "media_carried_over": [name for name, _content in carried],
        },
    )
    logger.info("draft uploaded form_id=%s version=%s", questionnaire.form_id, compiled.version)
    return version


def _delete_draft(draft: FormVersion) -> None:
    names = [draft.xlsform.name, *(m.file.name for m in draft.media.all())]
    storage = draft.xlsform.storage
    delete_draft_tests(draft)
    draft.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def _store_media(*, version: FormVersion, filename: str, content: bytes, user: User) -> FormMedia:
    content_type = check_media_file(filename, content)
    existing = version.media.filter(filename=filename).first()
    if existing is not None:
        old_name, storage = existing.file.name, existing.file.storage
        existing.delete()
        transaction.on_commit(lambda: storage.delete(old_name))
    media = FormMedia(
        form_version=version,
        filename=filename,
        content_type=content_type,
        size=len(content),
        md5=hashlib.md5(content).hexdigest(),  # noqa: S324 (OpenRosa manifest hash)
        uploaded_by=user,
    )
    media.file.save(filename, ContentFile(content), save=False)
    media.save()
    return media


@transaction.atomic
def attach_form_media(
    *, version: FormVersion, filename: str, content: bytes, user: User
) -> FormMedia:
    """Attach (or replace) a media file on a draft version.

    Raises NotADraft for a published version, FileTooLarge, or MediaInvalid.
    """
    version = FormVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise NotADraft(version=version.version)
    _check_size(content, settings.SRS_FORM_MEDIA_MAX_BYTES)
    if filename in REGISTRY_LISTS:
        raise MediaInvalid(
            filename=filename,
            reason=gettext(
                "the server makes this file for each field agent from the registry; it cannot "
                "be uploaded."
            ),
        )
    if filename in GENERATED_MEDIA:
        raise MediaInvalid(
            filename=filename,
            reason=gettext("the server makes this file from its areas; it cannot be uploaded."),
        )
    if filename == ITEMSETS_CSV and filename in version.required_media:
        raise MediaInvalid(
            filename=filename,
            reason=gettext(
                "the server makes this file from the external_choices sheet; change that sheet "
                "and upload the workbook again."
            ),
        )
    if not is_media_used(version.xform_xml, version.required_media, filename):
        used = [name for name in version.required_media if name not in GENERATED_MEDIA]
        raise MediaInvalid(
            filename=filename,
            reason=(
                gettext("the form does not use it. The files it uses: %(files)s.")
                % {"files": ", ".join(used)}
                if used
                else gettext("the form uses no media files.")
            ),
        )
    replaced = version.media.filter(filename=filename).values_list("md5", flat=True).first()
    media = _store_media(version=version, filename=filename, content=content, user=user)
    record_change(
        actor=user,
        action="forms.media_attached",
        obj=version,
        area_code=version.questionnaire.owner_area_id,
        before={"filename": filename, "md5": replaced} if replaced else None,
        after={"filename": filename, "md5": media.md5, "size": media.size},
    )
    logger.info("form media attached form_version_id=%s file=%s", version.pk, filename)
    return media


def missing_media(version: FormVersion) -> list[str]:
    attached = set(version.media.values_list("filename", flat=True))
    return [
        name
        for name in version.required_media
        if name not in attached and name not in GENERATED_MEDIA
    ]


@transaction.atomic
def publish_form_version(*, version: FormVersion, user: User) -> FormVersion:
    """Publish a draft: from now on it never changes and phones may get it.

    Raises NotADraft, MediaMissing, VersionNotIncreasing or QuestionnaireArchived.
    """
    questionnaire = Questionnaire.objects.select_for_update().get(pk=version.questionnaire_id)
    version = FormVersion.objects.select_for_update().get(pk=version.pk)
    if questionnaire.is_archived:
        raise QuestionnaireArchived(title=questionnaire.title)
    if version.is_published:
        raise NotADraft(version=version.version)
    missing = missing_media(version)
    if missing:
        raise MediaMissing(files=", ".join(missing))
    latest = latest_published(questionnaire)
    if latest is not None and version_key(version.version) <= version_key(latest.version):
        raise VersionNotIncreasing(version=version.version, latest=latest.version)
    version.status = FormVersion.Status.PUBLISHED
    version.published_by = user
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_by", "published_at"])
    # What phones sent to test the draft is not data of the published version.
    delete_draft_tests(version)
    record_change(
        actor=user,
        action="forms.version_published",
        obj=version,
        area_code=questionnaire.owner_area_id,
        before={"status": FormVersion.Status.DRAFT},
        after={"status": FormVersion.Status.PUBLISHED, "xform_md5": version.xform_md5},
    )
    if questionnaire.title != version.title:
        questionnaire.title = version.title
        questionnaire.save(update_fields=["title"])
    logger.info(
        "form version published form_id=%s version=%s", questionnaire.form_id, version.version
    )
    return version


@transaction.atomic
def discard_draft(*, version: FormVersion, user: User) -> None:
    """Delete a draft version and its media. Raises NotADraft for a published one."""
    version = FormVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise NotADraft(version=version.version)
    record_change(
        actor=user,
        action="forms.draft_discarded",
        obj=version,
        area_code=version.questionnaire.owner_area_id,
        before={"draft_version": version.version, "xlsform_sha256": version.xlsform_sha256},
    )
    _delete_draft(version)


@transaction.atomic
def archive_questionnaire(*, questionnaire: Questionnaire, user: User) -> Questionnaire:
    """Archive a questionnaire: phones no longer get it; its versions are kept. Idempotent."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if not questionnaire.is_archived:
        questionnaire.status = Questionnaire.Status.ARCHIVED
        questionnaire.archived_at = timezone.now()
        questionnaire.save(update_fields=["status", "archived_at"])
        record_change(
            actor=user,
            action="forms.questionnaire_archived",
            obj=questionnaire,
            area_code=questionnaire.owner_area_id,
            before={"status": Questionnaire.Status.ACTIVE},
            after={"status": Questionnaire.Status.ARCHIVED},
        )
        logger.info(
            "questionnaire archived form_id=%s by user_id=%s", questionnaire.form_id, user.pk
        )
    return questionnaire


@transaction.atomic
def restore_questionnaire(*, questionnaire: Questionnaire, user: User) -> Questionnaire:
    """Bring an archived questionnaire back into use. Idempotent."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire.is_archived:
        questionnaire.status = Questionnaire.Status.ACTIVE
        questionnaire.archived_at = None
        questionnaire.save(update_fields=["status", "archived_at"])
        record_change(
            actor=user,
            action="forms.questionnaire_restored",
            obj=questionnaire,
            area_code=questionnaire.owner_area_id,
            before={"status": Questionnaire.Status.ARCHIVED},
            after={"status": Questionnaire.Status.ACTIVE},
        )
        logger.info(
            "questionnaire restored form_id=%s by user_id=%s", questionnaire.form_id, user.pk
        )
    return questionnaire


@transaction.atomic
def set_deployment(
    *, questionnaire: Questionnaire, areas: Iterable[Area], user: User
) -> list[Deployment]:
    """Deploy the questionnaire to exactly these areas (adding and removing as needed)."""
    wanted = {area.code: area for area in areas}
    current = {d.area_id: d for d in questionnaire.deployments.select_for_update()}
    Deployment.objects.filter(
        questionnaire=questionnaire, area_id__in=set(current) - set(wanted)
    ).delete()
    for code in set(wanted) - set(current):
        Deployment.objects.create(questionnaire=questionnaire, area=wanted[code], deployed_by=user)
    if set(wanted) != set(current):
        record_change(
            actor=user,
            action="forms.deployment_set",
            obj=questionnaire,
            area_code=questionnaire.owner_area_id,
            before={"areas": sorted(current)},
            after={"areas": sorted(wanted)},
        )
    logger.info(
        "deployment set form_id=%s areas=%s", questionnaire.form_id, ",".join(sorted(wanted))
    )
    return list(questionnaire.deployments.select_related("area"))
