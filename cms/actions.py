"""Writes on a tenant's Wagtail content. Run inside the tenant's schema."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page, Site

from cms.home import HomePage

DEFAULT_INTRO = (
    "Willkommen im Bürgerportal. Hier finden Sie Dienstleistungen, Ansprechpartner "
    "und Neuigkeiten aus Ihrer Verwaltung."
)


@transaction.atomic
def set_up_tenant_site(*, site_name: str, hostname: str) -> Site:
    """Give the current tenant its Wagtail site: a home page as root, the tenant's host name.

    Idempotent. A freshly cloned schema carries Wagtail's welcome page from the template; it is
    replaced by the tenant's home page on first run.
    """
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        for welcome in root.get_children().exclude(content_type__model="homepage"):
            welcome.delete()
        root.refresh_from_db()
        home = root.add_child(instance=HomePage(title=site_name, slug="home", intro=DEFAULT_INTRO))
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        site = Site(is_default_site=True)
    site.hostname = hostname
    site.port = 80
    site.site_name = site_name
    site.root_page = home
    site.is_default_site = True
    site.save()
    Site.objects.exclude(pk=site.pk).delete()
    return site
