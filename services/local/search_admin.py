"""Wagtail admin of a tenant: what citizens searched for and did not find, and the local
search words editors add from there ("Wertstoffhof" → the service), effective at once for this
tenant only. Registered by services/local/wagtail_hooks.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from services.local.models import LocalSynonym, SearchQueryStat
from services.local.search_actions import (
    SynonymError,
    do_add_local_synonym,
    do_remove_local_synonym,
)
from services.local.search_selectors import district_search_stats
from services.search import search_services
from tenants.models import Tenant

LIST_LENGTH = 100


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(f"services_local.{permission}"):
        raise PermissionDenied


def search_report(request: HttpRequest) -> HttpResponse:
    """Searches with no or only partial results first, then the most frequent searches."""
    _require(request, "view_searchquerystat")
    stats = SearchQueryStat.objects.all()
    not_found = (stats.filter(empty__gt=0) | stats.filter(partial__gt=0)).order_by(
        -(F("empty") + F("partial")), "-searches", "query"
    )[:LIST_LENGTH]
    # found, but no citizen opened a result: the words lead to the wrong services
    no_click = stats.filter(empty=0, partial=0, clicks=0).order_by("-searches", "query")[
        :LIST_LENGTH
    ]
    return TemplateResponse(
        request,
        "services/admin/search_report.html",
        {
            "not_found": not_found,
            "no_click": no_click,
            "top": stats.order_by("-searches", "query")[:LIST_LENGTH],
            "synonyms": LocalSynonym.objects.select_related("service")[:500],
            "can_add": request.user.has_perm("services_local.add_localsynonym"),
            "is_district": _is_district(request),
            "page_title": "Suchanfragen",
            "header_icon": "search",
        },
    )


def _is_district(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is not None and tenant.kind == Tenant.Kind.DISTRICT


def district_report(request: HttpRequest) -> HttpResponse:
    """The same lists summed over all portals of the district, for the district's editors only
    (on a municipality's admin this address does not exist)."""
    if not _is_district(request):
        raise Http404
    _require(request, "view_searchquerystat")
    return TemplateResponse(
        request,
        "services/admin/search_report_district.html",
        {
            **district_search_stats(),
            "page_title": "Suchanfragen im ganzen Kreis",
            "header_icon": "search",
        },
    )


def synonym_add(request: HttpRequest) -> HttpResponse:
    """Step 1: the search word and a catalogue search for the service; step 2 (POST): save."""
    _require(request, "add_localsynonym")
    term = (request.POST.get("term") or request.GET.get("begriff") or "").strip()[:200]
    lookup = (request.GET.get("leistung") or "").strip()[:200]
    error = ""
    if request.method == "POST":
        try:
            do_add_local_synonym(term=term, leika_key=request.POST.get("leika_key", ""))
        except SynonymError as exc:
            error = str(exc)
        else:
            return redirect(reverse("search_report") + "#synonyme")
    hits = search_services(lookup, limit=20).hits if lookup else []
    return TemplateResponse(
        request,
        "services/admin/synonym_add.html",
        {
            "term": term,
            "lookup": lookup,
            "hits": hits,
            "error": error,
            "page_title": "Örtlichen Suchbegriff anlegen",
            "header_icon": "search",
        },
        status=400 if error else 200,
    )


def synonym_remove(request: HttpRequest, synonym_id) -> HttpResponse:
    _require(request, "delete_localsynonym")
    if request.method != "POST":
        return redirect("search_report")
    synonym = LocalSynonym.objects.filter(pk=synonym_id).first()
    if synonym is None:
        raise Http404
    do_remove_local_synonym(synonym=synonym)
    return redirect(reverse("search_report") + "#synonyme")


urlpatterns = [
    path("suche/", search_report, name="search_report"),
    path("suche/kreis/", district_report, name="search_report_district"),
    path("suche/suchbegriff/neu/", synonym_add, name="search_synonym_add"),
    path(
        "suche/suchbegriff/<uuid:synonym_id>/entfernen/",
        synonym_remove,
        name="search_synonym_remove",
    ),
]


def is_shown(request: HttpRequest) -> bool:
    return request.user.has_perm("services_local.view_searchquerystat")
