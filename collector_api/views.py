"""The OpenRosa server that ODK Collect talks to.

Paths sit at the site root (``/formList``, ``/submission``), as ODK Aggregate's
did, and again below ``/key/<token>/`` for access links. Every answer carries
the OpenRosa headers; every refusal is an OpenRosaResponse whose message
Collect shows to the enumerator, in the language of ``Accept-Language``.
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from accounts.errors import SignInLocked
from accounts.models import User
from collector_api.auth import authenticate_collector, authenticate_token, challenge_headers
from collector_api.devices import record_device
from collector_api.errors import Unauthenticated
from collector_api.multipart import read_body, read_parts, request_length
from collector_api.openrosa import (
    FormListEntry,
    ManifestEntry,
    form_list_response,
    manifest_response,
    message_response,
    openrosa_headers,
)
from forms.area_media import (
    AREAS_CSV,
    GENERATED_MEDIA,
    REGISTRY_LISTS,
    GeneratedMedia,
    build_areas_csv,
)
from forms.models import FormVersion
from forms.queries import questionnaires_for_collector
from forms.versions import latest_published
from foundation.errors import DomainError
from intake.errors import UnknownForm
from intake.ingest import IncomingFile, ingest_submission
from registry.phone_lists import build_registry_list

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def _refusal(request: HttpRequest, error: DomainError) -> HttpResponse:
    response = message_response(error.detail, status=error.http_status)
    if isinstance(error, Unauthenticated):
        # Several challenges go in one header, comma-separated (RFC 9110 §11.6.1).
        response["WWW-Authenticate"] = ", ".join(challenge_headers(request, stale=error.stale))
    if isinstance(error, SignInLocked):
        response["Retry-After"] = str(error.retry_after)
    return response


def openrosa_view(view: View) -> View:
    """Authenticate (access link or Digest/Basic), record the device, map refusals."""

    @functools.wraps(view)
    def wrapper(
        request: HttpRequest, *args: Any, token: str | None = None, **kwargs: Any
    ) -> HttpResponse:
        try:
            if token is not None:
                user = authenticate_token(request, token)
            else:
                user = authenticate_collector(request)
            record_device(user=user, device_id=_device_id(request))
            request.collector_prefix = f"/key/{token}" if token else ""  # type: ignore[attr-defined]
            return view(request, user, *args, **kwargs)
        except DomainError as error:
            if error.http_status >= 500:
                logger.error("openrosa refusal code=%s", error.code)
            return _refusal(request, error)

    return login_not_required(csrf_exempt(wrapper))


def _url(request: HttpRequest, name: str, **kwargs: str) -> str:
    path = reverse(f"collector_api:{name}", kwargs=kwargs)
    return request.build_absolute_uri(getattr(request, "collector_prefix", "") + path)


@openrosa_view
def form_list(request: HttpRequest, user: User) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return message_response(_("Use GET for the form list."), status=405)
    entries = []
    questionnaires = questionnaires_for_collector(user).prefetch_related("versions__media")
    for questionnaire in questionnaires:
        version = latest_published(questionnaire)
        if version is None:
            continue
        has_media = bool(version.required_media) or bool(version.media.all())
        entries.append(
            FormListEntry(
                form_id=questionnaire.form_id,
                name=version.title,
                version=version.version,
                md5=version.xform_md5,
                download_url=_url(
                    request, "form_xml", form_id=questionnaire.form_id, version=version.version
                ),
                manifest_url=(
                    _url(
                        request, "manifest", form_id=questionnaire.form_id, version=version.version
                    )
                    if has_media
                    else None
                ),
            )
        )
    return form_list_response(entries)


def _version_for_collector(user: User, form_id: str, version: str) -> FormVersion:
    form_version = (
        FormVersion.objects.select_related("questionnaire")
        .filter(
            questionnaire__in=questionnaires_for_collector(user),
            questionnaire__form_id=form_id,
            version=version,
            status=FormVersion.Status.PUBLISHED,
        )
        .first()
    )
    if form_version is None:
        raise UnknownForm(form_id=form_id, version=version)
    return form_version


@openrosa_view
def form_xml(request: HttpRequest, user: User, form_id: str, version: str) -> HttpResponse:
    form_version = _version_for_collector(user, form_id, version)
    response = HttpResponse(
        form_version.xform_xml.encode("utf-8"), content_type="text/xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{form_id}.xml"'
    return openrosa_headers(response)


def _generated(form_version: FormVersion, filename: str, user: User) -> GeneratedMedia:
    """A file the server makes: the area list, or the agent's own registry list."""
    if filename in REGISTRY_LISTS:
        return build_registry_list(
            user=user, questionnaire=form_version.questionnaire, filename=filename
        )
    assert filename == AREAS_CSV
    return build_areas_csv(form_version.questionnaire)


@openrosa_view
def manifest(request: HttpRequest, user: User, form_id: str, version: str) -> HttpResponse:
    form_version = _version_for_collector(user, form_id, version)
    entries = [
        ManifestEntry(
            filename=media.filename,
            md5=media.md5,
            download_url=_url(
                request, "media_file", form_id=form_id, version=version, filename=media.filename
            ),
        )
        for media in form_version.media.all()
    ]
    # A registry list's hash is that of the agent's own file: Collect fetches it again
    # only when her households or people changed.
    for name in sorted(GENERATED_MEDIA & set(form_version.required_media)):
        generated = _generated(form_version, name, user)
        entries.append(
            ManifestEntry(
                filename=name,
                md5=generated.md5,
                download_url=_url(
                    request, "media_file", form_id=form_id, version=version, filename=name
                ),
            )
        )
    return manifest_response(entries)


@openrosa_view
def media_file(
    request: HttpRequest, user: User, form_id: str, version: str, filename: str
) -> HttpResponse:
    form_version = _version_for_collector(user, form_id, version)
    if filename in GENERATED_MEDIA and filename in form_version.required_media:
        generated = _generated(form_version, filename, user)
        content, content_type = generated.content, generated.content_type
    else:
        media = form_version.media.filter(filename=filename).first()
        if media is None:
            raise UnknownForm(form_id=f"{form_id}/{filename}", version=version)
        with media.file.open("rb") as handle:
            content, content_type = handle.read(), media.content_type
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return openrosa_headers(response)


def _accept_length() -> int:
    return int(settings.SRS_SUBMISSION_MAX_BYTES)


def _device_id(request: HttpRequest) -> str:
    """Collect's ``deviceID`` as the submission keeps it: printable, at most 255 characters."""
    sent = request.GET.get("deviceID", "")
    return "".join(character for character in sent if character.isprintable()).strip()[:255]


@openrosa_view
def submission(request: HttpRequest, user: User) -> HttpResponse:
    if request.method == "HEAD":
        response = HttpResponse(status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(_accept_length())
        return openrosa_headers(response)
    if request.method != "POST":
        return message_response(_("Send submissions with POST."), status=405)
    # Collect keeps each POST under the announced length unless one file alone is larger.
    if (
        request_length(request.META.get("CONTENT_LENGTH"))
        > settings.SRS_SUBMISSION_REQUEST_MAX_BYTES
    ):
        return message_response(
            _("The submission is too large: the server accepts at most %(size)s per request.")
            % {"size": filesizeformat(settings.SRS_SUBMISSION_REQUEST_MAX_BYTES)},
            status=413,
        )
    parts = read_parts(request.META.get("CONTENT_TYPE", ""), read_body(request))
    xml_parts = [p.content for p in parts if p.name == "xml_submission_file"]
    if not xml_parts:
        return message_response(_("The request has no xml_submission_file part."), status=400)
    if len(xml_parts) > 1:
        return message_response(
            _("The request has more than one xml_submission_file part. Send one form at a time."),
            status=400,
        )
    xml = xml_parts[0]
    files = [
        IncomingFile(name=part.filename, content=part.content)
        for part in parts
        if part.filename is not None and part.name != "xml_submission_file"
    ]
    is_incomplete = any(
        p.name == "*isIncomplete*" and p.content.strip().lower() == b"yes" for p in parts
    )
    result = ingest_submission(
        user=user,
        xml=xml,
        files=files,
        device_id=_device_id(request),
        is_incomplete=is_incomplete,
    )
    if result.is_complete:
        text = _("Form received.")
    else:
        text = _("Part of the form received; send the rest.")
    return message_response(text, status=201, nature="submit_success")
