"""PayPal (Orders v2) and card (Stripe Checkout) faked only at the HTTP boundary: local servers
answering with the providers' documented payloads; webhook signatures as documented."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from payments.actions import do_book_payment_event, do_create_payment, do_start_payment
from payments.models import Payment, PaymentEvent
from payments.tasks import reconcile_pending_payments

BASE = django_settings.BASE_DOMAIN
KREIS = f"kreis.{BASE}"
WEBHOOK_SECRET = "whsec_test_kreisportal"


class FakeAPI(BaseHTTPRequestHandler):
    calls: list[tuple[str, str]] = []
    idempotency_keys: list[str] = []

    def _send(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        FakeAPI.calls.append((method, self.path))
        for header in ("PayPal-Request-Id", "Idempotency-Key"):
            if self.headers.get(header):
                FakeAPI.idempotency_keys.append(self.headers[header])
        path = self.path.split("?")[0]
        if path == "/v1/oauth2/token":
            return self._send(
                {"access_token": "A21AAFake", "token_type": "Bearer", "expires_in": 32400}
            )
        if method == "POST" and path == "/v2/checkout/orders":
            return self._send(
                {
                    "id": "5O190127TN364715T",
                    "status": "CREATED",
                    "links": [
                        {
                            "href": "https://www.sandbox.paypal.com/checkoutnow?token=5O190127TN364715T",
                            "rel": "payer-action",
                            "method": "GET",
                        }
                    ],
                },
                201,
            )
        if method == "POST" and re.match(r"^/v2/checkout/orders/[^/]+/capture$", path):
            return self._send(
                {
                    "id": "5O190127TN364715T",
                    "status": "COMPLETED",
                    "purchase_units": [
                        {
                            "payments": {
                                "captures": [{"id": "3C679366HH908993F", "status": "COMPLETED"}]
                            }
                        }
                    ],
                },
                201,
            )
        if method == "GET" and path.startswith("/v2/checkout/orders/"):
            return self._send(
                {
                    "id": path.rsplit("/", 1)[1],
                    "status": "COMPLETED",
                    "purchase_units": [
                        {
                            "payments": {
                                "captures": [{"id": "3C679366HH908993F", "status": "COMPLETED"}]
                            }
                        }
                    ],
                }
            )
        if method == "POST" and re.match(r"^/v2/payments/captures/[^/]+/refund$", path):
            return self._send({"id": "1JU08902781691411", "status": "COMPLETED"}, 201)
        if method == "POST" and path == "/v1/refunds":
            return self._send(
                {
                    "id": "re_1Nispe2eZvKYlo2Cd31jOCgZ",
                    "object": "refund",
                    "amount": 2500,
                    "currency": "eur",
                    "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
                    "status": "succeeded",
                }
            )
        if path == "/v1/notifications/verify-webhook-signature":
            sig = json.loads(raw).get("transmission_sig")
            return self._send(
                {"verification_status": "SUCCESS" if sig == "valid-signature" else "FAILURE"}
            )
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._send(
                {
                    "id": "cs_test_a1b2",
                    "object": "checkout.session",
                    "payment_status": "unpaid",
                    "status": "open",
                    "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2",
                }
            )
        if method == "GET" and path.startswith("/v1/checkout/sessions/"):
            return self._send(
                {
                    "id": path.rsplit("/", 1)[1],
                    "object": "checkout.session",
                    "payment_status": "paid",
                    "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
                    "status": "complete",
                    "url": None,
                }
            )
        return self._send({"error": "not found"}, 404)

    def do_GET(self):  # noqa: N802
        self._route("GET")

    def do_POST(self):  # noqa: N802
        self._route("POST")

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_api(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    settings.PAYPAL_API_BASE = url
    settings.PAYPAL_CLIENT_ID, settings.PAYPAL_CLIENT_SECRET, settings.PAYPAL_WEBHOOK_ID = (
        "id",
        "secret",
        "WH-1",
    )
    settings.STRIPE_API_BASE = url
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    FakeAPI.calls = []
    FakeAPI.idempotency_keys = []
    yield url
    server.shutdown()


def _request():
    return RequestFactory().get("/", HTTP_HOST=KREIS)


def _paypal_webhook(client, signature: str = "valid-signature", event_id: str = "WH-EVT-1"):
    body = {
        "id": event_id,
        "event_type": "PAYMENT.CAPTURE.COMPLETED",
        "resource": {
            "id": "3C679366HH908993F",
            "status": "COMPLETED",
            "supplementary_data": {"related_ids": {"order_id": "5O190127TN364715T"}},
        },
    }
    return client.post(
        "/zahlung/webhooks/paypal/",
        json.dumps(body),
        content_type="application/json",
        HTTP_HOST=KREIS,
        HTTP_PAYPAL_TRANSMISSION_SIG=signature,
        HTTP_PAYPAL_TRANSMISSION_ID="t-1",
        HTTP_PAYPAL_AUTH_ALGO="SHA256withRSA",
        HTTP_PAYPAL_CERT_URL="https://api.sandbox.paypal.com/cert",
        HTTP_PAYPAL_TRANSMISSION_TIME="2026-11-25T10:00:00Z",
    )


def test_paypal_order_approve_capture_and_replayed_webhooks(fake_api, in_tenant, client):
    with in_tenant("kreis"):
        payment = do_create_payment(
            provider="paypal", amount_cents=2500, purpose="Liegenschaftskarte"
        )
        redirect = do_start_payment(payment=payment, request=_request(), return_path="/konto/")
        assert redirect.url.startswith("https://www.sandbox.paypal.com/checkoutnow")
        assert Payment.objects.get(pk=payment.pk).provider_reference == "5O190127TN364715T"
    order_call = [c for c in FakeAPI.calls if c == ("POST", "/v2/checkout/orders")]
    assert len(order_call) == 1
    back = client.get(
        f"/zahlung/paypal/rueckkehr/?zahlung={payment.pk}&zurueck=/konto/", HTTP_HOST=KREIS
    )
    assert back.status_code == 302 and back["Location"] == "/konto/"
    for _ in range(100):  # PayPal retries its webhook; a replay books nothing
        assert _paypal_webhook(client).status_code == 200
    client.get(
        f"/zahlung/paypal/rueckkehr/?zahlung={payment.pk}&zurueck=/konto/", HTTP_HOST=KREIS
    )  # back button
    with in_tenant("kreis"):
        payment.refresh_from_db()
        assert payment.status == "paid" and payment.method == "paypal"
        assert PaymentEvent.objects.filter(payment=payment).count() == 2  # capture + first webhook
    assert len([c for c in FakeAPI.calls if c[1].endswith("/capture")]) == 1


def test_paypal_webhook_with_a_bad_signature_is_refused(fake_api, in_tenant, client):
    with in_tenant("kreis"):
        payment = do_create_payment(provider="paypal", amount_cents=900, purpose="x")
        do_start_payment(payment=payment, request=_request(), return_path="/konto/")
    response = _paypal_webhook(client, signature="forged")
    assert response.status_code == 400 and response.json()["error"] == "invalid signature"
    bad_json = client.post(
        "/zahlung/webhooks/paypal/", "nope", content_type="application/json", HTTP_HOST=KREIS
    )
    assert bad_json.status_code == 400
    with in_tenant("kreis"):
        assert Payment.objects.get(pk=payment.pk).status == "pending"


def _stripe_event(event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "checkout.session.completed",
            "data": {
                "object": {
                    "id": "cs_test_a1b2",
                    "object": "checkout.session",
                    "payment_status": "paid",
                    "status": "complete",
                }
            },
        }
    ).encode()


def _stripe_signature(payload: bytes, secret: str = WEBHOOK_SECRET) -> str:
    timestamp = int(time.time())
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload.decode()}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def test_stripe_checkout_and_signed_webhook_replayed(fake_api, in_tenant, client):
    with in_tenant("kreis"):
        payment = do_create_payment(
            provider="card", amount_cents=1500, purpose="Flurstücksnachweis"
        )
        redirect = do_start_payment(payment=payment, request=_request(), return_path="/konto/")
        assert redirect.url == "https://checkout.stripe.com/c/pay/cs_test_a1b2"
    payload = _stripe_event()
    for _ in range(100):
        response = client.post(
            "/zahlung/webhooks/stripe/",
            payload,
            content_type="application/json",
            HTTP_HOST=KREIS,
            HTTP_STRIPE_SIGNATURE=_stripe_signature(payload),
        )
        assert response.status_code == 200
    with in_tenant("kreis"):
        payment.refresh_from_db()
        assert payment.status == "paid" and payment.method == "card"
        assert PaymentEvent.objects.filter(payment=payment).count() == 1


@pytest.mark.parametrize("signature", ["", "t=1,v1=deadbeef", None])
def test_stripe_webhook_with_a_bad_signature_is_refused(fake_api, in_tenant, client, signature):
    with in_tenant("kreis"):
        payment = do_create_payment(provider="card", amount_cents=1500, purpose="x")
        do_start_payment(payment=payment, request=_request(), return_path="/konto/")
    payload = _stripe_event("evt_forged")
    header = _stripe_signature(payload, secret="whsec_wrong") if signature is None else signature
    response = client.post(
        "/zahlung/webhooks/stripe/",
        payload,
        content_type="application/json",
        HTTP_HOST=KREIS,
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400 and "signature" in response.json()["error"]
    with in_tenant("kreis"):
        assert Payment.objects.get(pk=payment.pk).status == "pending"


def test_reconciliation_settles_payments_whose_webhook_never_came(fake_api, in_tenant):
    with in_tenant("kreis"):
        paypal = do_create_payment(provider="paypal", amount_cents=2500, purpose="a")
        do_start_payment(payment=paypal, request=_request(), return_path="/konto/")
        card = do_create_payment(provider="card", amount_cents=1500, purpose="b")
        do_start_payment(payment=card, request=_request(), return_path="/konto/")
        assert reconcile_pending_payments(min_age_seconds=0) == 2
        assert set(
            Payment.objects.filter(pk__in=[paypal.pk, card.pk]).values_list("status", flat=True)
        ) == {"paid"}
        assert reconcile_pending_payments(min_age_seconds=0) == 0


def test_unreachable_provider_leaves_the_payment_pending(in_tenant, settings):
    from payments.providers import ProviderError

    settings.PAYPAL_API_BASE = "http://127.0.0.1:9"  # nothing listens here
    with in_tenant("kreis"):
        payment = do_create_payment(provider="paypal", amount_cents=100, purpose="x")
        with pytest.raises(ProviderError, match="unreachable"):
            do_start_payment(payment=payment, request=_request(), return_path="/konto/")
        assert Payment.objects.get(pk=payment.pk).status == "pending"


@pytest.mark.parametrize(
    ("provider", "refund_path"),
    [
        ("paypal", "/v2/payments/captures/3C679366HH908993F/refund"),
        ("card", "/v1/refunds"),
    ],
)
def test_refund_through_the_provider_happens_once(fake_api, in_tenant, provider, refund_path):
    from payments.actions import do_refund_payment

    with in_tenant("kreis"):
        payment = do_create_payment(provider=provider, amount_cents=2500, purpose="Antrag")
        do_start_payment(payment=payment, request=_request(), return_path="/konto/")
        do_book_payment_event(
            payment_id=payment.pk, event_id=f"test:{payment.pk}", outcome="paid", method=provider
        )
        for _ in range(3):  # a retried task or a double click refunds nothing twice
            do_refund_payment(payment_id=payment.pk, reason="Antrag abgelehnt")
        payment.refresh_from_db()
        assert payment.status == Payment.Status.REFUNDED
        assert PaymentEvent.objects.filter(payment=payment, kind="refunded").count() == 1
    assert [c for c in FakeAPI.calls if c[1] == refund_path] == [("POST", refund_path)]
    assert FakeAPI.idempotency_keys[-1] == f"refund-{payment.pk}"


def test_refund_refused_by_the_provider_leaves_the_payment_paid(fake_api, in_tenant, settings):
    from payments.actions import do_refund_payment
    from payments.providers import ProviderError

    with in_tenant("kreis"):
        payment = do_create_payment(provider="paypal", amount_cents=900, purpose="Antrag")
        do_start_payment(payment=payment, request=_request(), return_path="/konto/")
        do_book_payment_event(
            payment_id=payment.pk, event_id=f"test:{payment.pk}", outcome="paid", method="paypal"
        )
        settings.PAYPAL_API_BASE = "http://127.0.0.1:1"  # provider unreachable
        with pytest.raises(ProviderError):
            do_refund_payment(payment_id=payment.pk)
        payment.refresh_from_db()
        assert payment.status == Payment.Status.PAID
        assert not PaymentEvent.objects.filter(payment=payment, kind="refunded").exists()
