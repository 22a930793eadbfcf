"""The sandbox's hosted payment page (tenant host)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods

from payments.actions import do_book_payment_event
from payments.models import Payment

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


def _safe_path(value: str) -> str:
    return value if value.startswith("/") and not value.startswith("//") else "/konto/"


@require_http_methods(["GET", "POST"])
def sandbox_page(request: HttpRequest, payment_id: str) -> HttpResponse:
    payment = access_payment(request, payment_id)
    back = _safe_path(request.GET.get("zurueck", ""))
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
