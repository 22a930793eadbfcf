"""In chromium, as citizens click (issue 20, findings 6 and 8): the error summary takes the
focus, "Angaben prüfen" with "ändern", the confirmation panel takes the focus; the
Liegenschaftsauskunft's status page follows the order without a reload; axe finds nothing on
the new pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _axe_clean(page) -> None:  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert not result.violations_count, result.generate_report()


def _sign_in(page, base: str, path: str) -> None:  # noqa: F811
    page.goto(f"{base}{path}")
    page.get_by_label("Erika Mustermann (substanziell)").check()
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{base}{path}")


def test_error_summary_check_answers_and_confirmation(page, tenant_server, settings):  # noqa: F811
    from kreisportal.celery import app

    settings.PUBLIC_URL = f"http://localhost:{tenant_server}"
    heinsberg = f"http://heinsberg.localhost:{tenant_server}"
    app.conf.task_always_eager = True  # the server thread runs the confirmation (no worker)
    try:
        _sign_in(page, heinsberg, "/antraege/hund-anmelden/")
        page.get_by_label("Rasse oder Mischung").fill("Border Collie")
        page.get_by_label("Wurfdatum des Hundes").fill("31.02.2024")
        page.get_by_label("Hund gehalten seit").fill("01.06.2024")
        page.get_by_label("Chipnummer").fill("12ab")
        page.get_by_role("button", name="Weiter: Angaben prüfen").click()
        summary = page.locator("[data-error-summary]")
        expect(summary).to_contain_text("genau 15 Ziffern")
        expect(summary).to_be_focused()
        _axe_clean(page)
        # the summary's link takes the keyboard to the field
        summary.get_by_role("link", name="Chipnummer").click()
        expect(page.get_by_label("Chipnummer")).to_be_focused()
        page.get_by_label("Chipnummer").fill("276098106543210")
        page.get_by_label("Wurfdatum des Hundes").fill("28.02.2024")
        page.get_by_role("button", name="Weiter: Angaben prüfen").click()
        expect(page.locator("h1")).to_contain_text("Angaben prüfen")
        main = page.locator("main")
        expect(main).to_contain_text("28.02.2024")
        expect(main).to_contain_text("Erika Mustermann")
        _axe_clean(page)
        page.set_viewport_size({"width": 320, "height": 800})  # reflow (WCAG 1.4.10)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.set_viewport_size({"width": 1280, "height": 800})
        page.get_by_role("link", name=re.compile(r"ändern\W+Rasse oder Mischung")).click()
        expect(page.get_by_label("Rasse oder Mischung")).to_have_value("Border Collie")
        expect(page.get_by_label("Chipnummer")).to_have_value("276098106543210")
        page.get_by_label("Rasse oder Mischung").fill("Border Collie (Mischling)")
        page.get_by_role("button", name="Weiter: Angaben prüfen").click()
        expect(main).to_contain_text("Border Collie (Mischling)")
        page.get_by_role("button", name="Antrag verbindlich absenden").click()
        panel = page.locator(".panel--confirmation")
        expect(panel).to_contain_text("Antrag eingereicht")
        expect(panel).to_be_focused()
        expect(panel.get_by_role("link", name="Eingangsbestätigung herunterladen")).to_be_visible()
        _axe_clean(page)
    finally:
        app.conf.task_always_eager = False


def test_cadastre_status_page_follows_the_order_without_a_reload(  # noqa: F811
    page,  # noqa: F811
    tenant_server,
    settings,
):
    from kreisportal.celery import app

    settings.PUBLIC_URL = f"http://localhost:{tenant_server}"
    kreis = f"http://kreis.localhost:{tenant_server}"
    app.conf.task_always_eager = True
    try:
        _sign_in(page, kreis, "/konto/")
        page.goto(f"{kreis}/liegenschaftsauskunft/?adresse=Nirgendwostr.")
        expect(page.locator("#no-result")).to_contain_text("ohne Hausnummer")
        _axe_clean(page)
        page.goto(f"{kreis}/liegenschaftsauskunft/")
        page.select_option("#gemarkung", label="Heinsberg")
        page.fill("#flur", "2")
        page.locator("main").get_by_role("button", name="Suchen").click()
        first = page.locator(".news-list article").first
        # owner data for a parcel that is not Erika's: the legitimate-interest page
        first.locator("select").select_option("eigentumsnachweis")
        first.get_by_role("button", name="Bestellen und bezahlen").click()
        expect(page.locator("h1")).to_contain_text("Berechtigtes Interesse darlegen")
        page.get_by_role("button", name="Begründung senden und bezahlen").click()
        expect(page.locator("[data-error-summary]")).to_be_focused()
        _axe_clean(page)
        page.goto(f"{kreis}/liegenschaftsauskunft/")
        page.select_option("#gemarkung", label="Heinsberg")
        page.fill("#flur", "2")
        page.locator("main").get_by_role("button", name="Suchen").click()
        first = page.locator(".news-list article").first
        first.locator("select").select_option("liegenschaftskarte")
        first.get_by_role("button", name="Bestellen und bezahlen").click()
        expect(page.locator("h1")).to_contain_text("Testzahlung")
        # a second tab: the order's status page, waiting for the fee
        status = page.context.new_page()
        status.goto(f"{kreis}/konto/")
        # Erika may have older orders from other tests: the one waiting for its fee
        waiting = status.locator("main li").filter(has_text="wartet auf Zahlung")
        waiting.get_by_role("link", name="Liegenschaftskarte (Auszug)").first.click()
        region = status.locator("#order-status")
        expect(region).to_contain_text("wartet auf Zahlung")
        expect(region).to_have_attribute("aria-live", "polite")
        _axe_clean(status)
        status.evaluate("window.__notReloaded = true")
        # paid in the first tab: the status page shows the extract by itself
        page.get_by_label("PayPal").check()
        page.get_by_role("button", name="Zahlung erfolgreich").click()
        expect(region).to_contain_text("zugestellt", timeout=30000)
        link = region.get_by_role("link", name="Auszug herunterladen")
        expect(link).to_contain_text("(PDF, ")
        assert status.evaluate("window.__notReloaded === true")  # no reload happened
        expect(status.locator("form[data-pay-form]")).to_have_count(0)
    finally:
        app.conf.task_always_eager = False
