"""PayPal, Orders v2 REST API: create order → citizen approves at PayPal → capture on return;
webhooks verified through PayPal's verify-webhook-signature call. Configured by
PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID, PAYPAL_API_BASE (sandbox default)."""

from __future__ import annotations

import logging

import requests
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

logger = logging.getLogger(__name__)

TIMEOUT = 15


def _euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@registry.register("paypal")
class PayPalProvider(PaymentProvider):
    label = "PayPal"
    webhook_name = "paypal"

    def _token(self) -> str:
        try:
            response = requests.post(
                f"{settings.PAYPAL_API_BASE}/v1/oauth2/token",
                data={"grant_type": "client_credentials"},
                auth=(settings.PAYPAL_CLIENT_ID, settings.PAYPAL_CLIENT_SECRET),
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ProviderError(f"PayPal unreachable: {exc.__class__.__name__}") from exc
        if response.status_code != 200:
            raise ProviderError(f"PayPal token request answered {response.status_code}")
        return response.json()["access_token"]

    def _call(self, method: str, path: str, *, extra_headers: dict | None = None, **kwargs) -> dict:
        headers = {
            "Authorization": f"Bearer {self._token()}",
            "Content-Type": "application/json",
            **(extra_headers or {}),
        }
        try:
            response = requests.request(
                method,
                f"{settings.PAYPAL_API_BASE}{path}",
                headers=headers,
                timeout=TIMEOUT,
                **kwargs,
            )
        except requests.RequestException as exc:
            raise ProviderError(f"PayPal unreachable: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            raise ProviderError(f"PayPal {path} answered {response.status_code}")
        return response.json()

    def start(self, payment: Payment, request: HttpRequest, *, return_path: str) -> Redirect:
        query = urlencode({"zahlung": payment.pk, "zurueck": return_path})
        back = request.build_absolute_uri(f"/zahlung/paypal/rueckkehr/?{query}")
        order = self._call(
            "POST",
            "/v2/checkout/orders",
            json={
                "intent": "CAPTURE",
                "purchase_units": [
                    {
                        "reference_id": str(payment.pk),
                        "description": payment.purpose[:127],
                        "amount": {
                            "currency_code": payment.currency,
                            "value": _euros(payment.amount_cents),
                        },
                    }
                ],
                "application_context": {
                    "return_url": back,
                    "cancel_url": back + "&abbruch=1",
                    "user_action": "PAY_NOW",
                    "shipping_preference": "NO_SHIPPING",
                },
            },
        )
        approve = next(
            link["href"] for link in order["links"] if link["rel"] in ("approve", "payer-action")
        )
        return Redirect(approve, reference=order["id"])

    def capture(self, payment: Payment) -> tuple[str, str]:
        """(outcome, capture id)."""
        result = self._call(
            "POST", f"/v2/checkout/orders/{payment.provider_reference}/capture", json={}
        )
        capture = result["purchase_units"][0]["payments"]["captures"][0]
        return ("paid" if capture["status"] == "COMPLETED" else "failed"), capture["id"]

    def fetch_outcome(self, payment: Payment) -> str | None:
        order = self._call("GET", f"/v2/checkout/orders/{payment.provider_reference}")
        return {"COMPLETED": "paid", "VOIDED": "cancelled"}.get(order.get("status"))

    def refund(self, payment: Payment) -> str:
        """Refund the order's capture in full. PayPal-Request-Id makes a retry refund nothing
        twice."""
        order = self._call("GET", f"/v2/checkout/orders/{payment.provider_reference}")
        try:
            capture_id = order["purchase_units"][0]["payments"]["captures"][0]["id"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ProviderError("PayPal order has no capture to refund") from exc
        result = self._call(
            "POST",
            f"/v2/payments/captures/{capture_id}/refund",
            json={},
            extra_headers={"PayPal-Request-Id": f"refund-{payment.pk}"},
        )
        if result.get("status") not in {"COMPLETED", "PENDING"}:
            raise ProviderError(f"PayPal refund {result.get('status')}")
        return result["id"]

    def verify_webhook(self, *, headers: dict, body: dict) -> bool:
        result = self._call(
            "POST",
            "/v1/notifications/verify-webhook-signature",
            json={
                "auth_algo": headers.get("PAYPAL-AUTH-ALGO", ""),
                "cert_url": headers.get("PAYPAL-CERT-URL", ""),
                "transmission_id": headers.get("PAYPAL-TRANSMISSION-ID", ""),
                "transmission_sig": headers.get("PAYPAL-TRANSMISSION-SIG", ""),
                "transmission_time": headers.get("PAYPAL-TRANSMISSION-TIME", ""),
                "webhook_id": settings.PAYPAL_WEBHOOK_ID,
                "webhook_event": body,
            },
        )
        return result.get("verification_status") == "SUCCESS"

    def handle_webhook(self, request: HttpRequest) -> list[WebhookEvent]:
        """PAYMENT.CAPTURE.COMPLETED books the order's payment; the event is verified with
        PayPal's verify-webhook-signature call first."""
        try:
            body = parse_webhook_body(request.body)
        except BadWebhookBody as exc:
            raise WebhookRefused(str(exc)) from exc
        try:
            verified = self.verify_webhook(headers=request.headers, body=body)
        except ProviderError as exc:
            raise WebhookRefused("verification unavailable, retry later", status=503) from exc
        if not verified:
            logger.warning("PayPal webhook with an invalid signature refused")
            raise WebhookRefused("invalid signature")
        if body.get("event_type") != "PAYMENT.CAPTURE.COMPLETED":
            return []
        order_id = field(body, "resource", "supplementary_data", "related_ids", "order_id")
        if not isinstance(order_id, str) or not order_id:
            return []
        return [
            WebhookEvent(
                reference=order_id,
                event_id=f"paypal:event:{body.get('id')}",
                outcome="paid",
                method="paypal",
                kind="PAYMENT.CAPTURE.COMPLETED",
            )
        ]
