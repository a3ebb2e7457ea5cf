"""The people who use the system, and their roles by place."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area


def digest_ha1(username: str, password: str) -> str:
    """HA1 of HTTP Digest (RFC 7616, MD5) for the OpenRosa realm."""
    text = f"{username}:{settings.SRS_DIGEST_REALM}:{password}"
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 (the protocol's hash)


class Role(models.TextChoices):
    FIELD_AGENT = "field_agent", _("Field agent")
    REVIEWER = "reviewer", _("MIS reviewer")
    COORDINATOR = "coordinator", _("SRS coordinator")
    DISTRICT_STAFF = "district_staff", _("District MIS staff")
    MONITOR = "monitor", _("Monitor")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")


class SrsUserManager(UserManager["User"]):
    def _create_user_object(
        self, username: str, email: str | None, password: str | None, **extra_fields: object
    ) -> "User":
        # Django's manager hashes the password without set_password(), and the digest needs
        # set_password(): the manager is given none, so the password is hashed once, here.
        user = super()._create_user_object(  # type: ignore[misc]  # missing from django-stubs
            username, email, None, **extra_fields
        )
        user.set_password(password)
        return user


class User(AbstractUser):
    """A person who signs in: field agents, reviewers, coordinators, staff.

    ODK Collect answers an HTTP Digest challenge, which needs
    MD5(username:realm:password) on the server; Django's password hash cannot
    give it, so it is kept beside it (as ODK Aggregate did) and renewed
    whenever the password is set.
    """

    phone_number = models.CharField(_("phone number (E.164)"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        blank=True,
        choices=[("id", "Bahasa Indonesia"), ("en", "English")],
    )

    digest_ha1 = models.CharField(max_length=32, blank=True, editable=False)

    objects = SrsUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.digest_ha1 = digest_ha1(self.username, raw_password) if raw_password else ""

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self.digest_ha1 = ""


class RoleAssignment(models.Model):
    """A role that a user holds over an area and everything below it.

    ``area`` is empty only for national monitors and administrators: the whole
    country.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="role_assignments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="role_assignment_unique"),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(area__isnull=True),
                name="role_assignment_national_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.area_id or "ID"
        return f"{self.user_id} {self.role} @ {where}"


class SignInFailure(models.Model):
    """Failed sign-ins of one account or one client address, in the embedded default.

    With Redis (production) the same counters live there (accounts/lockout.py); this
    table serves the embedded default, whose several web processes share no memory.
    """

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_ends_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key} {self.failures}"


class DigestNonceUse(models.Model):
    """The highest nonce count seen for one Digest nonce, in the embedded default.

    A request whose count is not above it is a replay (accounts/digest_nonces.py).
    """

    nonce = models.CharField(max_length=100, unique=True)
    last_count = models.BigIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.nonce} {self.last_count}"


class ApiToken(models.Model):
    """A token of the API: only its SHA-256 is kept, and it dies with the password.

    ``password_fingerprint`` is an HMAC of the user's password hash when the token
    was issued: a changed password no longer matches it (accounts/api_tokens.py).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    password_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"token {self.pk} of user {self.user_id}"
