"""Tenant schema: each tenant keeps its own record of a citizen (GDPR: its own controller)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Citizen(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen"
    )
    pseudonym = models.CharField(_("Pseudonym (bPK2)"), max_length=200, unique=True)
    given_name = models.CharField(_("Vorname"), max_length=120, blank=True)
    family_name = models.CharField(_("Nachname"), max_length=120, blank=True)
    birth_date = models.CharField(_("Geburtsdatum"), max_length=10, blank=True)
    street = models.CharField(_("Straße"), max_length=200, blank=True)
    postal_code = models.CharField(_("PLZ"), max_length=10, blank=True)
    locality = models.CharField(_("Ort"), max_length=120, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    # BundID's mailbox handle (legacyPostkorbHandle, OID 2.5.4.18) from the last sign-in: where
    # the federal postbox (ZBP) channel delivers. An address, never an identifier: nothing is
    # looked up or joined by it.
    mailbox_handle = models.CharField(_("Postfach-Adresse (BundID)"), max_length=200, blank=True)
    trust_level = models.CharField(_("Vertrauensniveau"), max_length=20)
    created = models.DateTimeField(auto_now_add=True)
    last_login = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Bürgerkonto")
        verbose_name_plural = _("Bürgerkonten")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or self.pseudonym
