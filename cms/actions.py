"""Writes on a tenant's Wagtail content. Run inside the tenant's schema."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page, Site

from cms.home import HomePage
from cms.legal import LegalKind, LegalPage, legal_draft_body

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


@transaction.atomic
def create_legal_drafts(*, home: Page, data: dict) -> list[LegalPage]:
    """Impressum, Datenschutzerklärung and Erklärung zur Barrierefreiheit as drafts under the
    home page, from the templates in cms.legal filled with `data` (Tenant.imprint_data()).

    Idempotent: a kind that exists already (draft or live) is left as the editors made it.
    Drafts are not served; the footer links only published legal pages.
    """
    created = []
    existing = set(LegalPage.objects.values_list("kind", flat=True))
    for kind, label in LegalKind.choices:
        if kind in existing or home.get_children().filter(slug=kind).exists():
            continue
        page = home.add_child(
            instance=LegalPage(
                title=str(label),
                slug=kind,
                kind=kind,
                body=legal_draft_body(kind, data),
                live=False,
            )
        )
        page.save_revision()
        created.append(page)
    return created
