"""The sandbox's hosted payment page (tenant host)."""

from __future__ import annotations

import json
import logging

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kreisportal.http import safe_local_path
from payments.actions import do_book_payment_event
from payments.models import Payment

logger = logging.getLogger(__name__)
OUTCOMES = {"erfolg": "paid", "fehler": "failed", "abbruch": "cancelled"}


def access_payment(request: HttpRequest, payment_id: str) -> Payment:
    """The payment the visitor may see: their own (or an anonymous one); anything else 404."""
    try:
        payment = Payment.objects.select_related("payer").get(pk=payment_id)
    except (Payment.DoesNotExist, ValueError, Exception) as exc:
        raise Http404("Zahlung nicht gefunden") from exc
    if payment.payer_id is not None:
        citizen = getattr(request.user, "citizen", None) if request.user.is_authenticated else None
        if citizen is None or citizen.pk != payment.payer_id:
            raise Http404("Zahlung nicht gefunden")
    return payment


@require_http_methods(["GET", "POST"])
def sandbox_page(request: HttpRequest, payment_id: str) -> HttpResponse:
    payment = access_payment(request, payment_id)
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
                    "error": "Bitte Zahlart und Ergebnis wählen.",
                },
                status=400,
            )
        # one event id per payment: a double click or the back button books nothing twice
        do_book_payment_event(
            payment_id=payment.pk, event_id=f"sandbox:{payment.pk}", outcome=outcome, method=method
        )
        return HttpResponseRedirect(back)
    return TemplateResponse(request, "payments/sandbox.html", {"payment": payment})


def paypal_return(request: HttpRequest) -> HttpResponse:
    """Back from PayPal: capture (once) and continue to where the citizen came from."""
    from payments.providers import ProviderError, registry

    payment = access_payment(request, request.GET.get("zahlung", ""))
    back = safe_local_path(request.GET.get("zurueck", ""))
    if request.GET.get("abbruch"):
        do_book_payment_event(
            payment_id=payment.pk, event_id=f"paypal:cancel:{payment.pk}", outcome="cancelled"
        )
        return HttpResponseRedirect(back)
    if payment.status == Payment.Status.PENDING:
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


@csrf_exempt  # called by PayPal's servers; authenticity is checked with PayPal itself
@require_POST
def paypal_webhook(request: HttpRequest) -> JsonResponse:
    from payments.providers import ProviderError, registry

    try:
        body = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "body is not JSON"}, status=400)
    try:
        verified = registry["paypal"].verify_webhook(headers=request.headers, body=body)
    except ProviderError:
        return JsonResponse({"error": "verification unavailable, retry later"}, status=503)
    if not verified:
        logger.warning("PayPal webhook with an invalid signature refused")
        return JsonResponse({"error": "invalid signature"}, status=400)
    if body.get("event_type") == "PAYMENT.CAPTURE.COMPLETED":
        order_id = (
            body.get("resource", {})
            .get("supplementary_data", {})
            .get("related_ids", {})
            .get("order_id", "")
        )
        payment = Payment.objects.filter(provider="paypal", provider_reference=order_id).first()
        if payment is not None:
            do_book_payment_event(
                payment_id=payment.pk,
                event_id=f"paypal:event:{body.get('id')}",
                outcome="paid",
                method="paypal",
                payload={"event": body.get("event_type")},
            )
    return JsonResponse({"received": True})


@csrf_exempt  # called by Stripe's servers; authenticity is the signature
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    from payments.providers import ProviderError, registry

    try:
        event = registry["card"].parse_webhook(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except ProviderError as exc:
        logger.warning("Stripe webhook refused: %s", exc)
        return JsonResponse({"error": str(exc)}, status=400)
    if event.type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        session = event.data.object
        payment = Payment.objects.filter(provider="card", provider_reference=session.id).first()
        if payment is not None and session.payment_status == "paid":
            do_book_payment_event(
                payment_id=payment.pk,
                event_id=f"stripe:{event.id}",
                outcome="paid",
                method="card",
                payload={"event": event.type},
            )
    return JsonResponse({"received": True})
