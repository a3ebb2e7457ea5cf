"""Tokens of the API: kept hashed, expiring, and dead once the password changes.

``issue_api_token`` gives out a random key and stores only its SHA-256, the
time it expires (``SRS_API_TOKEN_DAYS``) and an HMAC of the user's password
hash. ``ApiTokenAuthentication`` (DRF, ``Authorization: Token <key>``) accepts
a key only before it expires, for an active user whose password hash still
gives the same HMAC: setting a new password or deactivating the user ends
every token at once.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from accounts.models import ApiToken, User

logger = logging.getLogger(__name__)

KEYWORD = "Token"


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def password_fingerprint(user: User) -> str:
    """An HMAC of the user's password hash: it changes whenever the password does."""
    secret = settings.SECRET_KEY.encode("utf-8")
    text = f"api-token:{user.pk}:{user.password}".encode()
    return hmac.new(secret, text, hashlib.sha256).hexdigest()


def issue_api_token(user: User) -> tuple[str, datetime]:
    """A new token for ``user`` and when it expires; only its hash is stored."""
    key = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=int(settings.SRS_API_TOKEN_DAYS))
    ApiToken.objects.create(
        user=user,
        key_hash=_hash_key(key),
        password_fingerprint=password_fingerprint(user),
        expires_at=expires_at,
    )
    ApiToken.objects.filter(user=user, expires_at__lt=timezone.now()).delete()
    logger.info("api token issued user_id=%s", user.pk)
    return key, expires_at


def find_token_user(key: str) -> User | None:
    """The active user of a valid, unexpired token whose password is unchanged, else None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_key(key), expires_at__gt=timezone.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if not hmac.compare_digest(token.password_fingerprint, password_fingerprint(token.user)):
        return None
    return token.user


class ApiTokenAuthentication(BaseAuthentication):
    """DRF authentication by ``Authorization: Token <key>`` against ``ApiToken``."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("The token header must be “Token <key>”."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("The token is unknown or has expired.")) from None
        user = find_token_user(key)
        if user is None:
            raise AuthenticationFailed(_("The token is unknown or has expired."))
        return user, None

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
