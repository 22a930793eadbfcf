"""Legal pages every tenant must have: Impressum, Datenschutzerklärung, Erklärung zur
Barrierefreiheit. The admin dashboard warns while one is missing."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from cms.chrome import KeptViewRestrictionsMixin


class LegalKind(models.TextChoices):
    IMPRESSUM = "impressum", _("Impressum")
    PRIVACY = "datenschutz", _("Datenschutzerklärung")
    ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")


class LegalPage(KeptViewRestrictionsMixin, Page):
    kind = models.CharField(_("Art"), max_length=20, choices=LegalKind.choices)
    body = RichTextField(_("Text"), features=["h2", "h3", "bold", "italic", "link", "ul", "ol"])
    last_reviewed = models.DateField(_("zuletzt geprüft"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    template = "cms/legal_page.html"

    class Meta:
        app_label = "cms"
        verbose_name = _("Rechtliche Seite")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.kind == LegalKind.ACCESSIBILITY:
            # The statement's live parts: the last automated check, the feedback form and the
            # enforcement bodies (cms.accessibility says which applies and why).
            from cms.accessibility import (
                FEDERAL_SCHLICHTUNGSSTELLE,
                NRW_OMBUDSSTELLE,
                latest_accessibility_check,
            )

            context["accessibility_check"] = latest_accessibility_check()
            context["ombudsstelle"] = NRW_OMBUDSSTELLE
            context["schlichtungsstelle"] = FEDERAL_SCHLICHTUNGSSTELLE
        return context

    def clean(self):
        super().clean()
        duplicate = LegalPage.objects.filter(kind=self.kind).exclude(pk=self.pk)
        if duplicate.exists():
            raise ValidationError({"kind": _("Diese rechtliche Seite gibt es schon.")})


def missing_legal_kinds() -> list[str]:
    """Labels of the legal pages this tenant has not published yet."""
    present = set(LegalPage.objects.live().values_list("kind", flat=True))
    return [label for value, label in LegalKind.choices if value not in present]


def legal_pages_to_complete() -> list[LegalPage]:
    """The published legal pages whose text still has a place marked TO_COMPLETE (the drafts'
    markers were published as they were): the go-live checklist refuses them."""
    order = [value for value, _ in LegalKind.choices]
    pages = LegalPage.objects.live().filter(body__contains=TO_COMPLETE).only("title", "kind")
    return sorted(pages, key=lambda page: order.index(page.kind))


def statement_review_overdue(today: date | None = None) -> bool:
    """True when the published accessibility statement was last reviewed over a year ago (or
    never): the dashboard then reminds the editors (the EU model asks for a yearly review)."""
    from cms.accessibility import REVIEW_INTERVAL

    statement = LegalPage.objects.live().filter(kind=LegalKind.ACCESSIBILITY).first()
    if statement is None:
        return False  # the missing-legal-pages panel says so already
    if statement.last_reviewed is None:
        return True
    return (today or timezone.localdate()) - statement.last_reviewed > REVIEW_INTERVAL


def legal_pages() -> list[LegalPage]:
    order = [value for value, _ in LegalKind.choices]
    pages = list(LegalPage.objects.live().public().only("title", "url_path", "kind"))
    return sorted(pages, key=lambda page: order.index(page.kind))


# --- templates for a new portal's legal pages -----------------------------------------------
# Written for this project. Created as drafts when a portal is provisioned: the Impressum is
# filled from the tenant's master data (tenant administration); every place the municipality
# must complete is marked with TO_COMPLETE, so an editor finds them before publishing.

TO_COMPLETE = "BITTE ERGÄNZEN"


def _mark(what: str) -> str:
    return f"<b>[{TO_COMPLETE}: {escape(what)}]</b>"


def _value(data: dict, key: str, what: str) -> str:
    value = (data.get(key) or "").strip()
    return escape(value) if value else _mark(what)


def _impressum(data: dict) -> str:
    name = escape(data["name"])
    street = _value(data, "address_street", "Straße und Hausnummer")
    place = (
        f"{escape(data['address_postcode'].strip())} {escape(data['address_city'].strip())}"
        if (data.get("address_postcode") or "").strip() and (data.get("address_city") or "").strip()
        else _mark("Postleitzahl und Ort")
    )
    return "".join(
        [
            "<h2>Herausgeber</h2>",
            f"<p>{name}<br/>{street}<br/>{place}</p>",
            f"<p>{name} ist eine Körperschaft des öffentlichen Rechts.</p>",
            "<h2>Vertretungsberechtigt</h2>",
            f"<p>{_value(data, 'representative', 'wer die Körperschaft gesetzlich vertritt')}</p>",
            "<h2>Kontakt</h2>",
            f"<p>Telefon: {_value(data, 'contact_phone', 'Telefonnummer')}<br/>"
            f"E-Mail: {_value(data, 'contact_email', 'E-Mail-Adresse')}</p>",
            "<h2>Aufsichtsbehörde</h2>",
            f"<p>{_value(data, 'supervisory_authority', 'zuständige Kommunalaufsicht')}</p>",
            "<h2>Umsatzsteuer-Identifikationsnummer</h2>",
            f"<p>{_mark('Nummer nach § 27a UStG, falls vorhanden – sonst Abschnitt löschen')}</p>",
            "<h2>Verantwortlich für den Inhalt</h2>",
            f"<p>{_mark('Name und dienstliche Anschrift der verantwortlichen Person')}</p>",
            "<h2>Hinweis zu Inhalten und Links</h2>",
            "<p>Wir pflegen die Inhalte dieses Portals sorgfältig und halten sie aktuell. Für "
            "Angebote anderer Anbieter, auf die wir verweisen, sind allein diese verantwortlich; "
            "erfahren wir von rechtswidrigen Inhalten dort, entfernen wir den Verweis.</p>",
        ]
    )


def _privacy(data: dict) -> str:
    name = escape(data["name"])
    return "".join(
        [
            "<h2>Wer für Ihre Daten verantwortlich ist</h2>",
            f"<p>{name}, {_value(data, 'address_street', 'Straße und Hausnummer')}, "
            f"{_value(data, 'address_city', 'Ort')}; "
            f"E-Mail: {_value(data, 'contact_email', 'E-Mail-Adresse')}.</p>",
            "<h2>Datenschutzbeauftragte Person</h2>",
            f"<p>{_mark('Name oder Funktion und Kontakt der/des Datenschutzbeauftragten')}</p>",
            "<h2>Wenn Sie dieses Portal aufrufen</h2>",
            "<p>Damit die Seiten ausgeliefert werden können, verarbeitet der Server technisch "
            "notwendige Angaben wie die aufgerufene Adresse, Datum und Uhrzeit und den "
            "verwendeten Browser. Rechtsgrundlage ist Art. 6 Abs. 1 Buchst. e DSGVO. "
            f"Protokolle werden gelöscht nach: {_mark('Speicherdauer der Server-Protokolle')}.</p>",
            "<h2>Cookies</h2>",
            "<p>Das Portal setzt nur Cookies, die für seinen Betrieb nötig sind (zum Beispiel "
            "für die Anmeldung, die Sprachwahl und den Schutz von Formularen). Es bindet keine "
            "Analyse- oder Werbedienste Dritter ein. "
            f"{_mark('prüfen, ob das für Ihr Portal zutrifft')}</p>",
            "<h2>Nutzerkonto, Postfach und Online-Anträge</h2>",
            "<p>Wenn Sie ein Konto anlegen oder einen Antrag stellen, verarbeiten wir die Angaben, "
            "die Sie dabei machen, um Ihr Anliegen zu bearbeiten (Art. 6 Abs. 1 Buchst. c und e "
            "DSGVO mit der jeweiligen Fachvorschrift). "
            f"{_mark('beteiligte Stellen und Fachverfahren, Empfänger, Speicherfristen')}</p>",
            "<h2>Online bezahlen</h2>",
            f"<p>{_mark('eingesetzter Zahlungsdienstleister und was ihm übermittelt wird')}</p>",
            "<h2>Ihre Rechte</h2>",
            "<p>Sie haben das Recht auf Auskunft, Berichtigung, Löschung und Einschränkung der "
            "Verarbeitung sowie auf Widerspruch (Art. 15 bis 21 DSGVO). Sie können sich bei einer "
            "Datenschutz-Aufsichtsbehörde beschweren: "
            f"{_mark('zuständige Landesbeauftragte für Datenschutz mit Anschrift')}.</p>",
        ]
    )


def _accessibility(data: dict) -> str:
    name = escape(data["name"])
    return "".join(
        [
            f"<p>{name} ist bemüht, dieses Portal im Einklang mit "
            f"{_mark('maßgebliche Rechtsvorschrift, z. B. BITV 2.0 oder Landesrecht')} "
            "barrierefrei zugänglich zu machen. Diese Erklärung gilt für dieses Bürgerportal.</p>",
            "<h2>Stand der Vereinbarkeit mit den Anforderungen</h2>",
            "<p>Dieses Portal ist "
            f"{_mark('vollständig / teilweise / nicht – Zutreffendes wählen')} "
            "mit den Anforderungen vereinbar.</p>",
            "<h2>Nicht barrierefreie Inhalte</h2>",
            "<p>Die folgenden Inhalte sind nicht barrierefrei:</p>",
            "<ul>",
            f"<li>wegen Unvereinbarkeit mit den Anforderungen: {_mark('Inhalte und Gründe')}</li>",
            f"<li>wegen unverhältnismäßiger Belastung: {_mark('Inhalte und Begründung')}</li>",
            "<li>weil sie nicht in den Anwendungsbereich der Vorschriften fallen: "
            f"{_mark('Inhalte')}</li>",
            "</ul>",
            f"<p>Barrierefreie Alternativen: {_mark('wie Betroffene die Inhalte sonst erhalten')}"
            "</p>",
            "<h2>Erstellung dieser Erklärung</h2>",
            f"<p>Diese Erklärung wurde am {_mark('Datum')} erstellt. Grundlage ist "
            f"{_mark('Selbstbewertung oder Prüfung durch Dritte')}. "
            f"Zuletzt überprüft am {_mark('Datum')}.</p>",
            "<h2>Feedback und Kontakt</h2>",
            "<p>Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen, oder benötigen Sie "
            "Inhalte in einer anderen Form? Nutzen Sie das Formular „Barriere melden“ (unten auf "
            "jeder Seite) oder schreiben Sie uns: "
            f"E-Mail {_value(data, 'contact_email', 'E-Mail-Adresse')}, "
            f"Telefon {_value(data, 'contact_phone', 'Telefonnummer')}.</p>",
            "<h2>Durchsetzungsverfahren</h2>",
            "<p>Antworten wir nicht oder nicht zufriedenstellend, können Sie sich an die "
            "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen "
            "wenden (§ 10d BGG NRW, §§ 9 ff. BITVNRW). "
            f"{_mark('prüfen, ob für Ihre Stelle Landesrecht NRW gilt')}</p>",
        ]
    )


LEGAL_TEMPLATES = {
    LegalKind.IMPRESSUM: _impressum,
    LegalKind.PRIVACY: _privacy,
    LegalKind.ACCESSIBILITY: _accessibility,
}


def legal_draft_body(kind: str, data: dict) -> str:
    """The template text of a legal page, filled from `data` (Tenant.imprint_data())."""
    return LEGAL_TEMPLATES[LegalKind(kind)](data)
