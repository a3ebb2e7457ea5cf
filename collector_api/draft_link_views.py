"""The page that connects a test phone to a draft: a QR code in Collect's settings format.

Only the district staff who manage the questionnaire reach it. Creating a
link answers with a redirect (reloading the page creates no second link);
the new token is handed to the next page view through the session and shown
there once, as the QR code and its URL.
"""

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collector_api.draft_links import create_draft_test_link, revoke_draft_test_link
from collector_api.models import DraftTestLink
from collector_api.phones import collect_settings_qr_payload
from forms.errors import FormsError
from forms.models import FormVersion
from forms.permissions import get_version_for_manager, require_form_manager

_NEW_LINK = "draft_test_new_link"


def _qr_svg(payload: str) -> str:
    return segno.make(payload, error="l").svg_inline(scale=4, border=2)


def _draft_for_manager(request: HttpRequest, form_id: str, version: str) -> FormVersion:
    user = require_form_manager(request.user)
    form_version = get_version_for_manager(user, form_id, version)
    if form_version.is_published:
        raise Http404("Not a draft")
    return form_version


def _link_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(f"/draft/{token}")


@require_GET
def draft_test(request: HttpRequest, form_id: str, version: str) -> HttpResponse:
    draft = _draft_for_manager(request, form_id, version)
    context: dict[str, object] = {
        "questionnaire": draft.questionnaire,
        "version": draft,
        "links": DraftTestLink.objects.filter(form_version=draft).select_related("created_by"),
    }
    new = request.session.pop(_NEW_LINK, None)
    if isinstance(new, dict) and new.get("form_version") == draft.pk:
        url = _link_url(request, str(new["token"]))
        project = _("Test: %(title)s %(version)s") % {
            "title": draft.title,
            "version": draft.version,
        }
        context["new_link_url"] = url
        context["new_link_qr"] = _qr_svg(
            collect_settings_qr_payload(server_url=url, project=project)
        )
    return render(request, "collector_api/draft_test.html", context)


@require_POST
def draft_test_link_create(request: HttpRequest, form_id: str, version: str) -> HttpResponseBase:
    draft = _draft_for_manager(request, form_id, version)
    user = require_form_manager(request.user)
    try:
        new = create_draft_test_link(version=draft, created_by=user)
    except FormsError as exc:
        messages.error(request, exc.detail)
    else:
        request.session[_NEW_LINK] = {"form_version": draft.pk, "token": new.token}
        messages.success(
            request, _("Draft test link created. Scan the QR code now: it is shown only once.")
        )
    return redirect("phones:draft_test", form_id=form_id, version=version)


@require_http_methods(["GET", "POST"])
def draft_test_link_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    """GET asks to confirm; POST revokes and says so."""
    user = require_form_manager(request.user)
    link = get_object_or_404(
        DraftTestLink.objects.select_related("form_version__questionnaire"), pk=pk
    )
    version = link.form_version
    form_id = version.questionnaire.form_id
    # The same check as the page's: a link outside the user's areas does not exist for her.
    get_version_for_manager(user, form_id, version.version)
    back = reverse("phones:draft_test", kwargs={"form_id": form_id, "version": version.version})
    if request.method == "GET":
        if link.is_revoked or version.is_published:
            return redirect(back)
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Revoke this draft test link?"),
                "consequence": _(
                    "The phone that uses it can no longer get the draft or send tests. The "
                    "tests it already sent stay on the draft's page. This cannot be undone: "
                    "to test again, make a new link."
                ),
                "confirm_label": _("Revoke the link"),
                "cancel_url": back,
                "is_danger": True,
            },
        )
    revoke_draft_test_link(link=link, revoked_by=user)
    messages.success(request, _("The draft test link was revoked: the phone can no longer use it."))
    return redirect(back)
