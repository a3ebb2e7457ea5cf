"""The OpenRosa server of a draft test link: ``/draft/<token>/`` serves one draft only.

ODK Collect configured with a draft test QR code talks to these paths as to
any OpenRosa server: the form list holds just the draft, with its hash, the
form, its manifest and media (attached files and the generated area list),
and HEAD/POST ``submission``. The token is the credential: no user signs in.
A submission sent here is kept with the draft (``forms.draft_tests``) and
never reaches intake, the review queue or the registry. A link that does not
work (unknown, revoked, or its draft published, replaced or discarded) gets
404 with a message that Collect shows, and nothing else.
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

from collector_api.auth import require_secure_connection
from collector_api.draft_links import get_tested_draft
from collector_api.multipart import read_parts
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
from forms.draft_tests import IncomingTestFile, receive_draft_test
from forms.errors import DraftNotBeingTested
from forms.models import FormVersion
from foundation.errors import DomainError
from registry.phone_lists import build_example_list

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def draft_view(view: View) -> View:
    """Find the draft of the token (or refuse with 404) and map refusals to OpenRosa."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            # The token is the credential: only over HTTPS, as passwords and access links.
            require_secure_connection(request)
            draft = get_tested_draft(token)
            return view(request, draft, token, *args, **kwargs)
        except DomainError as error:
            return message_response(error.detail, status=error.http_status)

    return login_not_required(csrf_exempt(wrapper))


def _url(request: HttpRequest, name: str, **kwargs: str) -> str:
    return request.build_absolute_uri(reverse(f"collector_api:{name}", kwargs=kwargs))


def _check_form(draft: FormVersion, form_id: str, version: str) -> None:
    # Only the draft's own paths: any other form or version is not there.
    if form_id != draft.questionnaire.form_id or version != draft.version:
        raise DraftNotBeingTested()


def _generated(draft: FormVersion, filename: str) -> GeneratedMedia:
    """The area list; for a registry list, an example row only: a test link is no person,
    and nobody's household goes to a phone through it."""
    if filename in REGISTRY_LISTS:
        return build_example_list(filename)
    assert filename == AREAS_CSV
    return build_areas_csv(draft.questionnaire)


def _needs_manifest(draft: FormVersion) -> bool:
    return bool(draft.required_media) or draft.media.exists()


@draft_view
def draft_form_list(request: HttpRequest, draft: FormVersion, token: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return message_response(_("Use GET for the form list."), status=405)
    form_id = draft.questionnaire.form_id
    paths = {"token": token, "form_id": form_id, "version": draft.version}
    entry = FormListEntry(
        form_id=form_id,
        name=draft.title,
        version=draft.version,
        md5=draft.xform_md5,
        download_url=_url(request, "draft_form_xml", **paths),
        manifest_url=_url(request, "draft_manifest", **paths) if _needs_manifest(draft) else None,
    )
    return form_list_response([entry])


@draft_view
def draft_form_xml(
    request: HttpRequest, draft: FormVersion, token: str, form_id: str, version: str
) -> HttpResponse:
    _check_form(draft, form_id, version)
    response = HttpResponse(draft.xform_xml.encode("utf-8"), content_type="text/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{form_id}.xml"'
    return openrosa_headers(response)


@draft_view
def draft_manifest(
    request: HttpRequest, draft: FormVersion, token: str, form_id: str, version: str
) -> HttpResponse:
    _check_form(draft, form_id, version)
    paths = {"token": token, "form_id": form_id, "version": version}
    entries = [
        ManifestEntry(
            filename=media.filename,
            md5=media.md5,
            download_url=_url(request, "draft_media_file", filename=media.filename, **paths),
        )
        for media in draft.media.all()
    ]
    for name in sorted(GENERATED_MEDIA & set(draft.required_media)):
        generated = _generated(draft, name)
        entries.append(
            ManifestEntry(
                filename=name,
                md5=generated.md5,
                download_url=_url(request, "draft_media_file", filename=name, **paths),
            )
        )
    return manifest_response(entries)


@draft_view
def draft_media_file(
    request: HttpRequest, draft: FormVersion, token: str, form_id: str, version: str, filename: str
) -> HttpResponse:
    _check_form(draft, form_id, version)
    if filename in GENERATED_MEDIA and filename in draft.required_media:
        generated = _generated(draft, filename)
        content, content_type = generated.content, generated.content_type
    else:
        media = draft.media.filter(filename=filename).first()
        if media is None:
            raise DraftNotBeingTested()
        with media.file.open("rb") as handle:
            content, content_type = handle.read(), media.content_type
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return openrosa_headers(response)


def _content_length(request: HttpRequest) -> int | None:
    text = request.META.get("CONTENT_LENGTH") or "0"
    return int(text) if text.isdigit() else None


@draft_view
def draft_submission(request: HttpRequest, draft: FormVersion, token: str) -> HttpResponse:
    if request.method == "HEAD":
        response = HttpResponse(status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(settings.SRS_SUBMISSION_MAX_BYTES)
        return openrosa_headers(response)
    if request.method != "POST":
        return message_response(_("Send submissions with POST."), status=405)
    length = _content_length(request)
    if length is None:
        return message_response(_("The request's Content-Length is not a number."), status=400)
    if length > settings.SRS_SUBMISSION_REQUEST_MAX_BYTES:
        return message_response(
            _("The submission is too large: the server accepts at most %(size)s per request.")
            % {"size": filesizeformat(settings.SRS_SUBMISSION_REQUEST_MAX_BYTES)},
            status=413,
        )
    parts = read_parts(request.META.get("CONTENT_TYPE", ""), request.read())
    xml = next((p.content for p in parts if p.name == "xml_submission_file"), None)
    if xml is None:
        return message_response(_("The request has no xml_submission_file part."), status=400)
    files = [
        IncomingTestFile(name=part.filename, content=part.content)
        for part in parts
        if part.filename is not None and part.name != "xml_submission_file"
    ]
    receive_draft_test(version=draft, xml=xml, files=files)
    return message_response(
        _("Test form received. It is kept with the draft only, not as a real submission."),
        status=201,
        nature="submit_success",
    )
