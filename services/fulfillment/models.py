"""Demo cadastral register shaped like ALKIS (synthetic) and cadastral orders (tenant schema of
the district)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gemarkung(models.Model):
    number = models.CharField(max_length=6, unique=True)
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class Parcel(models.Model):
    """Flurstück: Gemarkung, Flur, Flurstücksnummer Zähler/Nenner, with a polygon in metres."""

    gemarkung = models.ForeignKey(Gemarkung, on_delete=models.CASCADE, related_name="parcels")
    flur = models.PositiveIntegerField()
    zaehler = models.PositiveIntegerField()
    nenner = models.PositiveIntegerField(null=True, blank=True)
    area_m2 = models.PositiveIntegerField()
    usage = models.CharField(max_length=80)
    address = models.CharField(max_length=200, blank=True)
    polygon = models.JSONField(help_text="[[x, y], …] in metres, local grid")

    class Meta:
        ordering = ["gemarkung__name", "flur", "zaehler", "nenner"]
        constraints = [
            models.UniqueConstraint(
                fields=["gemarkung", "flur", "zaehler", "nenner"], name="parcel_unique"
            )
        ]

    def __str__(self) -> str:
        return _("%(gemarkung)s, Flur %(flur)s, Flurstück %(number)s") % {
            "gemarkung": self.gemarkung.name,
            "flur": self.flur,
            "number": self.number,
        }

    @property
    def number(self) -> str:
        return f"{self.zaehler}/{self.nenner}" if self.nenner else str(self.zaehler)


class Owner(models.Model):
    parcel = models.ForeignKey(Parcel, on_delete=models.CASCADE, related_name="owners")
    name = models.CharField(max_length=200)
    pseudonym = models.CharField(
        max_length=200, blank=True, help_text="bPK2 of the owner, for the owner check"
    )
    share = models.CharField(max_length=20, default="1/1")

    def __str__(self) -> str:
        return self.name


class Product(models.TextChoices):
    PARCEL = "flurstuecksnachweis", _("Flurstücksnachweis")
    OWNERSHIP = "eigentumsnachweis", _("Flurstücks- und Eigentumsnachweis")
    MAP = "liegenschaftskarte", _("Liegenschaftskarte (Auszug)")


class CadastralOrder(models.Model):
    """What an ordered Liegenschaftsauskunft is about: the cadastre plugin's part of its case.

    The case itself — citizen, state, payment, document, audit trail — is an application
    (`services.applications`) whose form is handled by "liegenschaftsauskunft"
    (services.fulfillment.handler); this row adds the parcel, the product and the verification
    code printed on the extract. Its id is the application's public_id, so the order's address
    (/liegenschaftsauskunft/auftrag/<id>/) is the case's."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="cadastral_order"
    )
    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT)
    product = models.CharField(max_length=30, choices=Product.choices)
    verification_code = models.CharField(max_length=20, unique=True)

    class Meta:
        ordering = ["-application__created"]

    def __str__(self) -> str:
        return f"{self.get_product_display()} {self.parcel} ({self.application.status})"

    # the case's state, read through (the order has none of its own)
    @property
    def status(self) -> str:
        return self.application.status

    @property
    def status_label(self) -> str:
        return self.application.status_label

    @property
    def citizen(self):
        return self.application.citizen

    @property
    def payment(self):
        return self.application.payment

    @property
    def payment_id(self):
        return self.application.payment_id

    @property
    def document(self):
        return self.application.document

    @property
    def created(self):
        return self.application.created

    @property
    def completed(self):
        return self.application.completed_at

    @property
    def fee_cents(self) -> int:
        return FEES[self.product]


# Demo fees (cents). Real fees follow the NRW surveying fee schedule; these are marked as demo.
FEES = {Product.PARCEL: 1500, Product.OWNERSHIP: 2000, Product.MAP: 2500}
