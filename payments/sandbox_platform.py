"""The portal's own XBezahldienste sandbox platform (demo and tests; no money moves, every page
says so). It speaks the same interface as a real ePayBL-style platform, on the public host under
/xbezahldienste-sandbox/ (PUBLIC_URL):

- ``POST oauth/token`` client credentials (the demo client of payments.providers.xbezahldienste),
- ``POST api/paymenttransaction/{originatorId}/{endPointId}`` and
  ``GET api/paymenttransaction/{originatorId}/{endPointId}/{transactionId}``,
- ``pay/{endPointId}/{transactionId}/``: the pay page the citizen is sent to.

Each portal is one cash office (endPointId = the tenant's schema name); the sandbox keeps its
transactions in that tenant's schema (SandboxTransaction), so a municipality's payment data stays
in its schema. Off in production (404).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from decimal import Decimal, InvalidOperation
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_tenants.utils import tenant_context

from payments.models import SandboxTransaction
from payments.providers.xbezahldienste import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_PATH,
)
from payments.webhooks import BadWebhookBody, parse_webhook_body
from tenants.models import Tenant

TOKEN_LIFETIME = 300
TOKEN_SALT = "xbezahldienste-sandbox-token"
METHODS = {"GIROPAY": "Giropay", "CREDITCARD": "Kreditkarte", "PAYPAL": "PayPal"}
RESULTS = {"bezahlt": "PAYED", "fehler": "FAILED", "abbruch": "CANCELED"}


def problem(status: int, code: str, detail: str) -> JsonResponse:
    """An XBezahldienste SystemResponse."""
    titles = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 409: "Conflict"}
    return JsonResponse(
        {
            "type": "about:blank",
            "status": status,
            "title": titles.get(status, "Error"),
            "detail": detail,
            "functionalCode": code,
        },
        status=status,
    )


def sandbox_only(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if settings.PRODUCTION:
            raise Http404("Die XBezahldienste-Sandbox gibt es nur in der Demo.")
        return view(request, *args, **kwargs)

    return wrapper


def bearer_ok(request: HttpRequest) -> bool:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return False
    try:
        signing.loads(header[7:], salt=TOKEN_SALT, max_age=TOKEN_LIFETIME)
    except signing.BadSignature:
        return False
    return True


def _client_credentials(request: HttpRequest) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        try:
            user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        return user, secret
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@csrf_exempt
@sandbox_only
@require_http_methods(["POST"])
def token(request: HttpRequest) -> JsonResponse:
    if request.POST.get("grant_type") != "client_credentials":
        return JsonResponse({"error": "unsupported_grant_type"}, status=400)
    client_id, secret = _client_credentials(request)
    if not (
        secrets.compare_digest(client_id, SANDBOX_CLIENT_ID)
        and secrets.compare_digest(secret, SANDBOX_CLIENT_SECRET)
    ):
        return JsonResponse({"error": "invalid_client"}, status=401)
    return JsonResponse(
        {
            "access_token": signing.dumps({"c": client_id}, salt=TOKEN_SALT),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
        }
    )


def _cash_office(endpoint_id: str) -> Tenant | None:
    return Tenant.objects.portals().filter(schema_name=endpoint_id).first()


def _portal_url(url: object) -> bool:
    """The sandbox sends citizens back only to a portal host (no open redirect)."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    base = settings.BASE_DOMAIN.lower()
    return parts.scheme in {"http", "https"} and (host == base or host.endswith("." + base))


def _amount(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount > 0 else None


def _check_request(body: dict) -> tuple[str, str] | None:
    """(functionalCode, detail) of what is wrong with a PaymentRequest, or None."""
    request_id = body.get("requestId")
    if not isinstance(request_id, str) or not 0 < len(request_id) <= 36:
        return "VALIDATION_ERROR", "requestId missing or longer than 36 characters"
    if body.get("currency") != "EUR":
        return "VALIDATION_ERROR", "currency must be EUR"
    total = _amount(body.get("grosAmount"))
    if total is None:
        return "VALIDATION_ERROR", "grosAmount must be a positive amount"
    if not _portal_url(body.get("redirectUrl")):
        return "VALIDATION_ERROR", "redirectUrl must lead back to a portal"
    items = body.get("items")
    if not isinstance(items, list) or not items:
        return "VALIDATION_ERROR", "items missing"
    sum_items = Decimal(0)
    for item in items:
        net = _amount(item.get("totalNetAmount")) if isinstance(item, dict) else None
        tax = item.get("totalTaxAmount", 0) if isinstance(item, dict) else None
        if net is None or not isinstance(tax, int | float) or isinstance(tax, bool):
            return "VALIDATION_ERROR", "every item needs totalNetAmount and totalTaxAmount"
        sum_items += net + Decimal(str(tax))
        booking = item.get("bookingData", {})
        if not isinstance(booking, dict) or not all(isinstance(v, str) for v in booking.values()):
            return "VALIDATION_ERROR", "bookingData must map names to texts"
    if sum_items != total:
        return "CALCULATION_ERROR", "grosAmount differs from the sum of the items"
    return None


def _information(request: HttpRequest, record: SandboxTransaction) -> dict:
    base = f"{settings.PUBLIC_URL.rstrip('/')}{SANDBOX_PATH}"
    info = {
        "transactionId": record.transaction_id,
        "transactionUrl": (
            f"{base}/api/paymenttransaction/{record.originator_id}/{record.endpoint_id}/"
            f"{record.transaction_id}"
        ),
        "transactionReference": f"SANDBOX-{record.transaction_id[:12].upper()}",
        "status": record.status,
    }
    if record.status == SandboxTransaction.Status.INITIAL:
        info["transactionRedirectUrl"] = f"{base}/pay/{record.endpoint_id}/{record.transaction_id}/"
    else:
        info["transactionTimestamp"] = record.finished.strftime("%Y-%m-%dT%H:%M:%SZ")
    if record.status == SandboxTransaction.Status.PAYED:
        info["paymentMethod"] = record.payment_method
    return {"paymentInformation": info, "paymentRequest": record.request}


@csrf_exempt
@sandbox_only
@require_http_methods(["POST"])
def create_transaction(request: HttpRequest, originator_id: str, endpoint_id: str) -> JsonResponse:
    if not bearer_ok(request):
        return problem(401, "FORBIDDEN", "a valid bearer token is needed")
    tenant = _cash_office(endpoint_id)
    if tenant is None or not originator_id:
        return problem(404, "NO_VALID_ORIGINATOR_OR_ENDPOINT", "unknown endpoint")
    try:
        body = parse_webhook_body(request.body)
    except BadWebhookBody as exc:
        return problem(400, "VALIDATION_ERROR", str(exc))
    wrong = _check_request(body)
    if wrong:
        return problem(400, *wrong)
    with tenant_context(tenant):
        try:
            with transaction.atomic():
                record = SandboxTransaction.objects.create(
                    transaction_id=secrets.token_hex(16),
                    originator_id=originator_id[:100],
                    endpoint_id=endpoint_id,
                    request_id=body["requestId"],
                    request=body,
                )
        except IntegrityError:
            return problem(409, "PAYMENT_EXISTS", "this requestId has a transaction already")
        return JsonResponse(_information(request, record), status=201)


def _record(tenant_slug_or_schema: str, **lookup) -> tuple[Tenant, SandboxTransaction]:
    tenant = _cash_office(tenant_slug_or_schema)
    if tenant is None:
        raise Http404("unknown endpoint")
    with tenant_context(tenant):
        record = SandboxTransaction.objects.filter(**lookup).first()
    if record is None:
        raise Http404("unknown transaction")
    return tenant, record


@sandbox_only
@require_http_methods(["GET"])
def transaction_status(
    request: HttpRequest, originator_id: str, endpoint_id: str, transaction_id: str
) -> JsonResponse:
    if not bearer_ok(request):
        return problem(401, "FORBIDDEN", "a valid bearer token is needed")
    try:
        _, record = _record(endpoint_id, transaction_id=transaction_id, originator_id=originator_id)
    except Http404:
        return problem(404, "NO_VALID_ORIGINATOR_OR_ENDPOINT", "unknown transaction")
    return JsonResponse(_information(request, record))


@sandbox_only
@require_http_methods(["GET", "POST"])
def pay_page(request: HttpRequest, endpoint_id: str, transaction_id: str) -> HttpResponse:
    """The citizen's pay page; a POST (never a GET) decides the outcome, once."""
    tenant, record = _record(endpoint_id, transaction_id=transaction_id)
    context = {"record": record, "tenant": tenant, "methods": METHODS}
    if request.method == "POST":
        result = RESULTS.get(request.POST.get("ergebnis", ""))
        method = request.POST.get("methode", "")
        if result is None or (result == "PAYED" and method not in METHODS):
            context["error"] = "Bitte eine Zahlart und ein Ergebnis wählen."
            return TemplateResponse(request, "payments/xbezahldienste_sandbox.html", context, 400)
        with tenant_context(tenant), transaction.atomic():
            SandboxTransaction.objects.filter(
                pk=record.pk, status=SandboxTransaction.Status.INITIAL
            ).update(
                status=result,
                payment_method=method if result == "PAYED" else "",
                finished=timezone.now(),
            )
        return HttpResponseRedirect(record.request["redirectUrl"])
    return TemplateResponse(request, "payments/xbezahldienste_sandbox.html", context)


urlpatterns = [
    path("oauth/token", token, name="xbd-sandbox-token"),
    path(
        "api/paymenttransaction/<str:originator_id>/<str:endpoint_id>",
        create_transaction,
        name="xbd-sandbox-create",
    ),
    path(
        "api/paymenttransaction/<str:originator_id>/<str:endpoint_id>/<str:transaction_id>",
        transaction_status,
        name="xbd-sandbox-status",
    ),
    path("pay/<str:endpoint_id>/<str:transaction_id>/", pay_page, name="xbd-sandbox-pay"),
]
