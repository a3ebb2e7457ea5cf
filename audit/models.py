"""The audit trail: who changed what, where, from which request or task."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One state change, written in the same transaction as the change itself.

    The trail sits below every app (each writes to it) and outlives what it
    describes: the actor and the object are kept as identifiers and labels,
    not foreign keys, so deleting a draft or a user never deletes its history.
    Records are only ever added.
    """

    at = models.DateTimeField(_("when"))
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(_("object"), max_length=255)
    # The area the object belongs to (a questionnaire's owner, a role's area, an agent's
    # village), by which auditors of a district read the trail; empty: national.
    area_code = models.CharField(_("area"), max_length=13, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # "web POST /questionnaires/…", "api …", "openrosa …", "task …", "command …"
    source = models.CharField(_("from"), max_length=255)
    request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [
            models.Index(fields=["area_code", "-at"], name="audit_area_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["-at"], name="audit_at"),
            # One reader's recent records of one kind: the hourly limit of reveals.
            models.Index(fields=["actor_id", "action", "-at"], name="audit_actor_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"
