"""Payment pages of the tenant host: the sandbox's hosted payment page, the return from PayPal,
and the providers' webhooks.

Only a POST changes a payment: the sandbox page books by POST, webhooks are POSTs verified with
the provider, and the return from PayPal books only what PayPal's own API confirms (the capture).
A cancel return from PayPal is a plain browser redirect that nothing verifies: it books nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from kreisportal.http import parse_uuid, safe_local_path
from payments.actions import do_book_payment_event, do_book_webhook_events
from payments.models import Payment
from payments.providers import ProviderError, WebhookRefused, registry
from payments.providers.xbezahldienste import event_id

logger = logging.getLogger(__name__)
OUTCOMES = {"erfolg": "paid", "fehler": "failed", "abbruch": "cancelled"}


def access_payment(request: HttpRequest, payment_id: str, *, provider: str = "") -> Payment:
    """The payment the visitor may see: their own (or an anonymous one), of `provider` when one
    is named (a page of one provider never acts on another provider's payment); anything else
    404. A database error is not a 404: it propagates (503)."""
    pk = parse_uuid(payment_id)
    payment = (
        Payment.objects.select_related("payer").filter(pk=pk).first() if pk is not None else None
    )
    if payment is None or (provider and payment.provider != provider):
        raise Http404("Zahlung nicht gefunden")
    if payment.payer_id is not None:
        citizen = getattr(request.user, "citizen", None) if request.user.is_authenticated else None
        if citizen is None or citizen.pk != payment.payer_id:
            raise Http404("Zahlung nicht gefunden")
    return payment


@require_http_methods(["GET", "POST"])
def sandbox_page(request: HttpRequest, payment_id: str) -> HttpResponse:
    # only the sandbox's own payments: a PayPal or card payment is never "paid" by this page
    payment = access_payment(request, payment_id, provider="sandbox")
    back = safe_local_path(request.GET.get("zurueck", ""))
    if request.method == "POST":
        outcome = OUTCOMES.get(request.POST.get("ergebnis", ""))
        method = request.POST.get("methode", "")
        if outcome is None or method not in {"card", "paypal"}:
            return TemplateResponse(
                request,
                "payments/sandbox.html",
                {
                    "payment": payment,
                    "error": gettext("Bitte Zahlart und Ergebnis wählen."),
                },
                status=400,
            )
        # one event id per payment: a double click or the back button books nothing twice
        do_book_payment_event(
            payment_id=payment.pk, event_id=f"sandbox:{payment.pk}", outcome=outcome, method=method
        )
        return HttpResponseRedirect(back)
    return TemplateResponse(request, "payments/sandbox.html", {"payment": payment})


@require_GET
def paypal_return(request: HttpRequest) -> HttpResponse:
    """Back from PayPal: capture (once) and continue to where the citizen came from.

    The capture is PayPal's own answer (it succeeds only for an order the buyer approved), so
    this GET books nothing PayPal has not confirmed. The cancel return books nothing at all:
    anyone can open that URL, and PayPal does not void the order when the buyer cancels (it stays
    CREATED or PAYER_ACTION_REQUIRED and could still be approved in another tab). The payment
    stays pending; "Jetzt bezahlen" starts a new attempt, and reconciliation settles the old one.
    """

    payment = access_payment(request, request.GET.get("zahlung", ""), provider="paypal")
    back = safe_local_path(request.GET.get("zurueck", ""))
    if request.GET.get("abbruch"):
        return TemplateResponse(
            request, "payments/cancelled.html", {"payment": payment, "back": back}
        )
    if payment.status == Payment.Status.PENDING and payment.provider_reference:
        try:
            outcome, capture_id = registry["paypal"].capture(payment)
        except ProviderError:
            # the webhook or the reconciliation task will settle it
            return HttpResponseRedirect(back)
        do_book_payment_event(
            payment_id=payment.pk,
            event_id=f"paypal:capture:{capture_id}",
            outcome=outcome,
            method="paypal",
        )
    return HttpResponseRedirect(back)


@require_GET
def xbezahldienste_return(request: HttpRequest) -> HttpResponse:
    """Back from the XBezahldienste pay page. The redirect itself says nothing (anyone can open
    it); the outcome is the platform's status query, booked once per transaction and outcome
    (the same booking a notification or the reconciliation would make). A payment the platform
    still reports open stays pending; an unreachable platform is settled later."""

    payment = access_payment(request, request.GET.get("zahlung", ""), provider="xbezahldienste")
    back = safe_local_path(request.GET.get("zurueck", ""))
    if payment.status == Payment.Status.PENDING and payment.provider_reference:
        try:
            outcome, method = registry["xbezahldienste"].status(payment.provider_reference)
        except ProviderError as exc:
            logger.warning("XBezahldienste status of payment %s unavailable: %s", payment.pk, exc)
            return HttpResponseRedirect(back)
        if outcome:
            payment, _ = do_book_payment_event(
                payment_id=payment.pk,
                event_id=event_id(payment.provider_reference, outcome),
                outcome=outcome,
                method=method,
            )
    if payment.status == Payment.Status.CANCELLED:
        return TemplateResponse(
            request, "payments/cancelled.html", {"payment": payment, "back": back}
        )
    return HttpResponseRedirect(back)


def webhook_post_only(view: Callable[..., JsonResponse]):
    """Webhooks answer every other method with a JSON 405 that names the allowed one."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        if request.method != "POST":
            response = JsonResponse(
                {"error": "method not allowed", "allowed": ["POST"]}, status=405
            )
            response["Allow"] = "POST"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def _provider_by_webhook_name(name: str):

    return next((p for p in registry if p.webhook_name and p.webhook_name == name), None)


@csrf_exempt  # called by the platforms' servers; each provider verifies its own events
@webhook_post_only
def provider_webhook(request: HttpRequest, name: str) -> JsonResponse:
    """/zahlung/webhooks/<name>/: the provider verifies and parses its webhook
    (`handle_webhook`), the events are booked here, once each."""

    provider = _provider_by_webhook_name(name)
    if provider is None:
        return JsonResponse(
            {"error": f"no payment provider with webhooks named {name[:40]!r}"}, status=404
        )
    try:
        events = provider.handle_webhook(request)
    except WebhookRefused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    except RequestDataTooBig:
        return JsonResponse({"error": "body too large"}, status=413)
    do_book_webhook_events(provider=provider.identifier, events=events)
    return JsonResponse({"received": True})
