"""Authenticating ODK Collect: HTTP Digest, Basic over HTTPS, and access-link tokens.

Collect sends credentials only after a 401 with a ``WWW-Authenticate``
challenge. A Digest nonce is a timestamp signed with the secret key, stale
after ``SRS_DIGEST_NONCE_SECONDS`` (Collect then retries with the new nonce);
each of its nonce counts is accepted once (accounts/digest_nonces.py), so a
captured header cannot be sent again. Failed sign-ins count towards the
lockouts of accounts/lockout.py, the same counters as the web login's.
Basic checks the full password hash at most once in a while per process
(accounts/password_memory.py). Outside production OpenRosa may come over
plain HTTP; in production only when ``SRS_OPENROSA_ALLOW_HTTP`` says so.
"""

import base64
import binascii
import hashlib
import hmac
import logging
import re
import secrets
import time
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.access import find_active_user
from accounts.digest_nonces import admit_nonce_use
from accounts.errors import NonceReused, SignInLocked
from accounts.lockout import Lockout, client_address, record_failure, require_not_locked
from accounts.models import User
from accounts.password_memory import check_password_remembering
from audit.trail import record_change
from collector_api.errors import (
    BadCredentials,
    InsecureBasicAuth,
    InsecureConnection,
    TokenRevoked,
    Unauthenticated,
)
from collector_api.models import DeviceToken, hash_token

logger = logging.getLogger(__name__)

_PARAM_RE = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
_NONCE_COUNT_RE = re.compile(r"^[0-9a-fA-F]{1,8}$")


def _nonce_lifetime() -> int:
    return int(settings.SRS_DIGEST_NONCE_SECONDS)


def _sign(text: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"openrosa-nonce:{text}".encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(now: float | None = None) -> str:
    """A signed timestamp with a random part: each challenge gets a nonce of its own.

    Each count of a nonce is accepted once, so two phones must never share one (two
    challenges within the same second would, with the timestamp alone).
    """
    stamp = f"{int(now if now is not None else time.time())}.{secrets.token_hex(8)}"
    return f"{stamp}.{_sign(stamp)}"


def _nonce_state(nonce: str, now: float | None = None) -> str:
    """'fresh', 'stale' (well signed but old) or 'bad'."""
    stamp, _, signature = nonce.rpartition(".")
    seconds, _, unique = stamp.partition(".")
    if (
        not seconds.isdigit()
        or len(unique) != 16
        or not hmac.compare_digest(signature, _sign(stamp))
    ):
        return "bad"
    age = (now if now is not None else time.time()) - int(seconds)
    return "fresh" if -60 <= age <= _nonce_lifetime() else "stale"


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
    # The header carries the path as the client sent it (percent-encoded, "%20");
    # request.path is decoded. Compare both decoded.
    return unquote(urlsplit(uri).path) == request.path


def _refuse_failure(request: HttpRequest, *, username: str, path: str) -> Unauthenticated:
    """Count a failed sign-in; raise SignInLocked when it locked the account or address."""
    lockouts = record_failure(username=username, address=client_address(request), path=path)
    if lockouts:
        record_lockouts(lockouts)
        raise SignInLocked(retry_after=max(found.seconds for found in lockouts))
    return BadCredentials()


def record_lockouts(lockouts: list[Lockout]) -> None:
    """One audit record for each lockout that this failure started."""
    new = [found for found in lockouts if found.is_new]
    if not new:
        return
    with transaction.atomic():
        for found in new:
            record_change(actor=None, **found.audit_fields())


def _nonce_count(params: dict[str, str]) -> int:
    if params.get("qop") is None:
        # RFC 2069 Digest has no count: such a nonce is good for one request.
        return 1
    text = params.get("nc", "")
    if not _NONCE_COUNT_RE.match(text):
        raise BadCredentials()
    return int(text, 16)


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
    count = _nonce_count(params)
    user = find_active_user(username=username)
    if user is None or not user.digest_ha1:
        raise _refuse_failure(request, username=username, path="digest")
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
        raise _refuse_failure(request, username=username, path="digest")
    if state == "stale":
        # Right password, old nonce: Collect retries at once with the fresh one.
        raise Unauthenticated(stale=True)
    try:
        admit_nonce_use(
            nonce=nonce,
            count=count,
            lifetime=_nonce_lifetime(),
            username=username,
            address=client_address(request),
        )
    except NonceReused:
        # A replayed header, or a request overtaken by a later one of the same phone:
        # stale=true makes Collect answer the fresh nonce without asking the user.
        logger.warning("digest nonce count reused user_id=%s", user.pk)
        raise Unauthenticated(stale=True) from None
    return user


def _basic_user(request: HttpRequest, header: str) -> User:
    if not request.is_secure():
        raise InsecureBasicAuth()
    try:
        decoded = base64.b64decode(header.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise BadCredentials() from None
    username, _, password = decoded.partition(":")
    user = find_active_user(username=username)
    # Before the password: a locked account costs a guesser's requests no hashing.
    require_not_locked(username=username, address=client_address(request))
    if user is None:
        # As long as a wrong password takes: the answer's time must not tell a guesser
        # which usernames exist (Django's ModelBackend does the same).
        User().set_password(password)
        raise _refuse_failure(request, username=username, path="basic")
    if not check_password_remembering(user, password):
        raise _refuse_failure(request, username=username, path="basic")
    return user


def require_secure_connection(request: HttpRequest) -> None:
    """Raise InsecureConnection for plain HTTP, unless SRS_OPENROSA_ALLOW_HTTP allows it.

    Every credential of a phone (password, access link, draft test link) travels only
    over HTTPS in production.
    """
    if not request.is_secure() and not settings.SRS_OPENROSA_ALLOW_HTTP:
        raise InsecureConnection()


def authenticate_collector(request: HttpRequest) -> User:
    """The user behind an OpenRosa request's ``Authorization`` header.

    Raises InsecureConnection over plain HTTP where it is not allowed,
    Unauthenticated (answer 401 with a challenge) when there are no
    credentials or they are wrong, and SignInLocked (429) during a lockout.
    """
    require_secure_connection(request)
    header = request.headers.get("Authorization", "")
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "digest":
        return _digest_user(request, rest)
    if scheme.lower() == "basic":
        return _basic_user(request, rest)
    raise Unauthenticated()


def authenticate_token(request: HttpRequest, token: str) -> User:
    """The user of an access link; raises TokenRevoked for an unknown, revoked or inactive one.

    Unknown tokens count as failed sign-ins of the client's address, so an
    address that guesses links is locked out (SignInLocked) like one that
    guesses passwords.
    """
    require_secure_connection(request)
    address = client_address(request)
    require_not_locked(username=None, address=address)
    found = (
        DeviceToken.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .values_list("pk", "user_id", "last_used_at")
        .first()
    )
    if found is None:
        lockouts = record_failure(username=None, address=address, path="access_link")
        if lockouts:
            record_lockouts(lockouts)
            raise SignInLocked(retry_after=max(item.seconds for item in lockouts))
        raise TokenRevoked()
    token_pk, user_id, last_used_at = found
    user = find_active_user(user_id=user_id)
    if user is None:
        raise TokenRevoked()
    now = timezone.now()
    if last_used_at is None or (now - last_used_at).total_seconds() > 300:
        DeviceToken.objects.filter(pk=token_pk).update(last_used_at=now)
    return user
