"""Tenant schema: each tenant keeps its own record of a citizen (GDPR: its own controller)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreisportal.files import private_storage, private_upload_to


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


class PostboxMessage(models.Model):
    """A message from the authority. Delivered messages are never deleted by the authority."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="messages")
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Nachricht"))
    attachment = models.FileField(
        _("Anhang"), storage=private_storage, upload_to=private_upload_to("postfach"), blank=True
    )
    # the name the citizen's download gets; the file on disk has a random name
    attachment_name = models.CharField(_("Name des Anhangs"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("Postfachnachricht")
        verbose_name_plural = _("Postfach")

    def __str__(self) -> str:
        return self.subject
