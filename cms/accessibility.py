"""The accessibility statement's moving parts (EU model statement, Implementing Decision
(EU) 2018/1523): the feedback mechanism ("Barriere melden": a record for the tenant's editors and
an e-mail to the tenant's contact address), the stored results of the last automated check the
statement cites, and the review interval (the dashboard reminds editors, cms.legal).

Enforcement body (checked for this project): the municipalities and the Kreis are public bodies
of the state of NRW (§ 10a BGG NRW), so NRW law applies, not the federal BGG/BITV 2.0's procedure.
§ 10b BGG NRW asks for the statement with an electronic contact form (feedback mechanism) and a
link to the Ombudsverfahren of § 10d BGG NRW; §§ 9 ff. BITVNRW set up the "Ombudsstelle für
barrierefreie Informationstechnik des Landes Nordrhein-Westfalen", attached to the state's
commissioner for people with disabilities. § 5 BITVNRW: answer feedback within two to at most
six weeks and point to the Ombudsverfahren. The federal Schlichtungsstelle nach § 16 BGG is only
for federal bodies; the statement names it for the federal online services the portal links to.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REVIEW_INTERVAL = timedelta(days=365)

NRW_OMBUDSSTELLE = {
    "name": "Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen",
    "office": "bei der Beauftragten der Landesregierung für Menschen mit Behinderung sowie "
    "für Patientinnen und Patienten in Nordrhein-Westfalen",
    "law": "§ 10d Behindertengleichstellungsgesetz NRW, §§ 9 ff. BITVNRW",
    "url": "https://www.lbbp.nrw.de/ombudsstelle",
}
FEDERAL_SCHLICHTUNGSSTELLE = {
    "name": "Schlichtungsstelle nach § 16 Behindertengleichstellungsgesetz (BGG)",
    "office": "bei dem Beauftragten der Bundesregierung für die Belange von Menschen mit "
    "Behinderungen",
    "law": "§ 16 BGG (für Stellen des Bundes)",
    "url": "https://www.schlichtungsstelle-bgg.de/",
}


class BarrierReport(models.Model):
    """A visitor's report of a barrier on the portal. Tenant data: stays in its schema; the
    tenant's editors see it in the Wagtail admin."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("eingegangen"), default=timezone.now, editable=False)
    page_url = models.CharField(_("betroffene Seite"), max_length=500, blank=True)
    description = models.TextField(_("Beschreibung"), max_length=5000)
    name = models.CharField(_("Name"), max_length=200, blank=True)
    email = models.EmailField(_("E-Mail für die Antwort"), max_length=254, blank=True)
    handled = models.BooleanField(_("erledigt"), default=False)

    class Meta:
        app_label = "cms"
        ordering = ["-created_at"]
        verbose_name = _("Barrieremeldung")
        verbose_name_plural = _("Barrieremeldungen")

    def __str__(self) -> str:
        return f"{self.created_at:%d.%m.%Y %H:%M} – {self.description[:60]}"


class AccessibilityCheck(models.Model):
    """The results of one automated check (axe-core in a browser) of this portal's page types,
    imported from the report the browser tests write (`accessibility_report import`)."""

    checked_at = models.DateTimeField(_("geprüft am"))
    tool = models.CharField(_("Werkzeug"), max_length=100)
    rules = models.CharField(_("Regeln"), max_length=200)
    pages = models.JSONField(_("geprüfte Seiten"), default=list)

    class Meta:
        app_label = "cms"
        ordering = ["-checked_at"]
        verbose_name = _("automatische Barrierefreiheitsprüfung")
        verbose_name_plural = _("automatische Barrierefreiheitsprüfungen")

    def __str__(self) -> str:
        return f"{self.tool} {self.checked_at:%d.%m.%Y}"

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def violation_count(self) -> int:
        return sum(int(page.get("violations", 0)) for page in self.pages)


def latest_accessibility_check() -> AccessibilityCheck | None:
    return AccessibilityCheck.objects.first()
