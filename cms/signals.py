"""Publishing hooks: the district's news reach the public read model; every publish purges the
tenant's page cache."""

from __future__ import annotations

from django.db import connection, transaction
from django.dispatch import receiver
from django_tenants.utils import tenant_context
from wagtail.signals import page_published, page_unpublished

from cms.cache import purge_tenant_page_cache
from cms.district_news.models import DistrictNewsItem
from cms.news import NewsArticlePage
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
