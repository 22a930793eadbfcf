"""Cadastral orders: the checks before an order and placing it as an application of the
cadastre handler (services.fulfillment.handler). Paying, producing the PDF, delivering it and
reconciliation are the application's life cycle (services.applications.actions)."""

from __future__ import annotations

import secrets

from django.db import transaction

from kreisportal.identity import levels
from payments.models import Payment
from services.accounts.models import Citizen
from services.applications.actions import (
    ApplicationRefused,
    do_prepare_payment,
    do_save_draft,
    do_submit,
)
from services.applications.models import ApplicationForm
from services.fulfillment.handler import HANDLING
from services.fulfillment.models import FEES, CadastralOrder, Parcel, Product
from services.local.models import LocalService
from services.models import Service

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# the catalogue entry the order form belongs to ("Liegenschaftsbuch Auszug")
CADASTRE_LEIKA_KEY = "99012005033000"
CADASTRE_FORM_SLUG = "liegenschaftsauskunft-bestellung"


class OrderRefused(Exception):
    """Shown to the citizen as it is."""


def check_may_order(*, citizen: Citizen, parcel: Parcel, product: str, trust_level: str) -> None:
    """Owner data only for the verified owner at trust level substantial or higher."""
    if product not in FEES:
        raise OrderRefused("Unbekanntes Produkt.")
    if product == Product.OWNERSHIP:
        if not levels.meets(trust_level, "substantial"):
            raise OrderRefused(
                "Eigentümerdaten gibt es nur nach Anmeldung mit dem Vertrauensniveau "
                "„substanziell“ oder höher."
            )
        if not parcel.owners.filter(pseudonym=citizen.pseudonym).exists():
            raise OrderRefused(
                "Eigentümerdaten erhalten nur die Eigentümerinnen und Eigentümer des "
                "Flurstücks. Bestellen Sie stattdessen den Flurstücksnachweis."
            )


def _verification_code() -> str:
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(3))


def cadastre_form() -> ApplicationForm:
    """The district's order form of the Liegenschaftsauskunft (made on first use; the order
    page, not the generic form page, is where citizens fill it in)."""
    form = ApplicationForm.objects.filter(handling=HANDLING).first()
    if form is not None:
        return form
    service = Service.objects.get(leika_key=CADASTRE_LEIKA_KEY)
    local, _ = LocalService.objects.get_or_create(service=service, defaults={"offered": True})
    form, _ = ApplicationForm.objects.get_or_create(
        slug=CADASTRE_FORM_SLUG,
        defaults={
            "local_service": local,
            "title": "Liegenschaftsauskunft",
            "handling": HANDLING,
            "fee_cents": 0,  # the fee is the product's (handler.fee_cents)
        },
    )
    return form


@transaction.atomic
def do_place_cadastral_order(
    *, citizen: Citizen, parcel: Parcel, product: str, trust_level: str
) -> CadastralOrder:
    """Check, then open the case: an application of the cadastre handler with the order's
    parcel and product, submitted at once (its fee is then awaited)."""
    check_may_order(citizen=citizen, parcel=parcel, product=product, trust_level=trust_level)
    application = do_save_draft(
        form=cadastre_form(),
        citizen=citizen,
        values={"product": product, "parcel": str(parcel)},
        uploads={},
    )
    order = CadastralOrder.objects.create(
        id=application.public_id,
        application=application,
        parcel=parcel,
        product=product,
        verification_code=_verification_code(),
    )
    do_submit(application=application)
    return CadastralOrder.objects.select_related(
        "application__payment", "application__citizen", "parcel__gemarkung"
    ).get(pk=order.pk)


def do_prepare_order_payment(*, order: CadastralOrder) -> Payment:
    """The payment the citizen is sent to pay now (the application's; see do_prepare_payment)."""
    try:
        return do_prepare_payment(application=order.application)
    except ApplicationRefused as exc:
        raise OrderRefused(str(exc)) from exc
