"""The FIT-Connect path in a real browser (Debian's chromium): on a municipality a citizen
submits the demo form delivered via FIT-Connect, the clerk of the Sandbox-Fachverfahren sees
the decrypted submission with its attachment and accepts it, the citizen sees "in Bearbeitung
bei Sandbox-Fachverfahren" in Mein Konto, and the sandbox ZBP shows the status message."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kreisportal.celery import app
from tests.support.browser import browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def test_apply_via_fit_connect_accept_in_the_sandbox_and_see_status_and_zbp(
    page,  # noqa: F811
    tenant_server,
    settings,
):
    port = tenant_server
    settings.PUBLIC_URL = f"http://localhost:{port}"
    gangelt = f"http://gangelt.localhost:{port}"
    app.conf.task_always_eager = True  # the server thread runs the tasks (no worker here)
    try:
        page.goto(f"{gangelt}/antraege/fitconnect-99108012000000/")
        page.get_by_label("Erika Mustermann (substanziell)").check()
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(f"{gangelt}/antraege/fitconnect-99108012000000/")
        assert "FIT-Connect" in page.locator("main").inner_text()
        page.get_by_label("Ort der Nutzung (Straße, Hausnummer)").fill("Marktplatz 3")
        page.get_by_label("Art der Nutzung").select_option("Container")
        page.get_by_label("Beginn").fill("2026-12-14")
        page.get_by_label("Ende").fill("2026-12-18")
        page.get_by_label("Lageplan oder Skizze").set_input_files(
            {"name": "lageplan.png", "mimeType": "image/png", "buffer": PNG}
        )
        page.get_by_role("button", name="Weiter: Angaben prüfen").click()
        expect(page.locator("h1")).to_contain_text("Angaben prüfen")
        page.get_by_role("button", name="Antrag verbindlich absenden").click()
        expect(page.locator("main")).to_contain_text("Antrag eingereicht")
        main = page.locator("main").inner_text()
        assert "eingereicht" in main and "Sandbox-Fachverfahren übermittelt" in main
        reference = main.split("Aktenzeichen ")[1].split()[0]

        staff = page.context.browser.new_context(locale="de-DE").new_page()
        staff.goto(f"{gangelt}/cms/login/")
        staff.fill("#id_username", "demo-sachbearbeitung")
        staff.fill("#id_password", "kreisportal-demo")
        staff.locator("form").get_by_role("button").last.click()
        staff.wait_for_url(f"{gangelt}/cms/")
        staff.goto(f"{gangelt}/cms/fitconnect/sandbox/")
        assert "Nur zur Vorführung" in staff.locator("main").inner_text()
        staff.locator("table.listing tbody tr").first.get_by_role("link").click()
        detail = staff.locator("main").inner_text()
        assert reference in detail and "Marktplatz 3" in detail and "Container" in detail
        assert "lageplan.png" in detail and f"antrag-{reference}.pdf" in detail
        staff.get_by_label("Entscheidung").select_option("accept")
        staff.get_by_role("button", name="Eintragen").click()
        # the decision's answer page, once it has loaded (reading at once raced the navigation)
        expect(staff.locator("body")).to_contain_text("Ereignisprotokoll", timeout=15000)

        page.goto(f"{gangelt}/konto/")
        assert reference in page.locator("main").inner_text()
        page.locator("main a", has_text="über FIT-Connect").first.click()
        status = page.locator("main").inner_text()
        assert "in Bearbeitung" in status
        assert "In Bearbeitung bei Sandbox-Fachverfahren." in status

        staff.goto(f"{gangelt}/cms/fitconnect/sandbox/?zbp=1")
        zbp_list = staff.locator("main").inner_text()
        assert "ZBP Statusmeldung" in zbp_list and "angenommen" in zbp_list
        staff.locator("table.listing a").first.click()
        assert "sandbox-postkorb-erika-0001" in staff.locator("main").inner_text()
        staff.context.close()
    finally:
        app.conf.task_always_eager = False
