"""Liegenschaftsauskunft on the district's portal: find a parcel, order, pay, follow, verify."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from kreisportal.files import download_name, private_file_response
from kreisportal.identity.levels import TrustLevel
from payments.actions import do_start_payment
from payments.providers import ProviderError
from services.accounts.access import current_citizen, sign_in_url
from services.applications.models import Status
from services.applications.states import FINAL
from services.fulfillment import selectors
from services.fulfillment.access import access_cadastral_order
from services.fulfillment.actions import (
    Interest,
    InterestRequired,
    OrderRefused,
    do_place_cadastral_order,
    do_prepare_order_payment,
)
from services.fulfillment.forms import InterestForm
from services.fulfillment.models import FEES, CadastralOrder, Product


def _district_only(request: HttpRequest) -> None:
    if getattr(request.tenant, "kind", "") != "district":
        raise Http404("Die Liegenschaftsauskunft gibt es im Portal des Kreises.")


def search(request: HttpRequest) -> HttpResponse:
    _district_only(request)
    params = {k: request.GET.get(k, "").strip() for k in selectors.SEARCH_FIELDS}
    searched = any(params.values())
    parcels, errors = selectors.find_parcels(params) if searched else ([], {})
    return TemplateResponse(
        request,
        "fulfillment/search.html",
        {
            "gemarkungen": selectors.gemarkungen(),
            "params": params,
            "parcels": parcels,
            "errors": errors,
            "products": [(p.value, p.label, FEES[p]) for p in Product],
            "searched": searched,
        },
        status=400 if errors else 200,
    )


@require_POST
def order(request: HttpRequest) -> HttpResponse:
    _district_only(request)
    citizen = current_citizen(request)
    if citizen is None:
        return HttpResponseRedirect(sign_in_url(next_path=reverse("cadastre-search")))
    parcel = selectors.parcel(request.POST.get("parcel", ""))
    if parcel is None:
        raise Http404("Flurstück nicht gefunden")
    product = request.POST.get("product", "")
    stated = "grund" in request.POST  # the legitimate-interest page was sent
    interest_form = InterestForm(request.POST if stated else None)
    interest = None
    if stated and interest_form.is_valid():
        interest = Interest(
            reason=interest_form.reason_label(),
            statement=interest_form.cleaned_data["begruendung"].strip(),
        )
    try:
        placed = do_place_cadastral_order(
            citizen=citizen,
            parcel=parcel,
            product=product,
            trust_level=request.session.get("trust_level", ""),
            interest=interest,
        )
    except InterestRequired as exc:
        return TemplateResponse(
            request,
            "fulfillment/interest.html",
            {
                "message": str(exc),
                "parcel": parcel,
                "product": product,
                "product_label": Product(product).label,
                "fee_cents": FEES[product],
                "form": interest_form,
            },
            status=400 if stated else 200,
        )
    except OrderRefused as exc:
        return TemplateResponse(
            request,
            "fulfillment/refused.html",
            {
                "message": str(exc),
                "parcel": parcel,
                "login_url": sign_in_url(
                    next_path=reverse("cadastre-search"), level=TrustLevel.SUBSTANTIAL
                ),
            },
            status=403,
        )
    return _start_payment(request, placed, placed.payment)


def _start_payment(request: HttpRequest, placed: CadastralOrder, payment) -> HttpResponse:
    """Hand the (committed) payment to its provider; when the provider cannot be reached the
    order stays and its status page says so, with the button to try again."""
    try:
        target = do_start_payment(
            payment=payment,
            request=request,
            return_path=reverse("cadastre-status", args=[placed.pk]),
        )
    except ProviderError:
        placed = access_cadastral_order(placed.citizen, str(placed.pk))
        return TemplateResponse(
            request,
            "fulfillment/status.html",
            {
                "order": placed,
                "error": gettext(
                    "Der Zahlungsdienst ist gerade nicht erreichbar. Ihre Bestellung ist "
                    "gespeichert; bitte versuchen Sie die Zahlung später erneut."
                ),
            },
            status=503,
        )
    return HttpResponseRedirect(target.url)


@require_POST
def pay_order(request: HttpRequest, order_id: str) -> HttpResponse:
    """Pay now or again ("Jetzt bezahlen", "Erneut bezahlen") on the order's status page: the
    open payment, or a new attempt after a failed or cancelled one (committed before the
    provider is called)."""
    _district_only(request)
    placed = access_cadastral_order(current_citizen(request), order_id)
    try:
        payment = do_prepare_order_payment(order=placed)
    except OrderRefused:
        return HttpResponseRedirect(reverse("cadastre-status", args=[placed.pk]))
    return _start_payment(request, placed, payment)


def order_status(request: HttpRequest, order_id: str) -> HttpResponse:
    _district_only(request)
    placed = access_cadastral_order(current_citizen(request), order_id)
    return TemplateResponse(request, "fulfillment/status.html", {"order": placed})


def order_status_json(request: HttpRequest, order_id: str) -> JsonResponse:
    """The order's state for the status page's live region (fulfillment/order-status.js):
    the state, its words, whether it will still change (final), and the region's HTML as the
    page renders it. Same access as the page (the ordering citizen; anyone else 404)."""
    _district_only(request)
    placed = access_cadastral_order(current_citizen(request), order_id)
    html = render_to_string("fulfillment/_status_region.html", {"order": placed}, request=request)
    response = JsonResponse(
        {
            "status": placed.status,
            "label": placed.status_label,
            "final": placed.status in FINAL,
            "html": html,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


def order_document(request: HttpRequest, order_id: str) -> HttpResponse:
    """The delivered extract, for the citizen who ordered it (also in the postbox)."""
    _district_only(request)
    placed = access_cadastral_order(current_citizen(request), order_id)
    if not placed.document or placed.status != Status.COMPLETED:
        raise Http404("Kein Dokument")
    return private_file_response(
        placed.document,
        download_name=download_name(
            placed.document, stem=f"liegenschaftsauskunft-{placed.verification_code}"
        ),
        inline=request.GET.get("ansehen") == "1",
    )


def verify(request: HttpRequest) -> HttpResponse:
    _district_only(request)
    code = request.GET.get("code", "").strip().upper()[:20]
    found = selectors.verified_order(code)
    return TemplateResponse(
        request,
        "fulfillment/verify.html",
        {"code": code, "order": found},
        status=404 if code and found is None else 200,
    )
