"""What a citizen clicks, in a real browser against a real server (committed demo data)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_portal_list_leads_to_each_tenants_own_home_page(page, tenant_server):  # noqa: F811
    port = tenant_server
    page.goto(f"http://localhost:{port}/")
    assert page.locator("h1").inner_text() == "Die Bürgerportale im Kreis"
    page.get_by_role("link", name="Stadt Erkelenz").click()
    page.wait_for_url(f"http://erkelenz.localhost:{port}/")
    assert page.locator("h1").inner_text() == "Stadt Erkelenz"
    assert page.title() == "Stadt Erkelenz"

    page.goto(f"http://gangelt.localhost:{port}/")
    assert page.locator("h1").inner_text() == "Gemeinde Gangelt"


def test_skip_link_is_the_first_keyboard_stop(page, tenant_server):  # noqa: F811
    page.goto(f"http://heinsberg.localhost:{tenant_server}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_unknown_host_shows_the_not_found_page(page, tenant_server):  # noqa: F811
    response = page.goto(f"http://aachen.localhost:{tenant_server}/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Portal nicht gefunden"


def test_single_sign_on_across_tenants_postbox_and_logout(page, tenant_server, settings):  # noqa: F811
    """Log in on Erkelenz through the sandbox IdP, arrive signed in on Gangelt, open the
    postbox, log out everywhere — all in one real browser."""
    port = tenant_server
    settings.PUBLIC_URL = f"http://localhost:{port}"
    erkelenz, gangelt = f"http://erkelenz.localhost:{port}", f"http://gangelt.localhost:{port}"
    page.goto(f"{erkelenz}/konto/")
    assert "Testanmeldung" in page.locator("h1").inner_text()
    page.get_by_label("Erika Mustermann (substanziell)").check()
    page.get_by_role("button", name="Anmelden").click()
    # the IdP's answer posts back by itself (no "Weiter zum Portal" click with JavaScript)
    page.wait_for_url(f"{erkelenz}/konto/")
    assert "Erika Mustermann" in page.locator("main").inner_text()

    page.goto(f"{gangelt}/konto/")  # no identity provider in between
    page.wait_for_url(f"{gangelt}/konto/")
    assert "Erika Mustermann" in page.locator("main").inner_text()
    assert "Keine Nachrichten." in page.locator("main").inner_text()

    page.get_by_role("button", name="Abmelden (überall)").click()
    page.wait_for_url(f"{gangelt}/konto/abgemeldet/")
    expect(page.locator("main")).to_contain_text("Sie sind abgemeldet")
    expect(page.locator("main")).to_contain_text("Identitätsprovider")
    page.goto(f"{erkelenz}/konto/")
    assert "Testanmeldung" in page.locator("h1").inner_text()  # signed out on Erkelenz too


def test_order_a_liegenschaftskarte_pay_and_find_the_pdf_in_the_postbox(  # noqa: F811
    page,  # noqa: F811
    tenant_server,
    settings,
):
    import io

    from pypdf import PdfReader

    from kreisportal.celery import app

    port = tenant_server
    settings.PUBLIC_URL = f"http://localhost:{port}"
    kreis = f"http://kreis.localhost:{port}"
    app.conf.task_always_eager = True  # the server thread runs the pipeline (no worker here)
    try:
        page.goto(f"{kreis}/konto/")
        page.get_by_label("Erika Mustermann (substanziell)").check()
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{kreis}/konto/")

        page.goto(f"{kreis}/liegenschaftsauskunft/")
        page.select_option("#gemarkung", label="Wassenberg")
        page.fill("#flur", "1")
        page.locator("main").get_by_role("button", name="Suchen").click()
        first = page.locator(".news-list article").first
        parcel_title = first.locator("h3").inner_text()
        first.locator("select").select_option("liegenschaftskarte")
        first.get_by_role("button", name="Bestellen und bezahlen").click()
        assert "Testzahlung" in page.locator("h1").inner_text()
        page.get_by_label("PayPal").check()
        page.get_by_role("button", name="Zahlung erfolgreich").click()
        assert "zugestellt" in page.locator("main").inner_text()

        page.goto(f"{kreis}/konto/")
        page.get_by_role("link", name="Ihre Liegenschaftskarte (Auszug)").first.click()
        with page.expect_download() as download:
            page.get_by_role("link", name="Anhang herunterladen").click()
        with open(download.value.path(), "rb") as handle:
            text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    finally:
        app.conf.task_always_eager = False
    assert "Liegenschaftskarte (Auszug)" in text and "Wassenberg" in text
    assert parcel_title.split("Flurstück ")[1] in text and "Prüfcode" in text and "DEMO" in text


def test_apply_online_save_a_draft_submit_pay_and_find_the_receipt(page, tenant_server, settings):  # noqa: F811
    """Wegberg's Bewohnerparkausweis: from the service page through sign-in, a saved draft, an
    upload, submission and payment to the receipt in the postbox."""
    import io

    from pypdf import PdfReader

    port = tenant_server
    settings.PUBLIC_URL = f"http://localhost:{port}"
    wegberg = f"http://wegberg.localhost:{port}"
    page.goto(f"{wegberg}/leistungen/99108001001000/")
    page.get_by_role("link", name="Online beantragen").click()
    page.get_by_label("Erika Mustermann (substanziell)").check()
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{wegberg}/antraege/bewohnerparkausweis/")

    page.get_by_label("Amtliches Kennzeichen").fill("HS-WB 42")
    page.get_by_role("button", name="Entwurf speichern").click()
    assert "Entwurf ist gespeichert" in page.locator("main").inner_text()
    page.goto(f"{wegberg}/antraege/bewohnerparkausweis/")  # a later visit
    assert page.get_by_label("Amtliches Kennzeichen").input_value() == "HS-WB 42"

    page.get_by_label("Parkzone").select_option("Zone B – Bahnhof")
    page.get_by_label("Zulassungsbescheinigung Teil I").set_input_files(
        {"name": "schein.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(64)}
    )
    page.get_by_role("button", name="Weiter: Angaben prüfen").click()
    # "Angaben prüfen": every answer with "ändern", before the binding step
    expect(page.locator("h1")).to_contain_text("Angaben prüfen")
    assert "HS-WB 42" in page.locator("main").inner_text()
    page.get_by_role("button", name="Erneut anmelden und verbindlich absenden").click()
    # "substanziell": BundID asks again for this service before the binding step (ForceAuthn)
    assert "Erneute Anmeldung" in page.locator("main").inner_text()
    page.get_by_label("Erika Mustermann (substanziell)").check()
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{wegberg}/antraege/bewohnerparkausweis/pruefen/**")
    assert "erneut angemeldet" in page.locator("main").inner_text()
    page.get_by_role("button", name="Antrag verbindlich absenden").click()
    # the confirmation panel, announced and focused
    expect(page.locator(".panel--confirmation")).to_contain_text("Antrag eingereicht")
    assert page.evaluate("document.activeElement.classList.contains('panel--confirmation')")
    main = page.locator("main").inner_text()
    assert "wartet auf Zahlung" in main
    reference = main.split("Aktenzeichen ")[1].split()[0]

    page.get_by_role("button", name="Jetzt bezahlen (Kreditkarte oder PayPal)").click()
    page.get_by_label("Kreditkarte").check()
    page.get_by_role("button", name="Zahlung erfolgreich").click()
    assert "Status: bezahlt" in page.locator("main").inner_text()

    page.goto(f"{wegberg}/konto/")
    assert reference in page.locator("main").inner_text()
    page.get_by_role("link", name=f"Eingangsbestätigung – {reference}").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Anhang herunterladen").click()
    with open(download.value.path(), "rb") as handle:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert reference in text and "HS-WB 42" in text and "Zone B – Bahnhof" in text
