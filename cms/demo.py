"""Demo content of every tenant's site: branding and logo, home page, news, an "about" page
and the three legal pages, from cms/content/demo_content.json (fictional, marked as demo).

Idempotent: creates what is missing and never overwrites what an editor changed.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.html import escape
from django_tenants.utils import tenant_context
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.actions import DEFAULT_INTRO, create_accessibility_pages
from cms.branding import BrandingSettings
from cms.content import ContentPage
from cms.home import HomePage
from cms.legal import LegalKind, LegalPage
from cms.news import NewsArticlePage, NewsIndexPage
from kreisportal.text import german_slugify
from services.local.models import Office
from tenants.models import Tenant

CONTENT_FILE = Path(__file__).resolve().parent / "content" / "demo_content.json"
TOP_SERVICES = [
    "99008001012000",
    "99085001012000",
    "99115005104000",
    "99102013002000",
    "99050012104000",
    "99001009004002",
    "99027002012000",
    "99049001001001",
]
DISTRICT_TOP_SERVICES = [
    "99036008007000",
    "99023001012000",
    "99012007033000",
    "99015007012001",
    "99041006017000",
    "99099002006000",
    "99067004001000",
    "99012008001000",
]


def load_demo_content(path: Path = CONTENT_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{escape(text)}</p>" for text in texts)


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    return page


def _child(parent: Page, model, slug: str, **fields) -> Page:
    # by title too: a page seeded before slugs were transliterated keeps its old slug
    existing = parent.get_children().filter(Q(slug=slug) | Q(title=fields["title"])).first()
    if existing is not None:
        return existing.specific
    page = parent.add_child(instance=model(slug=slug, **fields))
    return _publish(page)


def _logo(tenant: Tenant, svg: str):
    image_model = get_image_model()
    title = f"Logo {tenant.name}"
    image = image_model.objects.filter(title=title).first()
    if image is None:
        image = image_model(
            title=title, file=ContentFile(svg.encode("utf-8"), name=f"logo-{tenant.slug}.svg")
        )
        image.save()
    return image


def _branding(tenant: Tenant, data: dict) -> None:
    site = Site.objects.get(is_default_site=True)
    branding = BrandingSettings.for_site(site)
    if branding.logo_id:  # already set up (or chosen by an editor): leave it
        return
    colours = data["branding"]
    branding.logo = _logo(tenant, data["logo_svg"])
    branding.primary_colour = colours["primary_color"]
    branding.accent_colour = colours["accent_color"]
    branding.font = colours["font"]
    branding.header_variant = colours["header_variant"]
    branding.footer_text = f"{tenant.name} · Demo-Installation des Kreisportals"
    branding.full_clean()
    branding.save()


def _home(tenant: Tenant, data: dict) -> HomePage:
    home = HomePage.objects.get()
    if home.intro in ("", DEFAULT_INTRO):
        home.intro = data["home"]["hero_intro"]
        keys = DISTRICT_TOP_SERVICES if tenant.kind == Tenant.Kind.DISTRICT else TOP_SERVICES
        home.top_services = [("service", key) for key in keys]
        _publish(home)
    return home


def _news(home: HomePage, items: list[dict]) -> None:
    index = _child(
        home,
        NewsIndexPage,
        "aktuelles",
        title="Aktuelles",
        show_in_menus=True,
        intro="Neuigkeiten aus der Verwaltung.",
    )
    for item in items:
        slug = german_slugify(item["title"])[:80]
        if index.get_children().filter(Q(slug=slug) | Q(title=item["title"])).exists():
            continue
        article = NewsArticlePage(
            title=item["title"],
            slug=slug,
            date=date.fromisoformat(item["date"]),
            teaser=item["teaser"],
            body=[("paragraph", _paragraphs(item["body"]))],
        )
        index.add_child(instance=article)
        article.tags.add(*item.get("tags", []))
        _publish(article)


def _about(home: HomePage, tenant: Tenant, about: dict, keys: list[str]) -> None:
    body = [("paragraph", _paragraphs([about["intro"]]))]
    for section in about.get("sections", []):
        body += [("heading", section["heading"]), ("paragraph", _paragraphs([section["text"]]))]
    if about.get("faq"):
        body.append(
            (
                "accordion",
                [
                    {"question": item["question"], "answer": _paragraphs([item["answer"]])}
                    for item in about["faq"]
                ],
            )
        )
    office = Office.objects.filter(name__contains="Zentrale").first() or Office.objects.first()
    if office is not None:
        body.append(("contact", {"office": office}))
    body.append(("services", {"heading": "Häufig gesuchte Leistungen", "services": keys[:5]}))
    _child(
        home,
        ContentPage,
        german_slugify(about["title"])[:80],
        title=about["title"],
        intro=about["intro"],
        body=body,
        show_in_menus=True,
    )


def _legal(home: HomePage, tenant: Tenant, contact: dict, templates: dict) -> None:
    values = {"name": tenant.name, **contact}
    for kind in LegalKind.values:
        if LegalPage.objects.filter(kind=kind).live().exists():
            continue
        template = templates[kind]
        paragraphs = [text.format(**values) for text in template["paragraphs"]]
        draft = LegalPage.objects.filter(kind=kind).first()
        if draft is not None:  # the provisioning's template draft: the demo text replaces it
            draft.title = template["title"]
            draft.body = _paragraphs(paragraphs)
            draft.last_reviewed = date(2026, 11, 1)
            _publish(draft)
            continue
        _child(
            home,
            LegalPage,
            kind,
            title=template["title"],
            kind=kind,
            body=_paragraphs(paragraphs),
            last_reviewed=date(2026, 11, 1),
        )


def seed_tenant_site(tenant: Tenant, data: dict, legal_templates: dict) -> None:
    with tenant_context(tenant), transaction.atomic():
        _branding(tenant, data)
        home = _home(tenant, data)
        _news(home, data["news"])
        keys = DISTRICT_TOP_SERVICES if tenant.kind == Tenant.Kind.DISTRICT else TOP_SERVICES
        _about(home, tenant, data["about_page"], keys)
        _legal(home, tenant, data["contact"], legal_templates)
        create_accessibility_pages(
            home=home, name=tenant.name, district=tenant.kind == Tenant.Kind.DISTRICT
        )


def seed_demo_cms() -> str:
    content = load_demo_content()
    seeded = []
    # the district first: its news feed the municipalities' "Aus dem Kreis"
    for tenant in Tenant.objects.portals().order_by("kind", "slug"):
        data = content["tenants"].get(tenant.slug)
        if data is None:
            continue
        seed_tenant_site(tenant, data, content["legal_templates"])
        seeded.append(tenant.slug)
    return f"demo content: {len(seeded)} sites ({', '.join(seeded)})"
