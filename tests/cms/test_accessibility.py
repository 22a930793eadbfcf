"""WCAG 2.1 A/AA and axe's best practice in a real browser (issue 20): axe-core through
Playwright and Debian's chromium finds 0 violations on every citizen page type in German,
English and Dutch, and no page type scrolls sideways at 320 CSS px or at 1280 px with 200 %
zoom (WCAG 1.4.10, checked on the same page states); a keyboard-only walk; the portal without
JavaScript.

- `test_every_page_type`: one walk per language through the page types, as a citizen reaches
  them (anonymous pages, forms before and after a failed submission, then signed in with the
  sandbox IdP: account, online application with its errors, "Angaben prüfen", the submitted
  case, the postbox, deleting the account, the Liegenschaftsauskunft's legitimate interest,
  the test payment and the order's status page). Municipal pages on Erkelenz (and the signed-in
  ones on Heinsberg), district pages on the Kreis, the bare base domain's pages.
- `test_bitv_and_branded_pages_on_three_tenants`: the BITV pages (Leichte Sprache, DGS, the
  accessibility statement, the barrier report form with and without errors, its thanks) and
  the start page, in three languages, on three portals with different branding.
The figures (page states × languages, violations) are printed with the benchmark figures.
To keep the run short, nine page states whose template another state shows in every language
are checked by axe in German only (AXE_IN_GERMAN_ONLY); their reflow in all three.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core import mail
from django_tenants.utils import tenant_context

from tests.support.browser import OVERFLOW, browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
LANGUAGES = ["de", "en", "nl"]
ID_CARD = "99008001012000"  # Personalausweis Ausstellung
DOG_TAX = "99102013000000"  # Hundesteuer: a catalogue entry with an online form
PERSONA = "hannah"  # committed data of this persona is removed after the module
PERSONA_PSEUDONYM = "sandbox-bpk2-hannah-0003"
WALK_EMAIL = "barrierefrei-walk@example.org"  # its appointments are removed after the module
SIGNED_IN_TENANTS = ["heinsberg", "kreis"]
# Page states whose template another state of the walk already shows in every language: axe
# checks them in German only (reflow in every language), to keep the run short.
AXE_IN_GERMAN_ONLY = {
    "Thema",  # services/list.html, as "A–Z" and "Lebenslage"
    "Lebenslage",
    "Suche ohne Treffer",  # services/index.html, as "Suche mit Treffern"
    "Liegenschaftsauskunft",  # fulfillment/search.html, as its results and errors
    "Online-Antrag (Hund)",  # applications/form.html, as "Online-Antrag"
    "Mein Konto mit Antrag und Nachricht",  # accounts/account.html, as "Mein Konto"
    "Konto löschen",  # accounts/delete.html, as "Konto löschen ohne Bestätigung"
    "Termin: verschieben",  # appointments/calendar.html, as "Termin: Uhrzeit"
    "Zuständigkeitsfinder (Basisdomain)",  # services/finder.html, as the Kreis' finder
}
# (name, CSS width): a 320 px wide window (1280 px at 400 %) and 1280 px at 200 % zoom
REFLOW_WIDTHS = [("320 px", 320), ("200 %", 640)]


@dataclass
class Walk:
    """A citizen's browser tab in one language: checks each page state it reaches with axe
    and for reflow, collecting the findings instead of stopping at the first."""

    page: object
    port: str
    language: str
    checked: list[str] = field(default_factory=list)
    axe_checked: int = 0
    failures: list[str] = field(default_factory=list)
    violations: int = 0

    def url(self, slug: str, path: str) -> str:
        host = f"{slug}.localhost" if slug else "localhost"
        return f"http://{host}:{self.port}{path}"

    def speak(self, *slugs: str) -> None:
        """The language switch's cookie on these hosts (as the switch in the footer sets it)."""
        self.page.context.add_cookies(
            [
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": self.language,
                    "url": self.url(s, "/"),
                }
                for s in slugs
            ]
        )

    def visit(self, label: str, slug: str, path: str, status: int = 200) -> None:
        response = self.page.goto(self.url(slug, path))
        assert response.status == status, f"{label}: {path} answered {response.status}"
        self.check(label)

    def check(self, label: str) -> None:
        """axe on the page as it is, then its width at 320 px and at 200 % zoom."""
        tab = self.page
        assert tab.evaluate("document.documentElement.lang") == self.language, label
        self.checked.append(label)
        if self.language == "de" or label not in AXE_IN_GERMAN_ONLY:
            self.axe(label)
        size = tab.viewport_size
        for name, width in REFLOW_WIDTHS:
            tab.set_viewport_size({"width": width, "height": 800})
            found = tab.evaluate(OVERFLOW)
            if found["scroll"] > found["width"]:
                self.failures.append(
                    f"{label} ({self.language}) at {name}: {found['scroll']} > {found['width']} "
                    f"{found['wide']}"
                )
        tab.set_viewport_size(size)

    def axe(self, label: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        tab = self.page
        self.axe_checked += 1
        options = {"runOnly": {"type": "tag", "values": RULE_TAGS}, "resultTypes": ["violations"]}
        result = Axe().run(tab, options=options)
        if result.violations_count:
            self.violations += result.violations_count
            self.failures.append(
                f"{label} ({self.language}, {tab.url}):\n{result.generate_report()}"
            )

    def click(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()


def _mail_path(kind: str) -> str:
    """The path of the last e-mail's /termine/<kind>/ link (the server thread sends to the
    test's outbox)."""
    for message in reversed(mail.outbox):
        found = re.search(rf"http://[^/\s]+(/termine/{kind}/\S+/)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no e-mail with a /termine/{kind}/ link")


def _first_href(walk: Walk, slug: str, path: str, selector: str) -> str:
    walk.page.goto(walk.url(slug, path))
    return walk.page.locator(selector).first.get_attribute("href")


def anonymous_pages(walk: Walk) -> None:
    """The page types anyone reaches, with the forms' failed submissions."""
    e, k = "erkelenz", "kreis"
    walk.visit("Startseite", e, "/")
    walk.visit("Nachrichten", e, "/aktuelles/")
    walk.visit("Nachricht", e, _first_href(walk, e, "/aktuelles/", ".news-list a"))
    about = walk.page.locator(".main-nav a[href^='/']")
    hrefs = [about.nth(i).get_attribute("href") for i in range(about.count())]
    content = next(h for h in hrefs if h not in ("/leistungen/", "/aktuelles/", "/konto/"))
    walk.visit("Inhaltsseite", e, content)
    walk.visit("Rechtliche Seite (Impressum)", e, "/impressum/")
    walk.visit("Leistungen", e, "/leistungen/")
    walk.visit(
        "Thema", e, walk.page.locator("a[href^='/leistungen/themen/']").first.get_attribute("href")
    )
    walk.visit(
        "Lebenslage",
        e,
        _first_href(walk, e, "/leistungen/", "a[href^='/leistungen/lebenslagen/']"),
    )
    walk.visit("Suche mit Treffern", e, "/leistungen/?q=Personalausweis")
    walk.visit("Suche ohne Treffer", e, "/leistungen/?q=Xylophonreparatur")
    walk.visit("A–Z", e, "/leistungen/a-z/P/")
    walk.visit("Leistung", e, f"/leistungen/{ID_CARD}/")
    walk.visit("Leistung mit Online-Antrag", e, f"/leistungen/{DOG_TAX}/")
    walk.visit("Seite nicht gefunden (404)", e, "/gibt-es-nicht/", status=404)
    # appointments, up to the booking form and its errors (nothing is booked)
    walk.visit("Termin: Leistungen wählen", e, "/termine/")
    walk.visit("Termin: Kalender", e, f"/termine/?leistung={ID_CARD}")
    for _ in range(3):  # the first month with a free day
        if walk.page.locator("table.calendar a").count():
            break
        walk.click(".pager a:last-child")
    walk.click("table.calendar a")
    walk.check("Termin: Uhrzeit")
    walk.page.locator("input[name=beginn]").first.check()
    walk.click("main form button[type=submit]")
    walk.check("Termin: Ihre Angaben")
    walk.click("main form[method=post] button[type=submit]")
    walk.check("Termin: Ihre Angaben mit Fehlern")
    # booked, confirmed through the e-mail's link, managed, rebooking offered, cancelled
    walk.page.fill("[name=name]", "Barrierefrei Test")
    walk.page.fill("[name=email]", WALK_EMAIL)
    walk.click("main form[method=post] button[type=submit]")
    walk.check("Termin: reserviert")
    walk.visit("Termin: bestätigen", e, _mail_path("bestaetigen"))
    walk.click("main form[method=post] button[type=submit]")
    walk.check("Termin: Ihr Termin")
    manage = walk.page.url
    walk.click("main a.button[href*='/umbuchen/']")
    walk.check("Termin: verschieben")
    walk.page.goto(manage)
    walk.click("main form[method=post] button[type=submit]")
    walk.check("Termin: abgesagt")
    # a form sent with a stale security token: the portal's 403 page
    walk.page.goto(walk.url(e, "/barriere-melden/"))
    walk.page.eval_on_selector(
        "[name=csrfmiddlewaretoken]", "input => input.value = 'x'.repeat(64)"
    )
    walk.click("main form[method=post] button[type=submit]")
    walk.check("Formular abgelaufen (403)")
    walk.visit("Abgemeldet", e, "/konto/abgemeldet/")
    walk.visit("Anmeldung abgebrochen", e, "/konto/abgebrochen/")
    # the district's own services
    walk.visit("Wer ist zuständig? (Kreis)", k, "/finder/")
    walk.visit("Liegenschaftsauskunft", k, "/liegenschaftsauskunft/")
    walk.visit("Liegenschaftsauskunft: Treffer", k, "/liegenschaftsauskunft/?flur=2")
    walk.visit(
        "Liegenschaftsauskunft: kein Treffer", k, "/liegenschaftsauskunft/?adresse=Nirgendwostr."
    )
    walk.visit(
        "Liegenschaftsauskunft: Eingabefehler", k, "/liegenschaftsauskunft/?flur=drei", status=400
    )
    walk.visit(
        "Liegenschaftsauskunft: Prüfcode unbekannt",
        k,
        "/liegenschaftsauskunft/pruefen/?code=XYZ",
        status=404,
    )
    # the bare base domain (public schema)
    walk.visit("Portalübersicht (Basisdomain)", "", "/")
    walk.visit("Zuständigkeitsfinder (Basisdomain)", "", "/finder/")
    walk.visit("Seite nicht gefunden (Basisdomain)", "", "/gibt-es-nicht/", status=404)


def signed_in_pages(walk: Walk) -> None:
    """Signed in through the sandbox IdP: account, application, postbox, cadastral order."""
    h, k = "heinsberg", "kreis"
    tab = walk.page
    tab.goto(walk.url(h, "/konto/"))
    tab.wait_for_selector(f"#p-{PERSONA}")
    walk.check("Testanmeldung (Sandbox-Identitätsprovider)")
    tab.locator(f"#p-{PERSONA}").check()
    tab.locator("main form button[type=submit]").first.click()
    tab.wait_for_url(walk.url(h, "/konto/"))
    walk.check("Mein Konto")
    # an online application with every kind of field, and its errors (nothing saved)
    walk.visit("Online-Antrag", h, "/antraege/gewerbe-anmelden/")
    walk.click("button[name=aktion][value=pruefen]")
    walk.check("Online-Antrag mit Fehlern")
    # "Angaben prüfen", then submitted: the case with its confirmation panel
    walk.visit("Online-Antrag (Hund)", h, "/antraege/hund-anmelden/")
    tab.fill("[name=rasse_oder_mischung]", "Border Collie")
    tab.fill("[name=wurfdatum_des_hundes]", "01.03.2024")
    tab.fill("[name=hund_gehalten_seit]", "15.05.2024")
    walk.click("button[name=aktion][value=pruefen]")
    walk.check("Angaben prüfen")
    walk.click("main form[method=post] button[type=submit]")
    walk.check("Antrag eingereicht")
    walk.visit("Vorgang", h, tab.url.split(f":{walk.port}", 1)[1].split("?")[0])
    walk.visit(
        "Postfach: Nachricht", h, _first_href(walk, h, "/konto/", "a[href^='/konto/postfach/']")
    )
    walk.visit("Mein Konto mit Antrag und Nachricht", h, "/konto/")
    walk.visit("Konto löschen", h, "/konto/loeschen/")
    walk.click("main form button[type=submit]")
    walk.check("Konto löschen ohne Bestätigung")
    # the Liegenschaftsauskunft signed in (single sign-on on the Kreis' portal)
    tab.goto(walk.url(k, "/konto/"))
    tab.wait_for_url(walk.url(k, "/konto/"))
    parcels = tab.locator(".news-list article")
    for index in range(5):  # owner data of a parcel that is not the persona's
        tab.goto(walk.url(k, "/liegenschaftsauskunft/?flur=2"))
        parcels.nth(index).locator("select").select_option("eigentumsnachweis")
        with tab.expect_navigation():
            parcels.nth(index).locator("button[type=submit]").click()
        if tab.locator("[name=begruendung]").count():
            break
    walk.check("Berechtigtes Interesse")
    walk.click("main form[method=post] button[type=submit]")
    walk.check("Berechtigtes Interesse mit Fehlern")
    # an order up to the test payment, cancelled there: the order's status page
    tab.goto(walk.url(k, "/liegenschaftsauskunft/?flur=2"))
    parcels.first.locator("select").select_option("flurstuecksnachweis")
    with tab.expect_navigation():
        parcels.first.locator("button[type=submit]").click()
    walk.check("Zahlung (Sandbox)")
    walk.click("button[name=ergebnis][value=abbruch]")
    walk.check("Auftrag: Status")


def _remove_persona_data() -> None:
    """What the walks committed for the persona (the server sees committed data only): its
    applications, orders, payments, postbox and citizen records."""
    from payments.models import Payment
    from services.accounts.models import Citizen
    from services.applications.models import Application
    from services.appointments.models import Appointment
    from tenants.models import Tenant

    for slug in ["erkelenz", *SIGNED_IN_TENANTS]:
        with tenant_context(Tenant.objects.get(slug=slug)):
            Appointment.objects.filter(email=WALK_EMAIL).delete()
            for citizen in Citizen.objects.filter(pseudonym=PERSONA_PSEUDONYM):
                applications = Application.objects.filter(citizen=citizen)
                payments = list(
                    applications.exclude(payment=None).values_list("payment", flat=True)
                )
                applications.delete()
                Payment.objects.filter(pk__in=payments).delete()
                Payment.objects.filter(payer=citizen).delete()
                citizen.user.delete()  # the citizen and its postbox with it


@pytest.fixture(scope="module")
def persona_data_removed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _remove_persona_data()
    yield
    with django_db_blocker.unblock():
        _remove_persona_data()


def _figures(benchmark_report, name: str, walks: list[Walk], seconds: float) -> None:
    for walk in walks:
        benchmark_report(
            f"{name} [{walk.language}]: {len(walk.checked)} page states, reflow at 320 px and "
            f"200 %; axe (A/AA + best practice) on {walk.axe_checked}: {walk.violations} "
            "violations"
        )
    benchmark_report(f"{name}: {seconds:.1f} s wall time")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_type(  # noqa: F811
    persona_data_removed,  # first: outside Playwright's event loop
    browser,  # noqa: F811
    tenant_server,
    settings,
    language,
    benchmark_report,
):
    from kreisportal.celery import app

    settings.PUBLIC_URL = f"http://localhost:{tenant_server}"
    app.conf.task_always_eager = True  # the server thread delivers the receipt (no worker)
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 800})
    walk = Walk(context.new_page(), tenant_server, language)
    walk.speak("erkelenz", "heinsberg", "kreis", "")
    started = time.monotonic()
    try:
        anonymous_pages(walk)
        signed_in_pages(walk)
    finally:
        app.conf.task_always_eager = False
        context.close()
    _figures(benchmark_report, "every page type", [walk], time.monotonic() - started)
    assert len(walk.checked) >= 45
    assert not walk.failures, "\n\n".join(walk.failures)


BITV_PAGES: list[tuple[str, str, Callable[[Walk], None] | None]] = [
    ("Startseite", "/", None),
    ("Leichte Sprache", "/leichte-sprache/", None),
    ("Gebärdensprache", "/gebaerdensprache/", None),
    ("Erklärung zur Barrierefreiheit", "/barrierefreiheit/", None),
    ("Barriere melden", "/barriere-melden/", None),
    (
        "Barriere melden mit Fehlern",
        "",
        lambda walk: walk.click("main form button[type=submit]"),
    ),
    ("Barriere melden: danke", "/barriere-melden/danke/", None),
]


@pytest.mark.parametrize("slug", ["kreis", "erkelenz", "selfkant"])
def test_bitv_and_branded_pages_on_three_tenants(page, tenant_server, slug, benchmark_report):  # noqa: F811
    started = time.monotonic()
    walks = []
    for language in LANGUAGES:
        walk = Walk(page, tenant_server, language)
        walk.speak(slug)
        for label, path, action in BITV_PAGES:
            if action is None:
                walk.visit(label, slug, path)
            else:
                action(walk)
                walk.check(label)
        walks.append(walk)
    _figures(benchmark_report, f"BITV pages on {slug}", walks, time.monotonic() - started)
    failures = [f for walk in walks for f in walk.failures]
    assert not failures, "\n\n".join(failures)


def test_keyboard_only_walk_through_the_main_navigation(page, tenant_server):  # noqa: F811
    base = f"http://gangelt.localhost:{tenant_server}"
    page.goto(f"{base}/")
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const e = document.activeElement; return [e.tagName, e.textContent.trim(), "
            "getComputedStyle(e).outlineStyle]; })()"
        )
        seen.append(focused)
    texts = [text for _, text, _ in seen]
    assert texts[0] == "Zum Inhalt springen"
    assert "Leistungen" in texts and "Aktuelles" in texts
    assert all(outline != "none" for tag, _, outline in seen if tag == "A")  # visible focus
    # follow the navigation with the keyboard only
    page.goto(f"{base}/")
    for _ in range(texts.index("Aktuelles") + 1):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/aktuelles/")
    assert page.locator("h1").inner_text() == "Aktuelles"


def test_pages_work_without_javascript(browser, tenant_server):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()  # noqa: F811
    base = f"http://wegberg.localhost:{tenant_server}"
    page.goto(f"{base}/")
    page.fill("#header-q", "Hundesteuer")
    page.press("#header-q", "Enter")
    page.wait_for_url(f"{base}/leistungen/?q=Hundesteuer")
    assert "Hundesteuer" in page.locator("main").inner_text()
    context.close()
