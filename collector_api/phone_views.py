"""Pages that connect a field agent's phone to the server with a QR code."""

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import Action, can, require
from accounts.models import User
from collector_api.models import DeviceToken
from collector_api.phones import (
    agents_with_phones,
    collect_settings_qr_payload,
    create_access_link,
    may_manage_phone_of,
    revoke_access_link,
)

# The new link's token waits here for the one GET after the POST that made it: the page
# that shows its QR code can be reloaded without making a second link, and shows it once.
_NEW_LINK_SESSION_KEY = "phones_new_access_link"


def _signed_in(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _qr_svg(payload: str) -> str:
    return segno.make(payload, error="l").svg_inline(scale=4, border=2)


def _agent_for(manager: User, username: str) -> User:
    agent = get_object_or_404(User, username=username, is_active=True)
    if not may_manage_phone_of(manager, agent):
        raise Http404("No such field agent")
    if not can(agent, Action.COLLECT):
        raise Http404("Not a field agent")
    return agent


def _setup_url(manager: User, agent: User) -> str:
    if agent == manager:
        return reverse("phones:mine")
    return reverse("phones:agent", kwargs={"username": agent.username})


@require_GET
def phone_agents(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    require(user, Action.MANAGE_PHONES)
    return render(request, "collector_api/phone_agents.html", {"agents": agents_with_phones(user)})


@require_http_methods(["GET", "POST"])
def phone_setup(request: HttpRequest, username: str | None = None) -> HttpResponse:
    manager = _signed_in(request)
    agent = _agent_for(manager, username or manager.username)
    if request.method == "POST":
        label = request.POST.get("label", "").strip() or _("Phone")
        link = create_access_link(user=agent, label=label, created_by=manager)
        request.session[_NEW_LINK_SESSION_KEY] = {
            "agent": agent.pk,
            "link": link.device_token.pk,
            "token": link.token,
        }
        return HttpResponseRedirect(_setup_url(manager, agent))

    server_url = request.build_absolute_uri("/").rstrip("/")
    project = _("SRS %(name)s") % {"name": agent.get_full_name() or agent.username}
    links = list(DeviceToken.objects.filter(user=agent))
    context: dict[str, object] = {
        "agent": agent,
        "server_url": server_url,
        "password_qr": _qr_svg(
            collect_settings_qr_payload(
                server_url=server_url, username=agent.username, project=project
            )
        ),
        "links": links,
    }
    new = request.session.pop(_NEW_LINK_SESSION_KEY, None)
    if new and new.get("agent") == agent.pk:
        new_link = next((link for link in links if link.pk == new.get("link")), None)
        if new_link is not None and not new_link.is_revoked:
            link_url = f"{server_url}/key/{new['token']}"
            context["new_link"] = new_link
            context["new_link_url"] = link_url
            context["new_link_qr"] = _qr_svg(
                collect_settings_qr_payload(server_url=link_url, project=project)
            )
    return render(request, "collector_api/phone_setup.html", context)


@require_http_methods(["GET", "POST"])
def phone_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST revokes and says so."""
    manager = _signed_in(request)
    device_token = get_object_or_404(DeviceToken.objects.select_related("user"), pk=pk)
    if not may_manage_phone_of(manager, device_token.user):
        raise Http404("No such access link")
    back = _setup_url(manager, device_token.user)
    if request.method == "GET":
        if device_token.is_revoked:
            return redirect(back)
        owner = device_token.user.get_full_name() or device_token.user.username
        return render(
            request,
            "confirm.html",
            {
                "heading": _("Revoke the access link “%(label)s”?") % {"label": device_token.label},
                "consequence": _(
                    "The phone of %(name)s that uses this link can no longer get questionnaires "
                    "or send submissions. Submissions it already sent are kept. This cannot be "
                    "undone: to connect the phone again, make a new link."
                )
                % {"name": owner},
                "confirm_label": _("Revoke the link"),
                "cancel_url": back,
                "is_danger": True,
            },
        )
    revoke_access_link(device_token=device_token, revoked_by=manager)
    messages.success(
        request,
        _("The access link “%(label)s” is revoked: the phone that used it can no longer connect.")
        % {"label": device_token.label},
    )
    return redirect(back)
