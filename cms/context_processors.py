"""Per-tenant page chrome for every citizen template: branding, legal links, main navigation.
Lazy: a page that does not render a piece does not pay for its queries; kept per process until
it changes (cms.chrome), so a page rendered again pays none."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from cms.branding import BrandingSettings
from cms.chrome import chrome_pages, kept
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
    (cms.chrome.chrome_pages: one query)."""

    def load() -> dict:
        pages = chrome_pages(request, Site.find_for_request(request))
        return {
            "nav": _with_urls(pages["nav"]),
            "legal": _with_urls(pages["legal"]),
            "access": pages["access"],
        }

    return kept(request, "pages", load)


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
