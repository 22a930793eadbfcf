"""Payments (tenant schema). Amounts are integer cents, currency EUR."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from payments.amounts import euro


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

    # what the cash office books the fee to (XBezahldienste `bookingData`): e.g.
    # {"costCentre": "…", "account": "…"}, from the service when the payment is created
    booking_data = models.JSONField(_("Buchungsdaten"), default=dict, blank=True)

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


# The registered providers (payments.providers.registry), named here because the registry
# imports this module; tests/payments/test_xbezahldienste.py checks that both lists agree.
PROVIDER_CHOICES = [
    ("", _("Vorgabe der Plattform")),
    ("sandbox", _("Testzahlung (Sandbox)")),
    ("paypal", "PayPal"),
    ("card", _("Kreditkarte")),
    ("xbezahldienste", _("XBezahldienste (ePayBL)")),
]


@register_setting(icon="form")
class PaymentSettings(BaseGenericSetting):
    """The tenant's choice of payment provider and its cash office at an XBezahldienste
    platform (one row per tenant schema). Secrets stay in the environment, never here."""

    provider = models.CharField(
        _("Zahlungsanbieter"),
        max_length=30,
        blank=True,
        choices=PROVIDER_CHOICES,
        help_text=_("Leer: die Vorgabe der Plattform (PAYMENT_PROVIDER)."),
    )
    xbezahldienste_endpoint_id = models.CharField(
        _("XBezahldienste: Endpunkt-ID (Kasse)"),
        max_length=100,
        blank=True,
        help_text=_("Vom Bezahldienst vergeben, z. B. der Regionalschlüssel der Kasse."),
    )
    xbezahldienste_originator_id = models.CharField(
        _("XBezahldienste: Originator-ID"),
        max_length=100,
        blank=True,
        help_text=_("Leer: die Originator-ID der Plattform."),
    )
    default_cost_centre = models.CharField(
        _("Kostenstelle (Vorgabe)"),
        max_length=60,
        blank=True,
        help_text=_("Gilt für Gebühren, deren Leistung keine eigene Kostenstelle nennt."),
    )
    default_account = models.CharField(
        _("Sachkonto/Haushaltsstelle (Vorgabe)"), max_length=60, blank=True
    )

    class Meta:
        verbose_name = _("Zahlungseinstellungen")


class ManualRefund(models.Model):
    """A refund the payment platform cannot do (XBezahldienste 1.0 has no refund call): the
    cash office pays it back by hand, staff mark it done. One per payment."""

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="manual_refund")
    reason = models.CharField(_("Grund"), max_length=200, blank=True)
    created = models.DateTimeField(_("angelegt"), auto_now_add=True)
    done_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    done_by = models.CharField(_("erledigt von"), max_length=150, blank=True)

    class Meta:
        ordering = ["done_at", "-created"]
        verbose_name = _("manuelle Erstattung")
        verbose_name_plural = _("manuelle Erstattungen")

    def __str__(self) -> str:
        return f"{self.payment.purpose}: {euro(self.payment.amount_cents)}"


class SandboxTransaction(models.Model):
    """State of the portal's own XBezahldienste sandbox platform (demo and tests, no money
    moves): what a real platform keeps on its side of the interface."""

    class Status(models.TextChoices):
        INITIAL = "INITIAL"
        PAYED = "PAYED"
        FAILED = "FAILED"
        CANCELED = "CANCELED"

    transaction_id = models.CharField(max_length=44, unique=True)
    originator_id = models.CharField(max_length=100)
    endpoint_id = models.CharField(max_length=100)
    request_id = models.CharField(max_length=36)  # the online service's requestId
    request = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INITIAL)
    payment_method = models.CharField(max_length=20, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Sandbox-Bezahlvorgang")
        constraints = [
            models.UniqueConstraint(
                fields=["originator_id", "endpoint_id", "request_id"],
                name="sandbox_xbd_request_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} {self.status}"
