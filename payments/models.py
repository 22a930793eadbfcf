"""Payments (tenant schema). Amounts are integer cents, currency EUR."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("offen")
        PAID = "paid", _("bezahlt")
        FAILED = "failed", _("fehlgeschlagen")
        CANCELLED = "cancelled", _("abgebrochen")
        REFUNDED = "refunded", _("erstattet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    provider = models.CharField(max_length=30)
    provider_reference = models.CharField(max_length=200, blank=True, db_index=True)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    purpose = models.CharField(_("Verwendungszweck"), max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    payer = models.ForeignKey("accounts.Citizen", null=True, blank=True, on_delete=models.SET_NULL)
    method = models.CharField(max_length=20, blank=True)  # card, paypal
    # what the payment pays for: the owner kind registered in payments.owners ("application", …)
    pays_for = models.CharField(_("bezahlt für"), max_length=40, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # A new attempt for the same purpose (the earlier one failed, was cancelled or was started at
    # the provider already) points back to the attempt it replaces. The earlier rows stay as
    # records; a late "paid" on one of them is found through this chain (`selectors.attempts`).
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("ersetzt Zahlung"),
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("Zahlung")
        verbose_name_plural = _("Zahlungen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="payment_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.amount_cents / 100:.2f} {self.currency} ({self.status})"


class PaymentEvent(models.Model):
    """Every booking event, once: a replayed webhook or a double click finds its event id here."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"
