"""Per tenant, optionally: the municipality's OpenID Connect directory its staff sign in with.

Public schema, keyed by tenant (the IT team edits it in the tenant administration). The group
mappings name Wagtail groups of that tenant's schema by name; a mapping cannot reach another
tenant's groups because users and groups are always written in the signing-in tenant's schema.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import Tenant
from tenants.staff_directory.crypto import decrypt_secret, encrypt_secret


class StaffDirectory(models.Model):
    tenant = models.OneToOneField(
        Tenant,
        on_delete=models.CASCADE,
        related_name="staff_directory",
        verbose_name=_("Mandant"),
    )
    enabled = models.BooleanField(
        _("Anmeldung über das Verzeichnis eingeschaltet"),
        default=True,
        help_text=_("Ausgeschaltet bleibt nur die Anmeldung mit lokalem Passwort."),
    )
    issuer = models.URLField(
        _("Aussteller (Issuer-URL)"),
        max_length=300,
        help_text=_(
            "Die Issuer-URL des OpenID-Connect-Anbieters der Kommune, z. B. "
            "https://login.stadt.example/realms/verwaltung. Das Portal liest daraus "
            "/.well-known/openid-configuration."
        ),
    )
    client_id = models.CharField(_("Client-ID"), max_length=200)
    client_secret_encrypted = models.TextField(editable=False, blank=True, default="")
    scopes = models.CharField(
        _("Scopes"),
        max_length=200,
        default="openid profile email",
        help_text=_("Durch Leerzeichen getrennt; „openid“ ist immer dabei."),
    )
    group_claim = models.CharField(
        _("Claim mit den Gruppen"),
        max_length=100,
        default="groups",
        help_text=_(
            "Name des Claims im ID-Token, der die Gruppen der Person enthält "
            "(Liste oder Text; verschachtelt mit Punkt, z. B. realm_access.roles)."
        ),
    )
    emails_verified = models.BooleanField(
        _("E-Mail-Adressen des Verzeichnisses gelten als bestätigt"),
        default=False,
        help_text=_(
            "Nur einschalten, wenn das Verzeichnis den Claim „email_verified“ nicht sendet "
            "(z. B. Entra ID) und seine E-Mail-Adressen von der Verwaltung selbst vergeben "
            "werden. Sonst nimmt das Portal eine Einladung über das Verzeichnis nur an, wenn das "
            "ID-Token „email_verified: true“ enthält; ein gesendetes „false“ gilt immer."
        ),
    )
    updated = models.DateTimeField(_("geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Verzeichnis für die Anmeldung der Mitarbeitenden")
        verbose_name_plural = _("Verzeichnisse für die Anmeldung der Mitarbeitenden")

    def __str__(self) -> str:
        return f"{self.tenant.name}: {self.issuer}"

    @property
    def client_secret(self) -> str | None:
        """The plain secret; None when it was encrypted under another SECRET_KEY."""
        return decrypt_secret(self.client_secret_encrypted)

    def set_client_secret(self, plain: str) -> None:
        self.client_secret_encrypted = encrypt_secret(plain)

    @property
    def scope(self) -> str:
        words = self.scopes.split()
        return " ".join(["openid", *(w for w in words if w != "openid")])


class GroupMapping(models.Model):
    """A value of the group claim that grants membership of a Wagtail group of the tenant."""

    directory = models.ForeignKey(
        StaffDirectory, on_delete=models.CASCADE, related_name="group_mappings"
    )
    claim_value = models.CharField(
        _("Gruppe im Verzeichnis"),
        max_length=200,
        help_text=_("z. B. kp-redaktion (ein führender Schrägstrich wird ignoriert)"),
    )
    group_name = models.CharField(
        _("Gruppe im Portal"),
        max_length=150,
        help_text=_("Name einer Gruppe im CMS des Mandanten, z. B. Editors oder Moderators"),
    )

    class Meta:
        verbose_name = _("Zuordnung einer Gruppe")
        verbose_name_plural = _("Zuordnungen der Gruppen")
        constraints = [
            models.UniqueConstraint(
                fields=["directory", "claim_value", "group_name"],
                name="staff_directory_mapping_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claim_value} → {self.group_name}"
