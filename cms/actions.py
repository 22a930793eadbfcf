"""Writes on a tenant's Wagtail content. Run inside the tenant's schema."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from wagtail.models import Page, Site

from cms.cache import purge_tenant_page_cache
from cms.easy_read import PARTS, EasyReadPage, SignLanguagePage
from cms.easy_read_texts import (
    EASY_READ_TITLE,
    SIGN_LANGUAGE_TITLE,
    easy_read_intro,
    easy_read_parts,
    sign_language_intro,
    sign_language_transcripts,
)
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


DEMO_MEDIA = Path(__file__).resolve().parent / "content" / "dgs"


def _demo_document(title: str, filename: str):
    """A Wagtail document from the project's own demo media (once per portal)."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    model = get_document_model()
    document = model.objects.filter(title=title).first()
    if document is None:
        data = (DEMO_MEDIA / filename).read_bytes()
        document = model(title=title, file=ContentFile(data, name=filename))
        document.save()
    return document


@transaction.atomic
def create_accessibility_pages(*, home: Page, name: str, district: bool) -> list[Page]:
    """The portal's Leichte-Sprache and Gebärdensprache pages (§ 4 BITV 2.0), published, with
    starting texts made from the portal's name; the sign-language slots hold the project's
    clearly marked demo video (captions and text alternative included) until the municipality
    uploads its own.

    Idempotent: a page that exists already is left as the editors made it.
    """
    created: list[Page] = []
    if not EasyReadPage.objects.exists():
        page = home.add_child(
            instance=EasyReadPage(
                title=EASY_READ_TITLE,
                slug="leichte-sprache",
                intro=easy_read_intro(name),
                body=easy_read_parts(name, district=district),
            )
        )
        page.save_revision().publish()
        created.append(page)
    if not SignLanguagePage.objects.exists():
        video = _demo_document("Demo-Video Gebärdensprache (Platzhalter)", "demo-dgs.webm")
        captions = _demo_document("Demo-Untertitel Gebärdensprache", "demo-dgs.vtt")
        transcripts = sign_language_transcripts(name)
        headings = {
            "content": "Inhalt",
            "navigation": "Navigation",
            "accessibility": "Barrierefreiheit",
            "more": "Weitere Informationen",
        }
        body = [
            (
                part,
                {
                    "heading": headings[part],
                    "video": video,
                    "captions": captions,
                    "transcript": transcripts[part],
                    "is_demo": True,
                },
            )
            for part, _label in PARTS
        ]
        page = home.add_child(
            instance=SignLanguagePage(
                title=SIGN_LANGUAGE_TITLE,
                slug="gebaerdensprache",
                intro=sign_language_intro(name),
                body=body,
            )
        )
        page.save_revision().publish()
        created.append(page)
    return created


def _send_barrier_report_mail(report_id: str) -> None:
    from django.core.mail import send_mail
    from django.db import connection

    from cms.accessibility import BarrierReport

    tenant = getattr(connection, "tenant", None)
    recipient = getattr(tenant, "contact_email", "")
    report = BarrierReport.objects.filter(pk=report_id).first()
    if report is None or not recipient:
        return
    lines = [
        f"Neue Barrieremeldung im Bürgerportal {tenant.name}",
        "",
        f"Eingegangen: {report.created_at:%d.%m.%Y %H:%M}",
        f"Seite: {report.page_url or '–'}",
        f"Name: {report.name or '–'}",
        f"E-Mail für die Antwort: {report.email or '–'}",
        "",
        report.description,
        "",
        "Bitte antworten Sie innerhalb von zwei bis höchstens sechs Wochen (§ 5 BITVNRW) und "
        "weisen Sie auf das Ombudsverfahren nach § 10d BGG NRW hin.",
    ]
    send_mail(
        f"Barrieremeldung: {report.description[:60]}",
        "\n".join(lines),
        None,
        [recipient],
        fail_silently=True,  # the report is stored; the editors see it in the admin regardless
    )


@transaction.atomic
def do_report_barrier(*, page_url: str, description: str, name: str, email: str):
    """Store a visitor's barrier report and, after commit, mail it to the portal's contact
    address (the tenant's imprint e-mail). Returns the report."""
    from cms.accessibility import BarrierReport

    report = BarrierReport.objects.create(
        page_url=page_url.strip()[:500],
        description=description,
        name=name.strip(),
        email=email.strip(),
    )
    transaction.on_commit(lambda: _send_barrier_report_mail(str(report.pk)))
    return report


@transaction.atomic
def do_record_accessibility_check(*, checked_at, tool: str, rules: str, pages: list[dict]):
    """Store the results of an automated check of the current portal (cited by its
    accessibility statement). `pages`: [{"path": …, "violations": n}, …]."""
    from cms.accessibility import AccessibilityCheck

    clean_pages = [
        {"path": str(page["path"])[:300], "violations": int(page["violations"])} for page in pages
    ]
    check = AccessibilityCheck.objects.create(
        checked_at=checked_at, tool=tool[:100], rules=rules[:200], pages=clean_pages
    )
    # the statement page shows it: this portal's cached pages go (now, in this tenant's
    # context; a callback after commit would run wherever the caller's outer block ends)
    purge_tenant_page_cache()
    return check
