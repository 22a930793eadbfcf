"""The cms side of the tenant actions (tenants.hooks): a new portal gets its Wagtail site; a
restored one gets its site pointed to its new host and, for a district, its news read model."""

from __future__ import annotations

from django_tenants.utils import tenant_context
from wagtail.models import Site

from cms.actions import create_accessibility_pages, create_legal_drafts, set_up_tenant_site
from cms.branding import BrandingSettings
from cms.cache import purge_tenant_page_cache
from cms.district_news.models import DistrictNewsItem
from cms.legal import TO_COMPLETE, LegalKind, legal_pages_to_complete, missing_legal_kinds
from cms.news import NewsArticlePage
from tenants.errors import TenantActionError
from tenants.models import Tenant


def set_up_portal_site(*, tenant: Tenant, hostname: str) -> None:
    with tenant_context(tenant):
        site = set_up_tenant_site(site_name=tenant.name, hostname=hostname)
        create_legal_drafts(home=site.root_page, data=tenant.imprint_data())
        create_accessibility_pages(
            home=site.root_page, name=tenant.name, district=tenant.kind == Tenant.Kind.DISTRICT
        )


def add_go_live_items(*, tenant: Tenant, open_items: list[str]) -> None:
    """The cms part of the go-live checklist: what is still open, in German."""
    from django.contrib.auth import get_user_model

    with tenant_context(tenant):
        open_items.extend(f"{label} veröffentlichen" for label in missing_legal_kinds())
        open_items.extend(
            f"{LegalKind(page.kind).label}: die mit „{TO_COMPLETE}“ markierten Stellen "
            "ausfüllen und neu veröffentlichen"
            for page in legal_pages_to_complete()
        )
        site = Site.objects.filter(is_default_site=True).first()
        if site is None or BrandingSettings.for_site(site).logo_id is None:
            open_items.append("Branding festlegen (Logo und Farben)")
        editors = get_user_model().objects.filter(
            is_active=True,
            groups__name__in=["Editors", "Moderators", "Redaktion"],
            last_login__isnull=False,
        )
        if not editors.exists():
            open_items.append("mindestens eine Redakteurin oder ein Redakteur hat sich angemeldet")


def point_restored_site(*, tenant: Tenant, hostname: str) -> None:
    with tenant_context(tenant):
        site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
        if site is None:
            raise TenantActionError("the backup has no Wagtail site")
        Site.objects.exclude(pk=site.pk).delete()
        site.hostname = hostname
        site.port = 80
        site.save()
        Site.clear_site_root_paths_cache()
        purge_tenant_page_cache()
    if tenant.kind == Tenant.Kind.DISTRICT:
        rebuild_district_news(tenant)


def rebuild_district_news(tenant: Tenant) -> None:
    """The public read model of the district's published news (shown on every portal)."""
    with tenant_context(tenant):
        items = []
        for article in NewsArticlePage.objects.live().specific():
            parts = article.get_url_parts()
            items.append(
                DistrictNewsItem(
                    page_id=article.pk,
                    title=article.title,
                    teaser=article.teaser,
                    date=article.date,
                    path=parts[2] if parts else article.url_path,
                )
            )
    DistrictNewsItem.objects.all().delete()
    DistrictNewsItem.objects.bulk_create(items)
