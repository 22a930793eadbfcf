"""Publishing hooks: the district's news reach the public read model; every publish purges the
tenant's page cache, and so does every change of what cached pages show (branding, the local
catalogue data of a service page, a catalogue import: cms/cache.py)."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import tenant_context
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.branding import BrandingSettings
from cms.cache import (
    purge_all_page_caches,
    purge_tenant_page_cache,
    purge_tenant_page_cache_on_commit,
)
from cms.district_news.models import DistrictNewsItem
from cms.news import NewsArticlePage
from services.applications.models import ApplicationForm
from services.appointments.models import OfficeSchedule, OfficeService
from services.local.models import LocalService, Office
from tenants.models import Tenant


def _is_district() -> bool:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "kind", "") == "district"


def _purge_municipal_caches() -> None:
    """District news show on every municipal home page ("Aus dem Kreis")."""
    for tenant in Tenant.objects.filter(kind=Tenant.Kind.MUNICIPALITY):
        with tenant_context(tenant):
            purge_tenant_page_cache()


@receiver(page_published)
def _page_published(sender, instance, **kwargs) -> None:
    purge_tenant_page_cache()
    if _is_district() and isinstance(instance.specific, NewsArticlePage):
        transaction.on_commit(_purge_municipal_caches)

        article = instance.specific
        url_parts = article.get_url_parts()
        DistrictNewsItem.objects.update_or_create(
            page_id=article.pk,
            defaults={
                "title": article.title,
                "teaser": article.teaser,
                "date": article.date,
                "path": url_parts[2] if url_parts else article.url_path,
            },
        )


@receiver(page_unpublished)
def _page_unpublished(sender, instance, **kwargs) -> None:
    purge_tenant_page_cache()
    if _is_district():
        transaction.on_commit(_purge_municipal_caches)

        DistrictNewsItem.objects.filter(page_id=instance.pk).delete()


# What a cached page shows besides Wagtail pages: the chrome's branding, and on a service page
# the tenant's local part of the service, its office, its online form and its appointments;
# Wagtail's redirects (a cached 404 may have become one) and view restrictions (a private page
# leaves the menu and the legal links).
_SHOWN_ON_CACHED_PAGES = [BrandingSettings, LocalService, Office, ApplicationForm]
_SHOWN_ON_CACHED_PAGES += [OfficeSchedule, OfficeService, Redirect, PageViewRestriction]


def _shown_data_changed(sender, **kwargs) -> None:
    purge_tenant_page_cache_on_commit()


for _model in _SHOWN_ON_CACHED_PAGES:
    post_save.connect(_shown_data_changed, sender=_model, dispatch_uid=f"page-cache-{_model}")
    post_delete.connect(_shown_data_changed, sender=_model, dispatch_uid=f"page-cache-d-{_model}")


@receiver(post_page_move)
def _page_moved(sender, **kwargs) -> None:
    """A moved page has a new address (menu, links, the old address now 404)."""
    purge_tenant_page_cache_on_commit()


def catalogue_imported() -> None:
    """The shared catalogue changed: every tenant's service pages (receiver of
    services.hooks.catalogue_changed)."""
    purge_all_page_caches()
