"""The page of one questionnaire version: the form as it reads, what a draft changes, its tests.

District staff check a draft here before they publish it: each question with
its type, its texts in every language of the form, its choices and logic;
what changed against the latest published version; and what the test phones
sent (``forms.draft_tests``), with the answers under their questions' labels.
"""

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from forms.draft_tests import answers_of
from forms.models import FormVersion
from forms.page_links import version_links
from forms.permissions import get_version_for_manager, require_form_manager
from forms.version_diff import VersionDiff, diff_outlines
from forms.versions import version_key
from forms.xform_outline import Outline, read_outline, short_language


def _base_version(version: FormVersion) -> FormVersion | None:
    """What ``version`` is compared with: the latest published one before it."""
    published = [
        other
        for other in version.questionnaire.versions.filter(status=FormVersion.Status.PUBLISHED)
        if other.pk != version.pk and version_key(other.version) < version_key(version.version)
    ]
    return max(published, key=lambda v: version_key(v.version)) if published else None


@require_GET
def version_detail(request: HttpRequest, form_id: str, version: str) -> HttpResponse:
    user = require_form_manager(request.user)
    form_version = get_version_for_manager(user, form_id, version)
    outline: Outline = read_outline(form_version.xform_xml)
    base = _base_version(form_version)
    diff: VersionDiff | None = (
        diff_outlines(read_outline(base.xform_xml), outline) if base is not None else None
    )
    language_code = translation.get_language() or "id"
    tests = (
        [
            {"test": test, "answers": answers_of(test, outline, language_code)}
            for test in form_version.test_submissions.all()
        ]
        if not form_version.is_published
        else []
    )
    return render(
        request,
        "forms/version_detail.html",
        {
            "questionnaire": form_version.questionnaire,
            "version": form_version,
            "outline": outline,
            "languages": [(lang, short_language(lang)) for lang in outline.languages],
            "base": base,
            "diff": diff,
            "tests": tests,
            "phone_test_links": version_links(form_version),
        },
    )


# Only these are shown in the page; any other file is a download, never rendered.
_INLINE_IMAGES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


@require_GET
def test_file(
    request: HttpRequest, form_id: str, version: str, test_id: int, filename: str
) -> HttpResponse:
    """A file of a draft's test submission, for the managers who see the draft's page."""
    user = require_form_manager(request.user)
    form_version = get_version_for_manager(user, form_id, version)
    test = form_version.test_submissions.filter(pk=test_id).first()
    entry = next((e for e in (test.attachments if test else []) if e["filename"] == filename), None)
    if entry is None:
        raise Http404("No such test file")
    with default_storage.open(entry["stored_name"], "rb") as handle:
        content = handle.read()
    content_type = next(
        (kind for magic, kind in _INLINE_IMAGES.items() if content.startswith(magic)), None
    )
    response = HttpResponse(content, content_type=content_type or "application/octet-stream")
    disposition = "inline" if content_type else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
