"""Phones: their access links (tokens) and the devices seen."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from forms.models import FormVersion


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class DeviceToken(models.Model):
    """An access link for one phone: ``/key/<token>/`` acts as the user, until revoked.

    Only the token's SHA-256 is stored; the token itself is shown once, in the
    QR code that configures the phone.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_tokens"
    )
    label = models.CharField(_("label"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("phone access link")
        verbose_name_plural = _("phone access links")

    def __str__(self) -> str:
        return f"{self.label} ({self.user_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Device(models.Model):
    """A phone that has talked to the server (Collect's ``deviceID``) for a user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    device_id = models.CharField(max_length=255)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "device_id"], name="device_user_device_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.device_id


class DraftTestLink(models.Model):
    """A link that lets a phone test one draft: ``/draft/<token>/`` serves only that draft.

    The token is the credential (no user signs in on the test phone); only its
    SHA-256 is stored and the token is shown once, in the QR code. The link
    works while the draft is a draft and the link is not revoked.
    """

    form_version = models.ForeignKey(
        FormVersion, on_delete=models.CASCADE, related_name="test_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("draft test link")
        verbose_name_plural = _("draft test links")

    def __str__(self) -> str:
        return f"draft test link {self.pk} of form version {self.form_version_id}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
