"""Liegenschaftsauskunft on the district's portal: find a parcel, order, pay, follow, verify."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from payments.providers import registry as payment_providers
from services.accounts.views import current_citizen
from services.fulfillment.actions import FEES, OrderRefused, do_place_cadastral_order
from services.fulfillment.models import CadastralOrder, Gemarkung, Parcel, Product


def _district_only(request: HttpRequest) -> None:
    if getattr(request.tenant, "kind", "") != "district":
        raise Http404("Die Liegenschaftsauskunft gibt es im Portal des Kreises.")


def search(request: HttpRequest) -> HttpResponse:
    _district_only(request)
    gemarkungen = Gemarkung.objects.all()
    params = {
        k: request.GET.get(k, "").strip() for k in ("gemarkung", "flur", "flurstueck", "adresse")
    }
    parcels, errors = [], []
    if any(params.values()):
        query = Parcel.objects.select_related("gemarkung")
        if params["adresse"]:
            query = query.filter(address__icontains=params["adresse"][:100])
        if params["gemarkung"]:
            query = query.filter(gemarkung__number=params["gemarkung"])
        for field, column in (("flur", "flur"), ("flurstueck", "zaehler")):
            value = params[field].split("/")[0]
            if value:
                if not value.isdigit():
                    errors.append(f"„{params[field]}“ ist keine gültige Nummer.")
                    continue
                query = query.filter(**{column: int(value)})
        if not errors:
            parcels = list(query[:50])
    return TemplateResponse(
        request,
        "fulfillment/search.html",
        {
            "gemarkungen": gemarkungen,
            "params": params,
            "parcels": parcels,
            "errors": errors,
            "products": [(p.value, p.label, FEES[p]) for p in Product],
            "searched": any(params.values()),
        },
        status=400 if errors else 200,
    )


@require_POST
def order(request: HttpRequest) -> HttpResponse:
    _district_only(request)
    citizen = current_citizen(request)
    if citizen is None:
        return HttpResponseRedirect(
            f"/konto/anmelden/?{urlencode({'next': '/liegenschaftsauskunft/'})}"
        )
    parcel = Parcel.objects.filter(
        pk=request.POST.get("parcel") if str(request.POST.get("parcel", "")).isdigit() else None
    ).first()
    if parcel is None:
        raise Http404("Flurstück nicht gefunden")
    try:
        placed = do_place_cadastral_order(
            citizen=citizen,
            parcel=parcel,
            product=request.POST.get("product", ""),
            trust_level=request.session.get("trust_level", ""),
        )
    except OrderRefused as exc:
        return TemplateResponse(
            request,
            "fulfillment/refused.html",
            {
                "message": str(exc),
                "parcel": parcel,
                "login_url": "/konto/anmelden/?"
                + urlencode({"level": "substantial", "next": "/liegenschaftsauskunft/"}),
            },
            status=403,
        )
    redirect = payment_providers[placed.payment.provider].start(
        placed.payment, request, return_path=f"/liegenschaftsauskunft/auftrag/{placed.pk}/"
    )
    return HttpResponseRedirect(redirect.url)


def order_status(request: HttpRequest, order_id: str) -> HttpResponse:
    _district_only(request)
    citizen = current_citizen(request)
    try:
        placed = CadastralOrder.objects.select_related("parcel__gemarkung", "payment").get(
            pk=order_id, citizen=citizen
        )
    except (CadastralOrder.DoesNotExist, ValueError, Exception) as exc:
        raise Http404("Bestellung nicht gefunden") from exc
    return TemplateResponse(request, "fulfillment/status.html", {"order": placed})


def verify(request: HttpRequest) -> HttpResponse:
    _district_only(request)
    code = request.GET.get("code", "").strip().upper()[:20]
    found = (
        CadastralOrder.objects.select_related("parcel__gemarkung")
        .filter(Q(verification_code=code), status=CadastralOrder.Status.COMPLETED)
        .first()
        if code
        else None
    )
    return TemplateResponse(
        request,
        "fulfillment/verify.html",
        {"code": code, "order": found},
        status=404 if code and found is None else 200,
    )
