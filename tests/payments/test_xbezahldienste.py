"""XBezahldienste API v1.0.0 faked only at the HTTP boundary: a local server on loopback that
answers like an ePayBL-style platform (OAuth 2 client credentials, PaymentTransaction,
SystemResponse); and the portal's own sandbox platform, reached over real HTTP."""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory

from payments.actions import do_create_payment, do_start_payment
from payments.demo import DEMO_TENANT, seed_demo_payments
from payments.models import PROVIDER_CHOICES, ManualRefund, Payment, PaymentEvent, PaymentSettings
from payments.providers import ProviderError, registry
from payments.providers.xbezahldienste import tokens
from payments.selectors import tenant_provider
from payments.tasks import reconcile_pending_payments, refund_payment

BASE = django_settings.BASE_DOMAIN
KREIS = f"kreis.{BASE}"
CLIENT = ("kreisportal-test", "s3cr3t-not-in-repo")
PATH = re.compile(r"^/api/paymenttransaction/([^/]+)/([^/]+)(?:/([^/]+))?$")


class FakePlatform(BaseHTTPRequestHandler):
    """An ePayBL-style platform: what the XBezahldienste interface documents, nothing more."""

    lock = threading.Lock()
    token_lifetime = 3600
    issued: list[str] = []
    revoked: set[str] = set()
    transactions: dict[str, dict] = {}
    requests: list[dict] = []
    calls: list[tuple[str, str]] = []
    fail_with: tuple[int, str] | None = None
    counter = itertools.count(1)

    def _send(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _problem(self, status: int, code: str, detail: str = "") -> None:
        self._send(
            {
                "type": "about:blank",
                "status": status,
                "title": "Error",
                "detail": detail,
                "functionalCode": code,
            },
            status,
        )

    def _information(self, tid: str) -> dict:
        record = self.transactions[tid]
        info = {
            "transactionId": tid,
            "transactionUrl": f"http://127.0.0.1/api/paymenttransaction/x/y/{tid}",
            "status": record["status"],
        }
        if record["status"] == "INITIAL":
            info["transactionRedirectUrl"] = f"https://paypage.example/pay/{tid}"
        if record["status"] == "PAYED":
            info["paymentMethod"] = record.get("method", "GIROPAY")
            info["transactionReference"] = f"KZ-{tid}"
        return {"paymentInformation": info, "paymentRequest": record["request"]}

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        return header.startswith("Bearer ") and token in self.issued and token not in self.revoked

    def do_POST(self):  # noqa: N802
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        FakePlatform.calls.append(("POST", self.path))
        if self.path == "/oauth/token":
            expected = "Basic " + base64.b64encode(":".join(CLIENT).encode()).decode()
            if self.headers.get("Authorization") != expected or "client_credentials" not in raw:
                return self._send({"error": "invalid_client"}, 401)
            token = f"tok-{next(self.counter)}"
            FakePlatform.issued.append(token)
            return self._send(
                {
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": FakePlatform.token_lifetime,
                }
            )
        match = PATH.match(self.path)
        if not match or match.group(3):
            return self._problem(404, "UNSPECIFIED")
        if not self._authorised():
            return self._problem(401, "FORBIDDEN")
        if FakePlatform.fail_with:
            return self._problem(*FakePlatform.fail_with)
        body = json.loads(raw)
        FakePlatform.requests.append({"path": self.path, "body": body})
        with self.lock:
            if any(
                t["request"]["requestId"] == body["requestId"] for t in self.transactions.values()
            ):
                return self._problem(409, "PAYMENT_EXISTS")
            items = sum(i["totalNetAmount"] + i["totalTaxAmount"] for i in body["items"])
            if round(items, 2) != body["grosAmount"]:
                return self._problem(400, "CALCULATION_ERROR")
            tid = f"T{next(self.counter):06d}"
            FakePlatform.transactions[tid] = {"request": body, "status": "INITIAL"}
        return self._send(self._information(tid), 201)

    def do_GET(self):  # noqa: N802
        FakePlatform.calls.append(("GET", self.path))
        match = PATH.match(self.path)
        if not match or not match.group(3):
            return self._problem(404, "UNSPECIFIED")
        if not self._authorised():
            return self._problem(401, "FORBIDDEN")
        if match.group(3) not in self.transactions:
            return self._problem(404, "NO_VALID_ORIGINATOR_OR_ENDPOINT")
        return self._send(self._information(match.group(3)))

    def log_message(self, *args):
        pass


def settle(tid: str, status: str, method: str = "GIROPAY") -> None:
    """What the citizen does on the platform's pay page."""
    FakePlatform.transactions[tid].update(status=status, method=method)


@pytest.fixture
def platform(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePlatform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    settings.XBEZAHLDIENSTE_API_BASE = f"{url}/api"
    settings.XBEZAHLDIENSTE_TOKEN_URL = f"{url}/oauth/token"
    settings.XBEZAHLDIENSTE_CLIENT_ID, settings.XBEZAHLDIENSTE_CLIENT_SECRET = CLIENT
    settings.XBEZAHLDIENSTE_ORIGINATOR_ID = "kreisportal-hs"
    FakePlatform.issued, FakePlatform.revoked = [], set()
    FakePlatform.transactions, FakePlatform.requests, FakePlatform.calls = {}, [], []
    FakePlatform.token_lifetime, FakePlatform.fail_with = 3600, None
    tokens.forget_all()
    yield url
    server.shutdown()
    server.server_close()
    tokens.forget_all()


def _cash_office(endpoint: str = "05370004-kasse", **extra) -> None:
    PaymentSettings.objects.update_or_create(
        pk=PaymentSettings.objects.values_list("pk", flat=True).first(),
        defaults={"provider": "xbezahldienste", "xbezahldienste_endpoint_id": endpoint, **extra},
    )


def _started(amount: int = 2500, booking: dict | None = None) -> Payment:
    payment = do_create_payment(
        provider="xbezahldienste",
        amount_cents=amount,
        purpose="Hundesteuer Anmeldung (A-2026-17)",
        booking_data=booking if booking is not None else {"costCentre": "KST 3210"},
    )
    request = RequestFactory().get("/", HTTP_HOST=KREIS)
    redirect = do_start_payment(payment=payment, request=request, return_path="/konto/")
    payment.refresh_from_db()
    assert redirect.url == f"https://paypage.example/pay/{payment.provider_reference}"
    return payment


def _back(client, payment: Payment):
    return client.get(
        "/zahlung/xbezahldienste/rueckkehr/",
        {"zahlung": str(payment.pk), "zurueck": "/konto/"},
        HTTP_HOST=KREIS,
    )


def test_payment_request_as_documented_and_paid_on_return(platform, in_tenant, client):
    with in_tenant("kreis"):
        _cash_office(default_account="432100")
        payment = _started()
        [sent] = FakePlatform.requests
        assert sent["path"] == "/api/paymenttransaction/kreisportal-hs/05370004-kasse"
        body = sent["body"]
        assert body["requestId"] == str(payment.pk)
        assert body["currency"] == "EUR" and body["grosAmount"] == 25.0
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["requestTimestamp"])
        assert len(body["purpose"]) <= 27 and body["purpose"].startswith("Hundesteuer")
        assert body["redirectUrl"].startswith(f"http://{KREIS}/zahlung/xbezahldienste/rueckkehr/")
        [item] = body["items"]
        assert item["totalNetAmount"] == 25.0 and item["totalTaxAmount"] == 0
        # the service's cost centre, the tenant's default account
        assert item["bookingData"] == {"costCentre": "KST 3210", "account": "432100"}
        assert payment.provider_reference in FakePlatform.transactions

        settle(payment.provider_reference, "PAYED", "CREDITCARD")
        answer = _back(client, payment)
        assert answer.status_code == 302 and answer["Location"] == "/konto/"
        payment.refresh_from_db()
        assert payment.status == "paid" and payment.method == "creditcard"
        assert payment.paid_at is not None
        # the citizen reloads the return page: nothing booked twice
        assert _back(client, payment).status_code == 302
        assert payment.events.filter(kind="paid").count() == 1


def test_failed_and_cancelled_come_from_the_status_query(platform, in_tenant, client):
    with in_tenant("kreis"):
        _cash_office()
        failed, cancelled, still_open = _started(), _started(), _started()
        settle(failed.provider_reference, "FAILED")
        settle(cancelled.provider_reference, "CANCELED")
        assert _back(client, failed).status_code == 302
        page = _back(client, cancelled)
        assert page.status_code == 200 and "Zahlung abgebrochen" in page.content.decode()
        assert "beim Bezahldienst" in page.content.decode()
        # back while the platform still says INITIAL (e.g. the back button): nothing booked
        assert _back(client, still_open).status_code == 302
        statuses = {p.pk: p.status for p in Payment.objects.all()}
        assert statuses[failed.pk] == "failed"
        assert statuses[cancelled.pk] == "cancelled"
        assert statuses[still_open.pk] == "pending"


def test_status_query_settles_a_lost_redirect(platform, in_tenant):
    with in_tenant("kreis"):
        _cash_office()
        payment = _started()
        settle(payment.provider_reference, "PAYED")  # the citizen closed the tab on the way back
        assert reconcile_pending_payments(min_age_seconds=0) == 1
        payment.refresh_from_db()
        assert payment.status == "paid"
        assert (
            "GET",
            f"/api/paymenttransaction/kreisportal-hs/05370004-kasse/{payment.provider_reference}",
        ) in FakePlatform.calls
        assert reconcile_pending_payments(min_age_seconds=0) == 0


def _notify(client, body: dict):
    return client.post(
        "/zahlung/webhooks/xbezahldienste/",
        json.dumps(body),
        content_type="application/json",
        HTTP_HOST=KREIS,
    )


def test_replayed_notification_books_once_and_its_words_count_for_nothing(
    platform, in_tenant, client
):
    with in_tenant("kreis"):
        _cash_office()
        payment = _started()
        tid = payment.provider_reference
        # a notification claiming "PAYED" while the platform says INITIAL books nothing
        forged = {"paymentInformation": {"transactionId": tid, "status": "PAYED"}}
        assert _notify(client, forged).status_code == 200
        payment.refresh_from_db()
        assert payment.status == "pending"

        settle(tid, "PAYED")
        for _ in range(3):
            assert _notify(client, {"transactionId": tid}).status_code == 200
        assert _back(client, payment).status_code == 302  # and the citizen comes back too
        payment.refresh_from_db()
        assert payment.status == "paid"
        assert PaymentEvent.objects.filter(payment=payment, kind="paid").count() == 1

        assert _notify(client, {"transactionId": "T999999"}).status_code == 404
        assert _notify(client, {"transactionId": "../../etc"}).status_code == 400
        assert _notify(client, {"nothing": 1}).status_code == 400
        bad = client.post(
            "/zahlung/webhooks/xbezahldienste/",
            "[[[",
            content_type="application/json",
            HTTP_HOST=KREIS,
        )
        assert bad.status_code == 400 and "error" in bad.json()


def test_notification_while_the_platform_is_down_is_retried_later(
    platform, in_tenant, client, settings
):
    with in_tenant("kreis"):
        _cash_office()
        payment = _started()
        settle(payment.provider_reference, "PAYED")
        FakePlatform.revoked.update(FakePlatform.issued)
        FakePlatform.issued.clear()
        settings.XBEZAHLDIENSTE_CLIENT_SECRET = "wrong"  # token refused: 503, retry
        tokens.forget_all()
        answer = _notify(client, {"transactionId": payment.provider_reference})
        assert answer.status_code == 503
        payment.refresh_from_db()
        assert payment.status == "pending"


def test_oauth_token_renewed_when_expired_or_refused(platform, in_tenant):
    with in_tenant("kreis"):
        _cash_office()
        first = _started()
        assert len(FakePlatform.issued) == 1
        _started()
        assert len(FakePlatform.issued) == 1  # cached while valid
        # the platform revokes the token before the time it announced: 401, renewed, retried
        FakePlatform.revoked.add(FakePlatform.issued[0])
        settle(first.provider_reference, "PAYED")
        assert registry["xbezahldienste"].fetch_outcome(first) == "paid"
        assert len(FakePlatform.issued) == 2
        # a token that expires within the safety margin is never reused
        FakePlatform.token_lifetime = 5
        tokens.forget_all()
        _started()
        _started()
        assert len(FakePlatform.issued) == 4
        FakePlatform.token_lifetime = 3600
        tokens.forget_all()
        _started()
        assert len(FakePlatform.issued) == 5


def test_platform_errors_leave_the_payment_untouched(platform, in_tenant, settings):
    request = RequestFactory().get("/", HTTP_HOST=KREIS)
    with in_tenant("kreis"):
        _cash_office()
        payment = do_create_payment(provider="xbezahldienste", amount_cents=1200, purpose="Gebühr")
        FakePlatform.fail_with = (400, "BOOKING_DATA_MISSING")
        with pytest.raises(ProviderError, match="BOOKING_DATA_MISSING"):
            do_start_payment(payment=payment, request=request, return_path="/konto/")
        FakePlatform.fail_with = None
        settings.XBEZAHLDIENSTE_CLIENT_SECRET = "wrong"
        tokens.forget_all()
        with pytest.raises(ProviderError, match="token request answered 401"):
            do_start_payment(payment=payment, request=request, return_path="/konto/")
        settings.XBEZAHLDIENSTE_API_BASE = "http://127.0.0.1:9/api"
        settings.XBEZAHLDIENSTE_TOKEN_URL = "http://127.0.0.1:9/oauth/token"
        with pytest.raises(ProviderError, match="unreachable"):
            do_start_payment(payment=payment, request=request, return_path="/konto/")
        payment.refresh_from_db()
        assert payment.status == "pending" and payment.provider_reference == ""


def test_missing_endpoint_is_a_clear_error(platform, in_tenant):
    request = RequestFactory().get("/", HTTP_HOST=KREIS)
    with in_tenant("kreis"):
        payment = do_create_payment(provider="xbezahldienste", amount_cents=500, purpose="x")
        with pytest.raises(ProviderError, match="endpoint id"):
            do_start_payment(payment=payment, request=request, return_path="/konto/")
        assert FakePlatform.requests == []


def test_refund_becomes_a_manual_refund_staff_close(platform, in_tenant, client):
    with in_tenant("kreis"):
        _cash_office()
        payment = _started()
        settle(payment.provider_reference, "PAYED")
        assert registry["xbezahldienste"].fetch_outcome(payment) == "paid"
        assert _back(client, payment).status_code == 302
        assert refund_payment(str(payment.pk), "Antrag zurückgezogen") is False
        assert refund_payment(str(payment.pk), "Antrag zurückgezogen") is False
        refund = ManualRefund.objects.get(payment=payment)
        assert refund.reason == "Antrag zurückgezogen" and refund.done_at is None
        assert PaymentEvent.objects.filter(payment=payment, kind="manual_refund").count() == 1
        payment.refresh_from_db()
        assert payment.status == "paid"  # until the cash office has paid it back

        user = get_user_model().objects.create_user("kasse-test", password="Kasse-2026!")
        user.user_permissions.add(
            Permission.objects.get(codename="access_admin"),
            Permission.objects.get(codename="change_manualrefund"),
        )
        nobody = get_user_model().objects.create_user("redaktion-test", password="Kasse-2026!")
        nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))
        client.force_login(nobody)
    refused = client.get("/cms/erstattungen/", HTTP_HOST=KREIS)  # Wagtail: back to the dashboard
    assert refused.status_code == 302 and "Hundesteuer" not in refused.content.decode()
    with in_tenant("kreis"):
        client.force_login(user)
    listing = client.get("/cms/erstattungen/", HTTP_HOST=KREIS)
    assert listing.status_code == 200
    assert "Hundesteuer" in listing.content.decode() and "KST 3210" in listing.content.decode()
    assert (
        client.get(f"/cms/erstattungen/{refund.pk}/erledigt/", HTTP_HOST=KREIS).status_code == 405
    )
    done = client.post(f"/cms/erstattungen/{refund.pk}/erledigt/", HTTP_HOST=KREIS)
    assert done.status_code == 302
    assert client.post("/cms/erstattungen/999999/erledigt/", HTTP_HOST=KREIS).status_code == 404
    with in_tenant("kreis"):
        payment.refresh_from_db()
        assert payment.status == "refunded"
        assert ManualRefund.objects.get(pk=refund.pk).done_by == "kasse-test"


def test_provider_is_chosen_per_tenant(in_tenant, settings):
    assert {p.identifier for p in registry} == {key for key, _ in PROVIDER_CHOICES if key}
    settings.PAYMENT_PROVIDER = "sandbox"
    with in_tenant("kreis"):
        _cash_office()
        assert tenant_provider() == "xbezahldienste"
    with in_tenant("erkelenz"):
        assert tenant_provider() == "sandbox"


def test_the_sandbox_platform_speaks_the_same_protocol(tenant_server, in_tenant, client, settings):
    """The demo's platform on the public host, over real HTTP: token, POST, pay page, status."""
    public = f"http://{BASE}:{tenant_server}"
    settings.PUBLIC_URL = public
    settings.XBEZAHLDIENSTE_API_BASE = ""  # no platform configured: the portal's sandbox
    tokens.forget_all()
    with in_tenant("kreis"):
        payment = do_create_payment(
            provider="xbezahldienste",
            amount_cents=1850,
            purpose="Sondernutzung Gehweg",
            booking_data={"costCentre": "KST 6100"},
        )
        request = RequestFactory().get("/", HTTP_HOST=KREIS)
        redirect = do_start_payment(payment=payment, request=request, return_path="/konto/")
        assert redirect.url.startswith(f"{public}/xbezahldienste-sandbox/pay/kreis/")
        browser = requests.Session()
        page = browser.get(redirect.url, timeout=10)
        assert page.status_code == 200
        assert "Es wird kein Geld bewegt" in page.text and "18,50 EUR" in page.text
        assert "KST 6100" in page.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        paid = browser.post(
            redirect.url,
            {"csrfmiddlewaretoken": token, "methode": "GIROPAY", "ergebnis": "bezahlt"},
            allow_redirects=False,
            timeout=10,
        )
        assert paid.status_code == 302
        assert paid.headers["Location"].startswith(
            f"http://{KREIS}/zahlung/xbezahldienste/rueckkehr/"
        )
        back = client.get(paid.headers["Location"].removeprefix(f"http://{KREIS}"), HTTP_HOST=KREIS)
        assert back.status_code == 302
        payment.refresh_from_db()
        assert payment.status == "paid" and payment.method == "giropay"
        # the sandbox's API, like a real platform's, wants a token and refuses bad requests
        api = f"{public}/xbezahldienste-sandbox/api/paymenttransaction/kreisportal/kreis"
        assert requests.get(f"{api}/{payment.provider_reference}", timeout=10).status_code == 401
        refused = requests.post(api, json={}, timeout=10)
        assert refused.status_code == 401 and refused.json()["functionalCode"] == "FORBIDDEN"


def test_demo_municipality_pays_through_the_sandbox_platform(in_tenant, settings):
    settings.PAYMENT_PROVIDER = "sandbox"
    assert "XBezahldienste" in seed_demo_payments()
    seed_demo_payments()  # idempotent
    with in_tenant(DEMO_TENANT):
        assert PaymentSettings.objects.count() == 1
        assert tenant_provider() == "xbezahldienste"
    with in_tenant("gangelt"):
        assert tenant_provider() == "sandbox"
    assert "nothing seeded" in seed_demo_payments("nirgendwo")
