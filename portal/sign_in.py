"""Signing in on the web and for the API, under the lockouts of accounts/lockout.py.

The web login page and ``POST /api/v1/auth/token/`` refuse every attempt
while the account or the client's address is locked out (the right password
too), say when to try again, and count each wrong password. A failure that
starts a lockout writes an audit record.
"""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_tokens import issue_api_token
from accounts.errors import SignInLocked
from accounts.lockout import Lockout, client_address, record_failure, require_not_locked
from accounts.models import User
from audit.trail import record_change
from portal.api_schema import ApiErrorSerializer


def _record_lockouts(lockouts: list[Lockout]) -> None:
    new = [found for found in lockouts if found.is_new]
    if new:
        with transaction.atomic():
            for found in new:
                record_change(actor=None, **found.audit_fields())


def count_failure(*, username: str, address: str, path: str) -> None:
    """Count a wrong password; raise SignInLocked when that started or hit a lockout."""
    lockouts = record_failure(username=username, address=address, path=path)
    if lockouts:
        _record_lockouts(lockouts)
        raise SignInLocked(retry_after=max(found.seconds for found in lockouts))


class LockoutMixin(AuthenticationForm):
    """Refuses locked accounts and addresses before the password; counts wrong ones."""

    locked: SignInLocked | None = None

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request is not None else ""
        try:
            require_not_locked(username=username, address=address)
        except SignInLocked as error:
            self.locked = error
            raise ValidationError(error.detail, code=error.code) from None
        try:
            return super().clean()
        except ValidationError as invalid:
            if self.user_cache is not None or not username:
                raise  # an inactive account, or an empty form: not a guess
            try:
                count_failure(username=username, address=address, path="web")
            except SignInLocked as error:
                self.locked = error
                raise ValidationError(error.detail, code=error.code) from None
            raise invalid


class LockoutAuthenticationForm(LockoutMixin):
    """The site's login form."""


class AdminLockoutAuthenticationForm(LockoutMixin, AdminAuthenticationForm):
    """The admin's login form, under the same lockouts."""


class SignInView(LoginView):
    """The login page; a locked-out attempt is answered 429 with Retry-After."""

    authentication_form = LockoutAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        locked = getattr(form, "locked", None)
        if locked is not None:
            response.status_code = 429
            response["Retry-After"] = str(locked.retry_after)
        return response


class ApiTokenRequest(serializers.Serializer[None]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class ApiTokenResponse(serializers.Serializer[None]):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ObtainApiTokenView(APIView):
    """``POST username, password`` → ``{"token", "expires_at"}``; errors ``{"code", "detail"}``."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        request=ApiTokenRequest,
        responses={200: ApiTokenResponse, 429: ApiErrorSerializer},
    )
    def post(self, request: Request) -> Response:
        username = str(request.data.get("username", ""))
        password = str(request.data.get("password", ""))
        if not username or not password:
            return Response(
                {"code": "credentials_missing", "detail": _("Send a username and a password.")},
                status=400,
            )
        address = client_address(request._request)
        try:
            require_not_locked(username=username, address=address)
            user = authenticate(request._request, username=username, password=password)
            if not isinstance(user, User):
                count_failure(username=username, address=address, path="api_token")
                return Response(
                    {
                        "code": "bad_credentials",
                        "detail": _("The username or password is wrong."),
                    },
                    status=400,
                )
        except SignInLocked as error:
            return Response(
                {"code": error.code, "detail": error.detail},
                status=429,
                headers={"Retry-After": str(error.retry_after)},
            )
        key, expires_at = issue_api_token(user)
        return Response({"token": key, "expires_at": expires_at.isoformat()})
