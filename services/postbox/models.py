"""Tenant schema: the citizen's postbox."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from kreisportal.files import private_storage, private_upload_to
from services.accounts.models import Citizen


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
