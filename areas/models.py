"""The administrative areas of Indonesia, with their Kemendagri codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency / city")
    SUBDISTRICT = "subdistrict", _("Sub-district (kecamatan)")
    VILLAGE = "village", _("Village (desa/kelurahan)")


class Area(models.Model):
    """An administrative area with its Kemendagri code.

    Codes are hierarchical: ``35`` ⊃ ``35.07`` ⊃ ``35.07.24`` ⊃ ``35.07.24.2001``,
    so "this area and everything below it" is ``code = X or code LIKE 'X.%'``,
    answered from the primary-key index (PostgreSQL also gets a pattern-ops
    index for LIKE on a varchar primary key).
    """

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["level", "code"], name="area_level_code")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def contains(self, code: str) -> bool:
        return code == self.code or code.startswith(self.code + ".")
