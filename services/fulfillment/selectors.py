"""Reads on cadastral orders."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext

from kreisportal.http import parse_number
from services.accounts.models import Citizen
from services.applications.models import Status
from services.fulfillment.models import CadastralOrder, Gemarkung, Parcel

SEARCH_FIELDS = ("gemarkung", "flur", "flurstueck", "adresse")
MAX_PARCELS = 50


def gemarkungen() -> QuerySet[Gemarkung]:
    return Gemarkung.objects.all()


def find_parcels(params: dict[str, str]) -> tuple[list[Parcel], dict[str, str]]:
    """Parcels matching the search form (Gemarkung, Flur, Flurstück "Zähler[/Nenner]", part of
    the address), at most MAX_PARCELS; or the errors by field ("flur", "flurstueck") naming
    what is not a number (the template marks those fields and links the summary to them)."""
    query = Parcel.objects.select_related("gemarkung")
    errors: dict[str, str] = {}
    if params.get("adresse"):
        query = query.filter(address__icontains=params["adresse"][:100])
    if params.get("gemarkung"):
        query = query.filter(gemarkung__number=params["gemarkung"])
    for field, column in (("flur", "flur"), ("flurstueck", "zaehler")):
        value = params.get(field, "").split("/")[0]
        if value:
            number = parse_number(value, max_digits=9)
            if number is None:
                errors[field] = gettext("„%(value)s“ ist keine gültige Nummer.") % {
                    "value": params[field][:40]
                }
                continue
            query = query.filter(**{column: number})
    return ([] if errors else list(query[:MAX_PARCELS])), errors


def parcel(parcel_id: str) -> Parcel | None:
    number = parse_number(parcel_id)
    return Parcel.objects.filter(pk=number).first() if number is not None else None


def verified_order(code: str) -> CadastralOrder | None:
    """The delivered order with this verification code (what the QR code on an extract asks)."""
    if not code:
        return None
    return (
        CadastralOrder.objects.select_related("parcel__gemarkung", "application")
        .filter(verification_code=code, application__status=Status.COMPLETED)
        .first()
    )


def export_orders(*, citizen: Citizen, export: dict) -> None:
    """The citizen's cadastral orders in the GDPR export (services.accounts.hooks)."""
    export["cadastral_orders"] = [
        {
            "product": order.get_product_display(),
            "parcel": str(order.parcel),
            "status": order.status,
            "fee_cents": order.fee_cents,
            "verification_code": order.verification_code,
            "ordered": order.created.isoformat(),
            "completed": order.completed.isoformat() if order.completed else None,
        }
        for order in CadastralOrder.objects.filter(application__citizen=citizen).select_related(
            "parcel__gemarkung", "application"
        )
    ]
