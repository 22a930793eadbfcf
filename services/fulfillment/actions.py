"""Cadastral orders: place (with payment), fulfil (PDF into the postbox, e-mail notice)."""

from __future__ import annotations

import io
import logging
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from kreisportal.identity import levels
from payments.actions import PaymentError, do_create_payment, do_next_attempt
from payments.models import Payment
from services.accounts.actions import do_deliver_message
from services.accounts.models import Citizen
from services.fulfillment.models import CadastralOrder, Parcel, Product

# Demo fees (cents). Real fees follow the NRW surveying fee schedule; these are marked as demo.
FEES = {Product.PARCEL: 1500, Product.OWNERSHIP: 2000, Product.MAP: 2500}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


logger = logging.getLogger(__name__)


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


# the owner kind of cadastral order fees (payments.owners; registered in apps.py)
PAYS_FOR_CADASTRAL_ORDER = "cadastral_order"


@transaction.atomic
def do_place_cadastral_order(
    *, citizen: Citizen, parcel: Parcel, product: str, trust_level: str
) -> CadastralOrder:
    check_may_order(citizen=citizen, parcel=parcel, product=product, trust_level=trust_level)
    payment = do_create_payment(
        provider=settings.PAYMENT_PROVIDER,
        amount_cents=FEES[product],
        payer=citizen,
        purpose=f"{Product(product).label}, {parcel}",
        pays_for=PAYS_FOR_CADASTRAL_ORDER,
    )
    return CadastralOrder.objects.create(
        citizen=citizen,
        parcel=parcel,
        product=product,
        fee_cents=FEES[product],
        payment=payment,
        verification_code=_verification_code(),
    )


@transaction.atomic
def do_prepare_order_payment(*, order: CadastralOrder) -> Payment:
    """The payment the citizen is sent to pay now: the order's open payment, or after a failed
    or cancelled attempt (or one already handed to a provider) a new one that replaces it —
    linked in this transaction with the order's row locked; the earlier payment stays as a
    record (its "replaced" event names the successor). The caller starts it after commit."""
    order = CadastralOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if order.status != CadastralOrder.Status.AWAITING_PAYMENT:
        raise OrderRefused("Diese Bestellung wartet nicht auf eine Zahlung.")
    try:
        payment, is_new = do_next_attempt(
            payment_id=order.payment_id, provider=settings.PAYMENT_PROVIDER
        )
    except PaymentError as exc:
        raise OrderRefused(
            "Die Bestellung ist bereits bezahlt. Das Dokument wird gerade erstellt."
        ) from exc
    if is_new:
        order.payment = payment
        order.save(update_fields=["payment"])
        logger.info("cadastral order %s: new payment attempt %s", order.pk, payment.pk)
    return payment


@transaction.atomic
def do_settle_order_payment(*, payment: Payment) -> CadastralOrder | None:
    """The order a booked payment pays for, to be fulfilled now, or None.

    The payment may be any attempt of the order's chain: an earlier, replaced attempt paid
    after all becomes the order's payment while the order still awaits payment; when the order
    is paid already it is refunded (after commit) and None is returned. The order's row lock
    serialises concurrent bookings, so one payment is kept, whichever arrives first.
    """
    from payments.selectors import attempt_ids

    order = (
        CadastralOrder.objects.select_for_update(of=("self",))
        .select_related("payment")
        .filter(payment_id__in=attempt_ids(payment))
        .first()
    )
    if order is None:
        return None
    payment = Payment.objects.get(pk=payment.pk)
    if payment.status != Payment.Status.PAID:
        return None
    if order.payment_id != payment.pk:
        if (
            order.status == CadastralOrder.Status.AWAITING_PAYMENT
            and order.payment.status != Payment.Status.PAID
        ):
            order.payment = payment
            order.save(update_fields=["payment"])
            logger.info("cadastral order %s: earlier attempt %s paid", order.pk, payment.pk)
        else:
            from kreisportal.tasks import dispatch
            from payments.tasks import refund_payment

            logger.warning(
                "cadastral order %s paid twice: payment %s refunded", order.pk, payment.pk
            )
            dispatch(refund_payment, str(payment.pk), f"Bestellung {order.pk}: doppelt bezahlt")
            return None
    return order


def map_svg(parcel: Parcel, *, width_mm: float = 160, height_mm: float = 105) -> str:
    """The parcel and its neighbours in the same Flur, scale bar and north arrow, as SVG."""
    neighbours = list(
        Parcel.objects.filter(gemarkung=parcel.gemarkung, flur=parcel.flur).exclude(pk=parcel.pk)
    )
    xs = [x for x, _ in parcel.polygon]
    ys = [y for _, y in parcel.polygon]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) * 3 or 100
    scale = min(width_mm, height_mm) / span  # mm per metre

    def project(points):
        return " ".join(
            f"{width_mm / 2 + (x - cx) * scale:.2f},{height_mm / 2 - (y - cy) * scale:.2f}"
            for x, y in points
        )

    shapes = [
        f'<polygon points="{project(n.polygon)}" fill="#f2f2f2" stroke="#777" stroke-width="0.3"/>'
        for n in neighbours
    ]
    shapes.append(
        f'<polygon points="{project(parcel.polygon)}" fill="#ffd8a8" stroke="#b00" '
        'stroke-width="0.8"/>'
    )
    bar_m = next(v for v in (5, 10, 20, 25, 50, 100, 200, 500) if v * scale >= 15)
    bar_mm = bar_m * scale
    scale_ratio = round(1000 / scale)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" width="{width_mm}mm" height="{height_mm}mm"
 viewBox="0 0 {width_mm} {height_mm}" role="img" aria-label="Lageplan">
<rect width="{width_mm}" height="{height_mm}" fill="#fff" stroke="#000" stroke-width="0.3"/>
{"".join(shapes)}
<g transform="translate(8,{height_mm - 8})"><rect width="{bar_mm:.2f}" height="2" fill="#000"/>
<text y="-2" font-size="3">0</text>
<text x="{bar_mm:.2f}" y="-2" font-size="3" text-anchor="end">{bar_m} m</text>
<text y="6" font-size="3">Maßstab ca. 1:{scale_ratio}</text></g>
<g transform="translate({width_mm - 12},14)"><polygon points="0,-9 4,4 0,1 -4,4" fill="#000"/>
<text y="9" font-size="4" text-anchor="middle">N</text></g>
</svg>"""


def qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def render_pdf(order: CadastralOrder, *, verify_url: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "fulfillment/extract.html",
        {
            "order": order,
            "parcel": order.parcel,
            "map_svg": map_svg(order.parcel),
            "qr_svg": qr_svg(verify_url),
            "verify_url": verify_url,
            "owners": list(order.parcel.owners.all()) if order.product == Product.OWNERSHIP else [],
            "now": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()


def district_base_url() -> str:
    """The district portal's address, with the scheme and port of the public URL."""
    from urllib.parse import urlsplit

    from tenants.models import Domain, Tenant

    public = urlsplit(settings.PUBLIC_URL)
    domain = (
        Domain.objects.filter(tenant__kind=Tenant.Kind.DISTRICT, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    port = f":{public.port}" if public.port else ""
    return f"{public.scheme}://{domain}{port}"


def do_fulfil_cadastral_order(*, order: CadastralOrder, verify_base: str = "") -> CadastralOrder:
    """No clerk: PDF, postbox, e-mail notice. Idempotent (a completed order is left alone)."""
    if order.status == CadastralOrder.Status.COMPLETED:
        return order
    if order.payment.status != "paid":
        raise OrderRefused("Die Bestellung ist noch nicht bezahlt.")
    verify_url = (
        f"{verify_base or district_base_url()}/liegenschaftsauskunft/pruefen/"
        f"?code={order.verification_code}"
    )
    pdf = render_pdf(order, verify_url=verify_url)
    filename = f"liegenschaftsauskunft-{order.verification_code}.pdf"
    with transaction.atomic():
        order = CadastralOrder.objects.select_for_update().get(pk=order.pk)
        if order.status == CadastralOrder.Status.COMPLETED:
            return order
        order.document.save(filename, ContentFile(pdf), save=False)
        order.status = CadastralOrder.Status.COMPLETED
        order.completed = timezone.now()
        order.save()
        do_deliver_message(
            citizen=order.citizen,
            subject=f"Ihre {order.get_product_display()}",
            body=(
                f"Ihre {order.get_product_display()} für {order.parcel} liegt bei. "
                f"Prüfcode: {order.verification_code}."
            ),
            attachment=(filename, pdf),
            notify=True,
        )
    return order
