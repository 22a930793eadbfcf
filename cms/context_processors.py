"""Per-tenant page chrome for every citizen template: branding, legal links, main navigation.
Lazy: a page that does not render a piece does not pay for its queries."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from cms.branding import BrandingSettings
from cms.legal import legal_pages
from tenants.selectors import district_name, in_tenant_schema


def _branding(request):
    site = Site.find_for_request(request)
    return BrandingSettings.for_site(site) if site else None


def _legal_pages():
    return legal_pages()


def _nav_pages(request):
    site = Site.find_for_request(request)
    if site is None:
        return []
    return list(site.root_page.get_children().live().in_menu().only("title", "url_path"))


def portal(request) -> dict:
    district = {"district_name": SimpleLazyObject(lambda: district_name("Kreis"))}
    if not in_tenant_schema():
        return district
    return {
        **district,
        "branding": SimpleLazyObject(lambda: _branding(request)),
        "legal_pages": SimpleLazyObject(_legal_pages),
        "nav_pages": SimpleLazyObject(lambda: _nav_pages(request)),
    }
