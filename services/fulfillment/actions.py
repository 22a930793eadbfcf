"""Cadastral orders: the checks before an order and placing it as an application of the
cadastre handler (services.fulfillment.handler). Paying, producing the PDF, delivering it and
reconciliation are the application's life cycle (services.applications.actions)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from kreisportal.identity import levels
from payments.models import Payment
from services.accounts.models import Citizen
from services.applications.actions import (
    ApplicationRefused,
    do_prepare_payment,
    do_request_review,
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


class InterestRequired(OrderRefused):
    """Owner data for someone who is not the owner: a legitimate interest must be stated."""


@dataclass(frozen=True)
class Interest:
    """A stated legitimate interest (berechtigtes Interesse): the reason and the citizen's
    own words; a clerk checks it before any owner's name is given out."""

    reason: str
    statement: str


def check_may_order(
    *,
    citizen: Citizen,
    parcel: Parcel,
    product: str,
    trust_level: str,
    interest: Interest | None = None,
) -> bool:
    """May the citizen order this, and does a clerk have to look first (True)?

    Owner data only at trust level substantial or higher (the clerk must know who asks): the
    verified owner gets it at once, anyone else only with a stated legitimate interest, and
    then after a clerk's review (the NRW cadastral law gives owners' names only to those who
    show a legitimate interest). The other products need no review."""
    if product not in FEES:
        raise OrderRefused("Unbekanntes Produkt.")
    if product != Product.OWNERSHIP:
        return False
    if not levels.meets(trust_level, "substantial"):
        raise OrderRefused(
            gettext(
                "Eigentümerdaten gibt es nur nach Anmeldung mit dem Vertrauensniveau "
                "„substanziell“ oder höher."
            )
        )
    if citizen.pseudonym and parcel.owners.filter(pseudonym=citizen.pseudonym).exists():
        return False
    if interest is None or not interest.statement.strip():
        raise InterestRequired(
            gettext(
                "Die Namen der Eigentümer erhalten außer den Eigentümern selbst nur Personen, "
                "die ein berechtigtes Interesse darlegen. Die Sachbearbeitung prüft es."
            )
        )
    return True


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
    *,
    citizen: Citizen,
    parcel: Parcel,
    product: str,
    trust_level: str,
    interest: Interest | None = None,
) -> CadastralOrder:
    """Check, then open the case: an application of the cadastre handler with the order's
    parcel and product, submitted at once (its fee is then awaited). Owner data asked with a
    legitimate interest goes to a clerk after payment instead of being produced."""
    review = check_may_order(
        citizen=citizen,
        parcel=parcel,
        product=product,
        trust_level=trust_level,
        interest=interest,
    )
    values = {"product": product, "parcel": str(parcel)}
    if review:
        values |= {"interest_reason": interest.reason, "interest_statement": interest.statement}
    application = do_save_draft(form=cadastre_form(), citizen=citizen, values=values, uploads={})
    if review:
        do_request_review(
            application=application,
            message=f"Berechtigtes Interesse: {interest.reason}. {interest.statement}",
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
