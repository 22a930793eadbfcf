"""The Liegenschaftsauskunft as a handler of applications: an ordered extract is an application
whose form is handled by "liegenschaftsauskunft"; this class says what that means — the fee of
the product, no separate receipt, the states in the citizen's words, where the order is
followed, and the PDF (with map, owners where allowed, verification code and QR code) it is
completed with. Submission, payment, the document into private storage, the postbox message
with its e-mail notice, the audit trail and reconciliation are the application's life cycle."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop

from services.applications.handlers import AutomatedHandler, handlers
from services.applications.models import Status
from services.fulfillment.documents import render_extract
from services.fulfillment.forms import LEGAL_BASIS
from services.fulfillment.models import FEES, CadastralOrder, Product
from tenants.selectors import district_portal_url

HANDLING = "liegenschaftsauskunft"


@handlers.register(HANDLING)
class CadastralExtractHandler(AutomatedHandler):
    label = "Liegenschaftsauskunft"
    handles_applications = False  # only the district's own order page creates these cases
    sends_receipt = False  # the extract follows within seconds of the payment
    noun = (gettext_noop("Bestellung"), gettext_noop("Bestellungen"))
    status_labels = {
        Status.AWAITING_PAYMENT: gettext_noop("wartet auf Zahlung"),
        Status.PAID: gettext_noop("bezahlt, wird erstellt"),
        Status.IN_PROGRESS: gettext_noop("bezahlt, wird erstellt"),
        Status.COMPLETED: gettext_noop("zugestellt"),
        Status.REJECTED: gettext_noop("fehlgeschlagen"),
    }
    detail_route = "cadastre-status"
    # owner data asked with a legitimate interest: reviewed by a clerk (Application.review)
    review_labels = {
        Status.PAID: gettext_noop("bezahlt, wird von der Sachbearbeitung geprüft"),
        Status.IN_PROGRESS: gettext_noop("freigegeben, wird erstellt"),
        Status.REJECTED: gettext_noop("abgelehnt"),
    }

    def labels_for(self, application) -> dict[str, str]:
        if application.review:
            return {**self.status_labels, **self.review_labels}
        return self.status_labels

    def case_summary(self, application) -> list[tuple[str, str]]:
        data = application.data
        rows = [("Produkt", self.title(application)), ("Flurstück", data.get("parcel", ""))]
        if data.get("interest_statement"):
            rows += [
                ("Berechtigtes Interesse", data.get("interest_reason", "")),
                ("Begründung", data["interest_statement"]),
                (
                    "Rechtsgrundlage",
                    f"{LEGAL_BASIS}: Eigentümerangaben nur bei dargelegtem berechtigtem "
                    "Interesse – bitte prüfen, ob es glaubhaft dargelegt ist",
                ),
            ]
        return rows

    def entry_url(self, form) -> str:
        return reverse("cadastre-search")

    def fee_cents(self, application) -> int:
        return FEES[application.cadastral_order.product]

    def title(self, application) -> str:
        return str(Product(application.data["product"]).label)

    def subject(self, application) -> str:
        return f"Ihre {self.title(application)}"

    def produce(self, application) -> tuple[str, bytes, str]:
        order = CadastralOrder.objects.select_related("parcel__gemarkung").get(
            application=application
        )
        verify_url = district_portal_url(
            reverse("cadastre-verify") + f"?code={order.verification_code}"
        )
        pdf = render_extract(order, verify_url=verify_url)
        return (
            f"liegenschaftsauskunft-{order.verification_code}.pdf",
            pdf,
            f"Ihre {order.get_product_display()} für {order.parcel} liegt bei. "
            f"Prüfcode: {order.verification_code}.",
        )
