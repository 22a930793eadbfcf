"""GDPR Art. 15 export on the district's portal: cadastral orders and their payments are part of
what the tenant holds about a citizen."""

from __future__ import annotations

import pytest
from django.utils import translation

from services.accounts.actions import (
    AccountKept,
    do_delete_account,
    do_sign_in_citizen,
    export_data,
    kept_records,
)


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
        with translation.override("en"):
            assert kept_records(citizen) == "1 Order, 1 Payment receipt"
            with pytest.raises(AccountKept, match=r"^Your account cannot be deleted here"):
                do_delete_account(citizen=citizen)
        with translation.override("nl"):
            assert kept_records(citizen) == "1 Bestelling, 1 Betalingsbewijs"
            # the order's state in the handler's words, in the citizen's language too
            assert order.status_label == "wacht op betaling"
        with translation.override("en"):
            assert order.status_label == "awaiting payment"
        assert order.status_label == "wartet auf Zahlung"
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


def test_the_postbox_notice_names_the_portal_and_never_the_content(
    in_tenant, mailoutbox, django_capture_on_commit_callbacks
):
    from services.postbox.actions import do_deliver_message

    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        citizen = do_sign_in_citizen(
            identity={"pseudonym": "notice", "email": "erika@example.org", "level": "basic"}
        )
        do_deliver_message(
            citizen=citizen, subject="Bescheid", body="Geheimer Inhalt 4711", notify=True
        )
        do_deliver_message(citizen=citizen, subject="Ohne Hinweis", body="x")
    [notice] = mailoutbox
    assert notice.to == ["erika@example.org"] and "Postfach" in notice.subject
    assert "Stadt Erkelenz" in notice.body and "Kreis Heinsberg" not in notice.body
    assert "4711" not in notice.body + notice.subject
