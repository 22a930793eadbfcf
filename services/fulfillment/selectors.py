"""Reads on cadastral orders."""

from __future__ import annotations

from services.accounts.models import Citizen
from services.fulfillment.models import CadastralOrder


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
