"""Citizen pages of the catalogue (tenant hosts) and the district-wide finder."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from services import selectors
from services.accounts.access import TrustCheck, trust_check
from services.finder import find_responsible
from services.local.models import Responsibility
from services.local.search_actions import do_record_click, do_record_search
from services.models import LifeSituation, Topic
from services.online_offers import online_keys
from services.search import search_services
from tenants.models import Tenant
from tenants.selectors import in_tenant_schema

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("seite"))


def catalogue_index(request: HttpRequest) -> HttpResponse:
    """Search box, results, A–Z, topics and life situations."""
    query = request.GET.get("q", "").strip()
    result = search_services(query, limit=PAGE_SIZE) if query else None
    if result is not None and in_tenant_schema():
        # counted for the editors' "not found" list: normalised words and counters only
        do_record_search(query=result.query, total=result.total, partial=result.partial)
    online = online_keys() if result is not None and result.hits else None
    online_only = request.GET.get("online") == "1"
    if result is not None and online_only:  # "nur online erledigen": among the best hits
        hits = [hit for hit in result.hits if online and hit.leika_key in online]
        result = dataclasses.replace(result, hits=hits, total=len(hits))
    return TemplateResponse(
        request,
        "services/index.html",
        {
            "query": query,
            "result": result,
            "letters": selectors.LETTERS,
            "topics": Topic.objects.all(),
            "life_situations": LifeSituation.objects.all(),
            "online_keys": online,
            "online_only": online_only,
        },
    )


def _same_origin(request: HttpRequest) -> bool:
    """The beacon came from a page of this portal: its Origin names this host (browsers send
    Origin with every POST), or, where a browser left Origin out, Sec-Fetch-Site says so."""
    origin = request.headers.get("Origin", "")
    if origin and origin != "null":
        return origin.split("://", 1)[-1] == request.get_host()
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


@csrf_exempt
@require_POST
def search_click(request: HttpRequest) -> HttpResponse:
    """A click on a search result, sent by the results page with navigator.sendBeacon
    (services/static/services/search-clicks.js): counts +1 "with click" for the normalised
    query in this tenant's statistics — no IP, no account, no time of the click.

    POST only (a prefetcher following links counts nothing), without a CSRF token because a
    beacon cannot carry one and there is no session state to protect: instead the request
    must come from this portal's own pages (Origin/Sec-Fetch-Site), name a searched query
    and a service of the catalogue. Without JavaScript results work the same, uncounted."""
    if not _same_origin(request):
        return JsonResponse({"error": "Nur von den Seiten dieses Portals."}, status=403)
    query = request.POST.get("q", "").strip()[:200]
    key = request.POST.get("leistung", "").strip()
    if not query:
        return JsonResponse({"error": "Suchanfrage fehlt (Feld q)."}, status=400)
    if not selectors.service_exists(key):
        return JsonResponse({"error": "Unbekannte Leistung (Feld leistung)."}, status=400)
    if not in_tenant_schema() or not do_record_click(query=query):
        return JsonResponse({"error": "Diese Suchanfrage wurde hier nicht gezählt."}, status=404)
    return HttpResponse(status=204)


def by_letter(request: HttpRequest, letter: str) -> HttpResponse:
    page = _page(request, selectors.services_by_initial(letter))
    return TemplateResponse(
        request,
        "services/list.html",
        {
            "heading": gettext("Leistungen von A bis Z: %(letter)s") % {"letter": letter.upper()},
            "page": page,
            "letters": selectors.LETTERS,
            "letter": letter.upper(),
        },
    )


def by_topic(request: HttpRequest, slug: str) -> HttpResponse:
    renamed = selectors.renamed_topic(slug)
    if renamed is not None:  # an address from before the transliterated slugs
        return HttpResponsePermanentRedirect(reverse("services:topic", args=[renamed.slug]))
    topic = selectors.access_topic(slug)
    page = _page(request, selectors.services_in(topic=topic))
    return TemplateResponse(
        request,
        "services/list.html",
        {"heading": gettext("Thema: %(name)s") % {"name": topic.name}, "page": page},
    )


def by_life_situation(request: HttpRequest, slug: str) -> HttpResponse:
    renamed = selectors.renamed_life_situation(slug)
    if renamed is not None:  # an address from before the transliterated slugs
        target = reverse("services:life-situation", args=[renamed.slug])
        return HttpResponsePermanentRedirect(target)
    situation = selectors.access_life_situation(slug)
    page = _page(request, selectors.services_in(life_situation=situation))
    return TemplateResponse(
        request,
        "services/list.html",
        {"heading": gettext("Lebenslage: %(name)s") % {"name": situation.name}, "page": page},
    )


def service_detail(request: HttpRequest, leika_key: str) -> HttpResponse:
    service = selectors.access_service(leika_key)
    local = selectors.local_part(service)
    district_link = ""
    if local is not None and local.responsibility == Responsibility.DISTRICT:
        district = selectors.district_tenant()
        if district is not None:
            district_link = selectors.portal_url(
                district,
                scheme=request.scheme,
                port=request.get_port(),
                path=reverse("services:detail", args=[service.leika_key]),
            )
    office = local.office if local else None
    application_form = selectors.online_application(local)
    if application_form is not None:
        # our own form asks for the right sign-in itself; warn only a citizen signed in too low
        trust = _trust_check(request, application_form.min_trust_level)
        if trust and not trust.reached_label:
            trust = None
    else:
        trust = _trust_check(request, _min_level(local))
    fee_cents = local.fee_cents if local and local.fee_cents is not None else service.fee_cents
    now = timezone.localtime()
    response = TemplateResponse(
        request,
        "services/detail.html",
        {
            "service": service,
            "local": local,
            "office": office,
            "open_now": office.is_open_at(now) if office else None,
            "fee_cents": fee_cents,
            "district_link": district_link,
            "trust": trust,
            "application_form": application_form,
        },
    )
    if office is not None:
        # "Jetzt geöffnet" is true until the office's next opening or closing time: caches
        # (the page cache, browsers) keep the page no longer than that
        response["Cache-Control"] = f"max-age={_seconds_until_hours_change(office, now)}"
    return response


def _seconds_until_hours_change(office, now) -> int:
    """Seconds until the office next opens or closes (at most a day)."""
    limit = 24 * 3600
    changes = []
    for days in range(2):
        day = now.date() + timedelta(days=days)
        for slot in office.opening_hours:
            if int(slot["weekday"]) != day.weekday():
                continue
            for at in (slot["opens"], slot["closes"]):
                moment = timezone.make_aware(datetime.combine(day, time.fromisoformat(at)))
                if moment > now:
                    changes.append(int((moment - now).total_seconds()))
    return max(min([limit, *changes]), 1)


def _min_level(local) -> str:
    return getattr(local, "min_trust_level", "") if local else ""


def _trust_check(request: HttpRequest, required: str) -> TrustCheck | None:
    """Whether the signed-in citizen's trust level suffices for this service's online form."""
    return trust_check(request, required) if required else None


def finder(request: HttpRequest) -> HttpResponse:
    """ "I live in <municipality> and need <service>" (district host and public host)."""
    municipalities = Tenant.objects.filter(kind=Tenant.Kind.MUNICIPALITY).order_by("name")
    slug = request.GET.get("gemeinde", "")
    query = request.GET.get("q", "").strip()
    key = request.GET.get("leistung", "")
    municipality = municipalities.filter(slug=slug).first() if slug else None
    errors = []
    if slug and municipality is None:
        errors.append(gettext("Bitte wählen Sie eine Gemeinde aus der Liste."))
    answer = None
    if key and municipality is not None:
        answer = find_responsible(service=selectors.access_service(key), municipality=municipality)
    result = search_services(query, limit=10) if query and not key else None
    portal_link = ""
    if answer is not None and answer.portal is not None:
        portal_link = selectors.portal_url(
            answer.portal,
            scheme=request.scheme,
            port=request.get_port(),
            path=reverse("services:detail", args=[answer.service.leika_key]),
        )
    return TemplateResponse(
        request,
        "services/finder.html",
        {
            "municipalities": municipalities,
            "municipality": municipality,
            "query": query,
            "result": result,
            "answer": answer,
            "portal_link": portal_link,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
