"""Card payments through Stripe Checkout with the official `stripe` package; webhooks verified
with the endpoint's signing secret. Configured by STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET
(STRIPE_API_BASE only for tests against a local fake)."""

from __future__ import annotations

import stripe
from django.conf import settings
from django.http import HttpRequest
from django.utils.http import urlencode

from payments.models import Payment
from payments.providers import (
    PaymentProvider,
    ProviderError,
    Redirect,
    WebhookEvent,
    WebhookRefused,
    registry,
)
from payments.webhooks import BadWebhookBody, field, parse_webhook_body

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


def _client() -> stripe.StripeClient:
    kwargs = {}
    if settings.STRIPE_API_BASE:
        kwargs["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, max_network_retries=0, **kwargs)


@registry.register("card")
class StripeCardProvider(PaymentProvider):
    label = "Kreditkarte"
    webhook_name = "stripe"

    def start(self, payment: Payment, request: HttpRequest, *, return_path: str) -> Redirect:
        back = request.build_absolute_uri(f"{return_path}")
        try:
            session = _client().v1.checkout.sessions.create(
                params={
                    "mode": "payment",
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": payment.currency.lower(),
                                "unit_amount": payment.amount_cents,
                                "product_data": {"name": payment.purpose[:250]},
                            },
                        }
                    ],
                    "client_reference_id": str(payment.pk),
                    "metadata": {"payment_id": str(payment.pk)},
                    "success_url": back,
                    "cancel_url": f"{back}?{urlencode({'abbruch': 1})}",
                }
            )
        except stripe.StripeError as exc:
            raise ProviderError(
                f"Stripe refused the checkout session: {exc.__class__.__name__}"
            ) from exc
        return Redirect(session.url, reference=session.id)

    def fetch_outcome(self, payment: Payment) -> str | None:
        session = _client().v1.checkout.sessions.retrieve(payment.provider_reference)
        if session.payment_status == "paid":
            return "paid"
        return "cancelled" if session.status == "expired" else None

    def refund(self, payment: Payment) -> str:
        """Refund the session's PaymentIntent in full; the idempotency key makes a retry safe."""
        client = _client()
        try:
            session = client.v1.checkout.sessions.retrieve(payment.provider_reference)
            refund = client.v1.refunds.create(
                params={"payment_intent": session.payment_intent},
                options={"idempotency_key": f"refund-{payment.pk}"},
            )
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe refused the refund: {exc.__class__.__name__}") from exc
        return refund.id

    def parse_webhook(self, *, payload: bytes, signature: str) -> dict:
        """The event as a plain JSON object, after its signature is verified on the raw bytes.
        A signed body that is not a JSON object of sane depth is refused all the same
        (ProviderError), never a RecursionError or AttributeError further down."""
        try:
            stripe.WebhookSignature.verify_header(
                payload, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise ProviderError("invalid Stripe webhook signature or payload") from exc
        try:
            event = parse_webhook_body(payload)
        except BadWebhookBody as exc:
            raise ProviderError(f"invalid Stripe webhook payload: {exc}") from exc
        if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
            raise ProviderError("invalid Stripe webhook payload: no event id or type")
        return event

    def handle_webhook(self, request: HttpRequest) -> list[WebhookEvent]:
        """A completed (or asynchronously succeeded) checkout session that is paid books its
        payment; the signature covers the raw bytes and is checked before anything is read."""
        try:
            event = self.parse_webhook(
                payload=request.body, signature=request.headers.get("Stripe-Signature", "")
            )
        except ProviderError as exc:
            raise WebhookRefused(str(exc)) from exc
        if event["type"] not in PAID_EVENTS:
            return []
        session = field(event, "data", "object")
        session = session if isinstance(session, dict) else {}
        session_id = session.get("id")
        if not isinstance(session_id, str) or not session_id:
            return []
        if session.get("payment_status") != "paid":
            return []
        return [
            WebhookEvent(
                reference=session_id,
                event_id=f"stripe:{event['id']}",
                outcome="paid",
                method="card",
                kind=event["type"],
            )
        ]
