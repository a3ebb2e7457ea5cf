"""Authenticating ODK Collect: HTTP Digest, Basic over HTTPS, and access-link tokens.

Collect sends credentials only after a 401 with a ``WWW-Authenticate``
challenge. Digest nonces are stateless: a timestamp signed with the secret
key, stale after ``NONCE_TTL`` seconds (Collect then retries with the new nonce).
"""

import base64
import binascii
import hashlib
import hmac
import logging
import re
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import find_active_user
from accounts.models import User
from collector_api.errors import BadCredentials, InsecureBasicAuth, TokenRevoked, Unauthenticated
from collector_api.models import DeviceToken, hash_token

logger = logging.getLogger(__name__)

NONCE_TTL = 6 * 3600
_PARAM_RE = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def _sign(text: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"openrosa-nonce:{text}".encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    return f"{stamp}.{_sign(stamp)}"


def _nonce_state(nonce: str, now: float | None = None) -> str:
    """'fresh', 'stale' (well signed but old) or 'bad'."""
    stamp, _, signature = nonce.partition(".")
    if not stamp.isdigit() or not hmac.compare_digest(signature, _sign(stamp)):
        return "bad"
    age = (now if now is not None else time.time()) - int(stamp)
    return "fresh" if -60 <= age <= NONCE_TTL else "stale"


def challenge_headers(request: HttpRequest, *, stale: bool = False) -> list[str]:
    """The ``WWW-Authenticate`` challenges: Digest always, Basic too over HTTPS."""
    realm = settings.SRS_DIGEST_REALM
    digest = (
        f'Digest realm="{realm}", qop="auth", algorithm=MD5, nonce="{make_nonce()}", '
        f'opaque="{_sign(realm)}"'
    )
    if stale:
        digest += ", stale=true"
    challenges = [digest]
    if request.is_secure():
        challenges.append(f'Basic realm="{realm}", charset="UTF-8"')
    return challenges


def _parse_params(text: str) -> dict[str, str]:
    return {
        match.group(1).lower(): (match.group(2) if match.group(2) is not None else match.group(3))
        for match in _PARAM_RE.finditer(text)
    }


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 (the protocol's hash)


def _uri_matches(uri: str, request: HttpRequest) -> bool:
    parts = urlsplit(uri)
    return parts.path == request.path


def _digest_user(request: HttpRequest, header: str) -> User:
    params = _parse_params(header)
    username = params.get("username", "")
    nonce = params.get("nonce", "")
    uri = params.get("uri", "")
    if params.get("realm") != settings.SRS_DIGEST_REALM or not _uri_matches(uri, request):
        raise BadCredentials()
    state = _nonce_state(nonce)
    if state == "bad":
        raise Unauthenticated()
    user = find_active_user(username=username)
    if user is None or not user.digest_ha1:
        raise BadCredentials()
    ha1 = user.digest_ha1
    algorithm = params.get("algorithm", "MD5").upper()
    if algorithm == "MD5-SESS":
        ha1 = _md5(f"{ha1}:{nonce}:{params.get('cnonce', '')}")
    elif algorithm != "MD5":
        raise BadCredentials()
    ha2 = _md5(f"{request.method}:{uri}")
    qop = params.get("qop")
    if qop == "auth":
        expected = _md5(
            f"{ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}:auth:{ha2}"
        )
    elif qop is None:
        expected = _md5(f"{ha1}:{nonce}:{ha2}")
    else:
        raise BadCredentials()
    if not hmac.compare_digest(expected, params.get("response", "")):
        raise BadCredentials()
    if state == "stale":
        # Right password, old nonce: Collect retries at once with the fresh one.
        raise Unauthenticated(stale=True)
    return user


def _basic_user(request: HttpRequest, header: str) -> User:
    if not request.is_secure():
        raise InsecureBasicAuth()
    try:
        decoded = base64.b64decode(header.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise BadCredentials() from None
    username, _, password = decoded.partition(":")
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        raise BadCredentials()
    return user


def authenticate_collector(request: HttpRequest) -> User:
    """The user behind an OpenRosa request's ``Authorization`` header.

    Raises Unauthenticated (answer 401 with a challenge) when there is none or
    it is wrong.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "digest":
        return _digest_user(request, rest)
    if scheme.lower() == "basic":
        return _basic_user(request, rest)
    raise Unauthenticated()


def authenticate_token(token: str) -> User:
    """The user of an access link; raises TokenRevoked for an unknown, revoked or inactive one."""
    found = (
        DeviceToken.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .values_list("pk", "user_id", "last_used_at")
        .first()
    )
    if found is None:
        raise TokenRevoked()
    token_pk, user_id, last_used_at = found
    user = find_active_user(user_id=user_id)
    if user is None:
        raise TokenRevoked()
    now = timezone.now()
    if last_used_at is None or (now - last_used_at).total_seconds() > 300:
        DeviceToken.objects.filter(pk=token_pk).update(last_used_at=now)
    return user
