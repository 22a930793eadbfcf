"""Per-tenant page chrome for every citizen template: branding, legal links, main navigation.
Lazy: a page that does not render a piece does not pay for its queries; kept per process until
it changes (cms.chrome), so a page rendered again pays none."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from cms.branding import BrandingSettings
from cms.chrome import kept
from cms.legal import legal_pages
from tenants.selectors import district_name, in_tenant_schema


def _branding(request):
    def load():
        site = Site.find_for_request(request)
        branding = BrandingSettings.for_site(site) if site else None
        if branding is not None and branding.logo_id:
            branding.logo  # noqa: B018 - loaded now, kept with the chrome (cms.chrome)
        return branding

    return kept(request, "branding", load)


def _legal_pages(request):
    return kept(request, "legal_pages", lambda: _with_urls(legal_pages()))


def _nav_pages(request):
    def load():
        site = Site.find_for_request(request)
        if site is None:
            return []
        children = site.root_page.get_children().live().in_menu().only("title", "url_path")
        return _with_urls(children)

    return kept(request, "nav_pages", load)


def _with_urls(pages) -> list[Link]:
    return [Link(title=page.title, url=page.url) for page in pages]


@dataclass(frozen=True)
class Link:
    title: str
    url: str


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
        "legal_pages": SimpleLazyObject(lambda: _legal_pages(request)),
        "nav_pages": SimpleLazyObject(lambda: _nav_pages(request)),
        "access_pages": SimpleLazyObject(
            lambda: kept(request, "access_pages", lambda: _access_pages(request))
        ),
    }
