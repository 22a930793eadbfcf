"""Per-tenant page chrome for every citizen template: branding, legal links, main navigation.
Lazy: a page that does not render a piece does not pay for its queries; kept per process until
it changes (cms.chrome), so a page rendered again pays none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from wagtail.models import Page, Site

from cms.branding import BrandingSettings
from cms.chrome import is_private, kept, view_restrictions
from cms.easy_read import EasyReadPage, SignLanguagePage
from cms.legal import LegalKind, LegalPage
from tenants.selectors import district_name, in_tenant_schema


def _branding(request):
    def load():
        site = Site.find_for_request(request)
        if site is None:
            return None
        # the settings row with its logo in one query (for_site creates a missing row)
        branding = BrandingSettings.objects.select_related("logo").filter(site=site).first()
        return branding if branding is not None else BrandingSettings.for_site(site)

    return kept(request, "branding", load)


def _pages(request) -> dict:
    """Navigation, legal links and the Leichte-Sprache/Gebärdensprache links, read together
    (`chrome_pages`: one query)."""

    def load() -> dict:
        pages = chrome_pages(request, Site.find_for_request(request))
        return {
            "nav": _with_urls(pages["nav"]),
            "legal": _with_urls(pages["legal"]),
            "access": pages["access"],
        }

    return kept(request, "pages", load)


def chrome_pages(request: HttpRequest, site) -> dict[str, Any]:
    """The pages the chrome links, in one query: the main navigation (live children of the
    site's root shown in menus), the legal pages and the Leichte-Sprache and Gebärdensprache
    pages (live and public). Returns {"nav": [...], "legal": [...], "access": {...}}."""
    restrictions = view_restrictions()
    found: dict[str, Any] = {"nav": [], "legal": [], "access": {}}
    if site is None:
        return found
    root = site.root_page
    # by content type (kept per schema: tenants.content_types), not by joining each page
    # table: OR-ed outer joins made PostgreSQL estimate millions of rows and JIT-compile the
    # query (0.5 s for a dozen pages)
    types = ContentType.objects.get_for_models(LegalPage, EasyReadPage, SignLanguagePage)
    access = {
        types[EasyReadPage].pk: "easy_read",
        types[SignLanguagePage].pk: "sign_language",
    }
    pages = (
        Page.objects.live()
        .filter(
            Q(depth=root.depth + 1, path__startswith=root.path, show_in_menus=True)
            | Q(content_type_id__in=[types[LegalPage].pk, *access])
        )
        .annotate(legal_kind=F("legalpage__kind"))
        .order_by("path")
    )
    legal = []
    for page in pages:
        if page.depth == root.depth + 1 and page.path.startswith(root.path) and page.show_in_menus:
            found["nav"].append(page)
        private = (
            is_private(page.path, restrictions)
            if restrictions is not None
            else page.get_view_restrictions().exists()
        )
        if private:
            continue
        if page.legal_kind:
            legal.append(page)
        key = access.get(page.content_type_id)
        if key and key not in found["access"]:
            found["access"][key] = page.get_url(request=request, current_site=site)
    order = [value for value, _ in LegalKind.choices]
    found["legal"] = sorted(legal, key=lambda page: order.index(page.legal_kind))
    return found


def _with_urls(pages) -> list[Link]:
    return [Link(title=page.title, url=page.url) for page in pages]


@dataclass(frozen=True)
class Link:
    title: str
    url: str


def portal(request) -> dict:
    district = {
        "district_name": SimpleLazyObject(
            lambda: kept(request, "district_name", lambda: district_name("Kreis"))
        )
    }
    if not in_tenant_schema():
        return district
    return {
        **district,
        "branding": SimpleLazyObject(lambda: _branding(request)),
        "legal_pages": SimpleLazyObject(lambda: _pages(request)["legal"]),
        "nav_pages": SimpleLazyObject(lambda: _pages(request)["nav"]),
        "access_pages": SimpleLazyObject(lambda: _pages(request)["access"]),
    }
