"""Pages that connect a field agent's phone to the server with a QR code."""

import segno
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Action, can
from accounts.models import User
from collector_api.models import DeviceToken
from collector_api.phones import (
    agents_managed_by,
    collect_settings_qr_payload,
    create_access_link,
    may_manage_phone_of,
    revoke_access_link,
)


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


@require_GET
def phone_agents(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if not can(user, Action.MANAGE_PHONES):
        raise PermissionDenied
    return render(request, "collector_api/phone_agents.html", {"agents": agents_managed_by(user)})


@require_http_methods(["GET", "POST"])
def phone_setup(request: HttpRequest, username: str | None = None) -> HttpResponse:
    manager = _signed_in(request)
    agent = _agent_for(manager, username or manager.username)
    server_url = request.build_absolute_uri("/").rstrip("/")
    project = _("SRS %(name)s") % {"name": agent.get_full_name() or agent.username}
    context: dict[str, object] = {
        "agent": agent,
        "server_url": server_url,
        "password_qr": _qr_svg(
            collect_settings_qr_payload(
                server_url=server_url, username=agent.username, project=project
            )
        ),
        "links": DeviceToken.objects.filter(user=agent),
    }
    if request.method == "POST":
        label = request.POST.get("label", "").strip() or _("Phone")
        link = create_access_link(user=agent, label=label, created_by=manager)
        link_url = f"{server_url}/key/{link.token}"
        context["new_link"] = link.device_token
        context["new_link_url"] = link_url
        context["new_link_qr"] = _qr_svg(
            collect_settings_qr_payload(server_url=link_url, project=project)
        )
    return render(request, "collector_api/phone_setup.html", context)


@require_POST
def phone_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    manager = _signed_in(request)
    device_token = get_object_or_404(DeviceToken.objects.select_related("user"), pk=pk)
    if not may_manage_phone_of(manager, device_token.user):
        raise Http404("No such access link")
    revoke_access_link(device_token=device_token, revoked_by=manager)
    if device_token.user == manager:
        return redirect("phones:mine")
    return redirect("phones:agent", username=device_token.user.username)
