"""XBezahldienste API v1.0.0: the interface of ePayBL-style payment platforms (pmPayment, epay21,
ePayBL connectors).

The flow as the interface describes it:

1. OAuth 2 client credentials at the platform's token URL (the portal is one client).
2. ``POST {base}/paymenttransaction/{originatorId}/{endPointId}`` with a ``PaymentRequest``
   (``requestId``, ``requestTimestamp``, ``currency``, ``grosAmount``, ``purpose``,
   ``description``, ``redirectUrl``, ``items`` with ``bookingData``, ``requestor``); the answer is a
   ``PaymentTransaction`` whose ``paymentInformation`` carries the platform's ``transactionId``
   and the pay page (``transactionRedirectUrl``) the citizen is sent to.
3. The platform sends the citizen back to ``redirectUrl``; the outcome is never read from that
   redirect but from the status query ``GET {base}/paymenttransaction/{originatorId}/
   {endPointId}/{transactionId}`` (``status``: INITIAL, PAYED, FAILED, CANCELED).

Errors are ``SystemResponse`` objects (``status``, ``title``, ``detail``, ``functionalCode``). The
interface has no refund call: a refund becomes a manual refund for the cash office
(``ManualRefundRequired``). A platform that notifies the portal server to server posts to
``/zahlung/webhooks/xbezahldienste/``; the notification only names the transaction, its outcome
is again the platform's status query, so a forged or replayed notification books nothing new.

Configuration: XBEZAHLDIENSTE_* settings (the portal's OAuth client and originator id) and the
tenant's payment settings (its endpoint id at the platform, default booking data). With no API
base outside production, the portal's own sandbox platform answers
(``payments.sandbox_platform``, on the public host).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import requests
from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils.http import urlencode

from payments.models import Payment
from payments.providers import (
    ManualRefundRequired,
    PaymentProvider,
    ProviderError,
    Redirect,
    WebhookEvent,
    WebhookRefused,
    registry,
)
from payments.selectors import payment_settings
from payments.webhooks import BadWebhookBody, field, parse_webhook_body

logger = logging.getLogger(__name__)

TIMEOUT = 15
# a token is renewed this many seconds before the platform says it expires
TOKEN_MARGIN = 30
OUTCOMES = {"PAYED": "paid", "FAILED": "failed", "CANCELED": "cancelled"}
# the sandbox platform's own, public demo credentials (payments.sandbox_platform)
SANDBOX_CLIENT_ID = "kreisportal-sandbox"
SANDBOX_CLIENT_SECRET = "sandbox-demo-secret-no-money-moves"
SANDBOX_PATH = "/xbezahldienste-sandbox"


@dataclass(frozen=True)
class Config:
    api_base: str  # ends with "/"
    token_url: str
    client_id: str
    client_secret: str
    originator_id: str
    endpoint_id: str
    sandbox: bool


def _euros(cents: int) -> float:
    """XBezahldienste amounts are decimal euros (two places)."""
    return round(cents / 100, 2)


def _clean(value: str, pattern: str, length: int) -> str:
    return re.sub(pattern, "", value)[:length].strip()


def config() -> Config:
    """The platform of this tenant: the configured one, or the portal's sandbox platform."""
    tenant_settings = payment_settings()
    base = settings.XBEZAHLDIENSTE_API_BASE
    sandbox = not base
    if sandbox:
        if settings.PRODUCTION:
            raise ProviderError("XBezahldienste is not configured (XBEZAHLDIENSTE_API_BASE)")
        public = settings.PUBLIC_URL.rstrip("/")
        base = f"{public}{SANDBOX_PATH}/api/"
        token_url = f"{public}{SANDBOX_PATH}/oauth/token"
        client_id, client_secret = SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
    else:
        token_url = settings.XBEZAHLDIENSTE_TOKEN_URL
        client_id = settings.XBEZAHLDIENSTE_CLIENT_ID
        client_secret = settings.XBEZAHLDIENSTE_CLIENT_SECRET
    endpoint = tenant_settings.xbezahldienste_endpoint_id
    if not endpoint and sandbox:
        endpoint = connection.tenant.schema_name  # the sandbox's cash office is the tenant
    if not endpoint:
        raise ProviderError("XBezahldienste endpoint id of this portal is missing")
    if not (token_url and client_id and client_secret):
        raise ProviderError("XBezahldienste OAuth client is not configured")
    return Config(
        api_base=base if base.endswith("/") else base + "/",
        token_url=token_url,
        client_id=client_id,
        client_secret=client_secret,
        originator_id=tenant_settings.xbezahldienste_originator_id
        or settings.XBEZAHLDIENSTE_ORIGINATOR_ID,
        endpoint_id=endpoint,
        sandbox=sandbox,
    )


class TokenCache:
    """Access tokens per (token URL, client id), renewed shortly before they expire or when the
    platform answers 401. Shared by the threads of one process."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, cfg: Config) -> str:
        key = (cfg.token_url, cfg.client_id)
        with self._lock:
            cached = self._tokens.get(key)
            if cached and cached[1] > time.monotonic():
                return cached[0]
            token, lifetime = self._fetch(cfg)
            self._tokens[key] = (token, time.monotonic() + max(lifetime - TOKEN_MARGIN, 0))
            return token

    def forget(self, cfg: Config) -> None:
        with self._lock:
            self._tokens.pop((cfg.token_url, cfg.client_id), None)

    def forget_all(self) -> None:
        with self._lock:
            self._tokens.clear()

    @staticmethod
    def _fetch(cfg: Config) -> tuple[str, int]:
        try:
            response = requests.post(
                cfg.token_url,
                data={"grant_type": "client_credentials"},
                auth=(cfg.client_id, cfg.client_secret),
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ProviderError(
                f"XBezahldienste token URL unreachable: {exc.__class__.__name__}"
            ) from exc
        if response.status_code != 200:
            raise ProviderError(f"XBezahldienste token request answered {response.status_code}")
        try:
            body = response.json()
            token = body["access_token"]
            lifetime = int(body.get("expires_in") or 300)
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderError("XBezahldienste token answer is not a token") from exc
        if not isinstance(token, str) or not token:
            raise ProviderError("XBezahldienste token answer is not a token")
        return token, lifetime


tokens = TokenCache()


def _problem(response: requests.Response) -> str:
    """The SystemResponse's functional code and title, never the request (it names a person)."""
    try:
        body = response.json()
    except ValueError:
        return str(response.status_code)
    if not isinstance(body, dict):
        return str(response.status_code)
    code = body.get("functionalCode") or ""
    title = str(body.get("title") or "")[:80]
    return f"{response.status_code} {code} {title}".strip()


def _call(cfg: Config, method: str, path: str, **kwargs) -> dict:
    """One API call with the client's bearer token; a 401 renews the token once (it may have
    expired or been revoked before the time it announced)."""
    url = cfg.api_base + path
    for attempt in (1, 2):
        headers = {"Authorization": f"Bearer {tokens.get(cfg)}", "Accept": "application/json"}
        try:
            response = requests.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise ProviderError(f"XBezahldienste unreachable: {exc.__class__.__name__}") from exc
        if response.status_code == 401 and attempt == 1:
            tokens.forget(cfg)
            continue
        if response.status_code >= 400:
            raise ProviderError(f"XBezahldienste {method} answered {_problem(response)}")
        try:
            body = response.json()
        except ValueError as exc:
            raise ProviderError("XBezahldienste answer is not JSON") from exc
        if not isinstance(body, dict):
            raise ProviderError("XBezahldienste answer is not a PaymentTransaction")
        return body
    raise ProviderError("XBezahldienste refused the renewed token")  # pragma: no cover


def _path(cfg: Config, transaction_id: str = "") -> str:
    parts = ["paymenttransaction", cfg.originator_id, cfg.endpoint_id]
    if transaction_id:
        parts.append(transaction_id)
    return "/".join(quote(part, safe="") for part in parts)


def booking_data(payment: Payment) -> dict[str, str]:
    """The fee's booking data: the service's (stored on the payment), else the tenant's
    defaults."""
    tenant_settings = payment_settings()
    data = {
        "costCentre": tenant_settings.default_cost_centre,
        "account": tenant_settings.default_account,
    }
    data.update({k: str(v) for k, v in (payment.booking_data or {}).items() if v})
    return {k: _clean(v, r"[^\w\s\-,.]", 250) for k, v in data.items() if v}


def payment_request(payment: Payment, *, redirect_url: str) -> dict:
    """The PaymentRequest for one fee: one item, no tax (fees are not subject to VAT)."""
    amount = _euros(payment.amount_cents)
    item = {
        "id": "1",
        "reference": _clean(payment.purpose, r"[^\w\-]", 36) or "gebuehr",
        "description": _clean(payment.purpose, r"[^\w\s\-,.()]", 250),
        "taxRate": 0,
        "quantity": 1,
        "singleNetAmount": amount,
        "singleTaxAmount": 0,
        "totalNetAmount": amount,
        "totalTaxAmount": 0,
    }
    booking = booking_data(payment)
    if booking:
        item["bookingData"] = booking
    body = {
        "requestId": str(payment.pk),
        "requestTimestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "currency": payment.currency,
        "grosAmount": amount,
        "purpose": _clean(payment.purpose, r"[^\w\s\-]", 27),
        "description": _clean(payment.purpose, r"[^\w\s\-,.()]", 250),
        "redirectUrl": redirect_url,
        "items": [item],
    }
    payer = payment.payer
    if payer is not None and payer.family_name:
        body["requestor"] = {
            "name": payer.family_name,
            "firstName": payer.given_name,
            "isOrganization": False,
        }
    return body


def _information(transaction: dict) -> dict:
    info = transaction.get("paymentInformation")
    if not isinstance(info, dict):
        raise ProviderError("XBezahldienste answer has no paymentInformation")
    return info


@registry.register("xbezahldienste")
class XBezahldiensteProvider(PaymentProvider):
    label = "XBezahldienste (ePayBL)"
    webhook_name = "xbezahldienste"

    def start(self, payment: Payment, request: HttpRequest, *, return_path: str) -> Redirect:
        cfg = config()
        query = urlencode({"zahlung": payment.pk, "zurueck": return_path})
        back = request.build_absolute_uri(f"/zahlung/xbezahldienste/rueckkehr/?{query}")
        transaction = _call(
            cfg, "POST", _path(cfg), json=payment_request(payment, redirect_url=back)
        )
        info = _information(transaction)
        transaction_id, pay_page = info.get("transactionId"), info.get("transactionRedirectUrl")
        if not isinstance(transaction_id, str) or not transaction_id:
            raise ProviderError("XBezahldienste answer has no transactionId")
        if not isinstance(pay_page, str) or not pay_page.startswith(("https://", "http://")):
            raise ProviderError("XBezahldienste answer has no pay page")
        if pay_page.startswith("http://") and not cfg.sandbox and settings.PRODUCTION:
            raise ProviderError("XBezahldienste pay page is not HTTPS")
        return Redirect(pay_page, reference=transaction_id)

    def status(self, transaction_id: str) -> tuple[str | None, str]:
        """The platform's status query: (outcome or None while INITIAL, payment method)."""
        cfg = config()
        info = _information(_call(cfg, "GET", _path(cfg, transaction_id)))
        if info.get("transactionId") not in (None, transaction_id):
            raise ProviderError("XBezahldienste answered for another transaction")
        status = info.get("status")
        if status == "INITIAL":
            return None, ""
        if status not in OUTCOMES:
            raise ProviderError(f"XBezahldienste status {str(status)[:20]!r} unknown")
        return OUTCOMES[status], str(info.get("paymentMethod") or "").lower()[:20]

    def fetch_outcome(self, payment: Payment) -> str | None:
        return self.status(payment.provider_reference)[0]

    def refund(self, payment: Payment) -> str:
        raise ManualRefundRequired(
            "XBezahldienste 1.0 has no refund call: the cash office refunds by hand"
        )

    def handle_webhook(self, request: HttpRequest) -> list[WebhookEvent]:
        """A notification names a transaction (``transactionId`` or a PaymentTransaction); its
        outcome is the platform's status query, never the notification's own words."""
        try:
            body = parse_webhook_body(request.body)
        except BadWebhookBody as exc:
            raise WebhookRefused(str(exc)) from exc
        transaction_id = body.get("transactionId") or field(
            body, "paymentInformation", "transactionId"
        )
        if not isinstance(transaction_id, str) or not re.fullmatch(r"[\w\-]{1,44}", transaction_id):
            raise WebhookRefused("transactionId missing or malformed")
        if not Payment.objects.filter(
            provider=self.identifier, provider_reference=transaction_id
        ).exists():
            raise WebhookRefused("unknown transaction", status=404)
        try:
            outcome, method = self.status(transaction_id)
        except ProviderError as exc:
            raise WebhookRefused("status query unavailable, retry later", status=503) from exc
        if outcome is None:
            return []
        return [
            WebhookEvent(
                reference=transaction_id,
                event_id=event_id(transaction_id, outcome),
                outcome=outcome,
                method=method,
                kind="status",
            )
        ]


def event_id(transaction_id: str, outcome: str) -> str:
    """One booking per transaction and outcome, whichever way it arrives (return of the
    citizen, notification, reconciliation)."""
    return f"xbezahldienste:{transaction_id}:{outcome}"
