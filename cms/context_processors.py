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


def _access_pages(request) -> dict[str, str]:
    """URLs of the live Leichte-Sprache and Gebärdensprache pages (header of every page)."""
    from cms.easy_read import EasyReadPage, SignLanguagePage

    site = Site.find_for_request(request)
    found = {}
    for key, model in (("easy_read", EasyReadPage), ("sign_language", SignLanguagePage)):
        page = model.objects.live().public().first()
        if page is not None:
            found[key] = page.get_url(request=request, current_site=site)
    return found


def portal(request) -> dict:
    district = {"district_name": SimpleLazyObject(lambda: district_name("Kreis"))}
    if not in_tenant_schema():
        return district
    return {
        **district,
        "branding": SimpleLazyObject(lambda: _branding(request)),
        "legal_pages": SimpleLazyObject(_legal_pages),
        "nav_pages": SimpleLazyObject(lambda: _nav_pages(request)),
        "access_pages": SimpleLazyObject(lambda: _access_pages(request)),
    }
