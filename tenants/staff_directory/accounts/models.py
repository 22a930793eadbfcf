"""Per tenant schema: what the portal itself decided about an account that signs in through the
municipality's directory (tenants.staff_directory)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models

SWITCHED_OFF_BY_DIRECTORY = "directory"
SWITCHED_OFF_BY_PORTAL = "portal"


class DirectoryAccount(models.Model):
    """One directory account of this tenant. `invited_groups` are the groups an editorial
    invitation accepted through the directory granted: kept at later sign-ins beside the mapped
    ones until the portal's administration takes them away (removes the group from the user or
    switches the account off; tenants.staff_directory.accounts.signals). `switched_off_by` says
    who switched an inactive account off: only an account the directory switched off is switched
    on again by a later sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_account"
    )
    invited_groups = models.ManyToManyField(Group, blank=True, related_name="+")
    invitation_id = models.PositiveBigIntegerField(null=True, blank=True)
    switched_off_by = models.CharField(
        max_length=10,
        blank=True,
        default="",
        choices=[
            ("", "—"),
            (SWITCHED_OFF_BY_DIRECTORY, "Verzeichnis"),
            (SWITCHED_OFF_BY_PORTAL, "Verwaltung des Portals"),
        ],
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Konto aus dem Verzeichnis"
        verbose_name_plural = "Konten aus dem Verzeichnis"

    def __str__(self) -> str:
        return str(self.user)
