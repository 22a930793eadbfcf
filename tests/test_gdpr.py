"""GDPR Art. 15 export on the district's portal: cadastral orders and their payments are part of
what the tenant holds about a citizen."""

from __future__ import annotations

from services.accounts.actions import do_sign_in_citizen, export_data, kept_records


def test_export_lists_cadastral_orders_and_payments(in_tenant):
    from services.fulfillment.actions import do_place_cadastral_order
    from services.fulfillment.models import Parcel

    with in_tenant("kreis"):
        citizen = do_sign_in_citizen(identity={"pseudonym": "gdpr-export", "level": "high"})
        parcel = Parcel.objects.select_related("gemarkung").first()
        order = do_place_cadastral_order(
            citizen=citizen, parcel=parcel, product="flurstuecksnachweis", trust_level="high"
        )
        exported = export_data(citizen)
        assert kept_records(citizen) == "1 Bestellung, 1 Zahlungsbeleg"
    assert exported["cadastral_orders"] == [
        {
            "product": "Flurstücksnachweis",
            "parcel": str(parcel),
            "status": "awaiting_payment",
            "fee_cents": order.fee_cents,
            "verification_code": order.verification_code,
            "ordered": order.created.isoformat(),
            "completed": None,
        }
    ]
    [payment] = exported["payments"]
    assert payment["amount_cents"] == order.fee_cents
    assert payment["status"] == "pending"
