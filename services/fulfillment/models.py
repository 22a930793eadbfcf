"""Demo cadastral register shaped like ALKIS (synthetic) and cadastral orders (tenant schema of
the district)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from kreisportal.files import private_storage, private_upload_to


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
        return f"{self.gemarkung.name}, Flur {self.flur}, Flurstück {self.number}"

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
    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("wartet auf Zahlung")
        PAID = "paid", _("bezahlt, wird erstellt")
        COMPLETED = "completed", _("zugestellt")
        FAILED = "failed", _("fehlgeschlagen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    citizen = models.ForeignKey(
        "accounts.Citizen", on_delete=models.PROTECT, related_name="cadastral_orders"
    )
    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT)
    product = models.CharField(max_length=30, choices=Product.choices)
    fee_cents = models.PositiveIntegerField()
    payment = models.OneToOneField("payments.Payment", on_delete=models.PROTECT)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT
    )
    verification_code = models.CharField(max_length=20, unique=True)
    document = models.FileField(
        storage=private_storage, upload_to=private_upload_to("liegenschaftsauskunft"), blank=True
    )
    created = models.DateTimeField(auto_now_add=True)
    completed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.get_product_display()} {self.parcel} ({self.status})"
