"""Issue 19's "done when", in chromium as the district IT team: create "Musterstadt" in the tenant
administration, invite its first editor, who accepts the invitation, sets the branding, enters
the Bürgerbüro, reviews the catalogue, completes the places marked „BITTE ERGÄNZEN“ in the
three legal pages by typing in the editor and publishes them; the IT team
switches it live; a citizen sees the branded portal with working legal pages.

The test measures its wall time and counts the form submissions (printed in the run's summary
and asserted against the issue's goal)."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_tenants.utils import schema_context, schema_exists
from playwright.sync_api import expect

from cms.legal import TO_COMPLETE
from tests.support.browser import browser  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

IT_USER, IT_PASSWORD = "kreis-it-onboarding", "Kreis-IT-Onboarding-2026"
EDITOR_EMAIL, EDITOR_PASSWORD = "erika.beispiel@musterstadt.example", "Rathaus-Musterstadt-26!"
SLUG = "musterstadt"
FIGURES: dict[str, float] = {}


def _remove_musterstadt() -> None:
    from tenants.models import Tenant, TenantAuditEntry

    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is not None:
        tenant.delete(force_drop=True)
    TenantAuditEntry.objects.filter(tenant_slug=SLUG).delete()
    assert not schema_exists(SLUG)


def _remove_it_account() -> None:
    """Without the collector: in the public schema Wagtail's user profile table does not exist."""
    from django.contrib.admin.models import LogEntry

    with schema_context("public"):
        LogEntry.objects.filter(user__username=IT_USER).delete()
        users = get_user_model().objects.filter(username=IT_USER)
        users._raw_delete(users.db)


@pytest.fixture(scope="module")
def it_account(django_db_setup, django_db_blocker):
    """The IT team's account on the public host (committed: the live server sees it); after the
    module, Musterstadt and the account are gone again."""
    with django_db_blocker.unblock():
        _remove_musterstadt()
        _remove_it_account()
        with schema_context("public"):
            get_user_model().objects.create_superuser(
                IT_USER, "it@kreis-heinsberg.example", IT_PASSWORD
            )
        yield
        _remove_musterstadt()
        _remove_it_account()


FILLED_IN = "Angabe der Stadt Musterstadt"
# Wagtail's unsaved-changes controller announces when it has noted the form's initial state
WATCH_EDITS = (
    "document.addEventListener('w-unsaved:watch-edits', () => { window.watchingEdits = true; });"
)


def complete_marked_places(page, django_db_blocker) -> None:
    """Replace each place marked „BITTE ERGÄNZEN“ in the page's rich text (Draftail) by typing,
    as an editor does: select the marked text, type over it.

    Draftail writes its content into the form's hidden input a moment after the last change
    (stateSaveInterval), and Wagtail's autosave sends the draft a moment after that. Publishing
    while that autosave was still on its way was the "Bad Request" in the log: the server
    refuses an autosave once the publication made a newer revision (Wagtail's overwrite
    check). So, like a person who waits for „Gespeichert“, this waits until the draft without
    markers is autosaved and the indicator says so."""
    markers = page.locator(".Draftail-Editor [data-text='true']", has_text=TO_COMPLETE)
    expect(markers.first).to_be_visible()
    # Wagtail notes the form's initial state two seconds after loading and autosaves changes
    # against it: typed before that, the changes would count as the initial state
    page.wait_for_function("() => window.watchingEdits === true")
    while markers.count():
        markers.first.select_text()
        page.keyboard.type(FILLED_IN)
    expect(page.locator("input[name='body']")).not_to_have_value(re.compile("BITTE ERG"))
    page_id = int(re.search(r"/pages/(\d+)/edit/", page.url).group(1))
    deadline = time.monotonic() + 20
    while not _draft_saved_without_markers(page_id, django_db_blocker):
        assert time.monotonic() < deadline, "the autosave did not save the completed draft"
        page.wait_for_timeout(100)
    expect(page.locator("#w-autosave-indicator")).to_have_attribute(
        "data-w-autosave-state-value", "saved"
    )


def _draft_saved_without_markers(page_id: int, django_db_blocker) -> bool:
    """Read in a thread of its own: Playwright's event loop makes this one async for Django."""
    from cms.legal import LegalPage

    def read() -> bool:
        from django.db import connection

        try:
            with django_db_blocker.unblock(), schema_context(SLUG):
                revision = LegalPage.objects.get(pk=page_id).latest_revision
                return revision is not None and TO_COMPLETE not in revision.content.get("body", "")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()


class Submissions:
    """Counts the forms a person sends (each click that submits one)."""

    def __init__(self) -> None:
        self.count = 0

    def submit(self, page, locator) -> None:
        with page.expect_navigation():
            locator.click()
        self.count += 1


def test_musterstadt_goes_live_in_the_web_ui(
    it_account,
    browser,  # noqa: F811
    tenant_server,
    benchmark_report,
    tmp_path,
    django_db_blocker,
):
    from PIL import Image

    logo_file = tmp_path / "musterstadt-logo.png"
    Image.new("RGB", (120, 40), "#004225").save(logo_file)
    started = time.monotonic()
    forms = Submissions()
    admin_base = f"http://admin.localhost:{tenant_server}"
    portal_base = f"http://{SLUG}.localhost:{tenant_server}"
    it = browser.new_context(locale="de-DE").new_page()

    # --- the IT team creates the portal ---------------------------------------------------------
    it.goto(f"{admin_base}/admin/login/")
    it.fill("#id_username", IT_USER)
    it.fill("#id_password", IT_PASSWORD)
    forms.submit(it, it.locator("input[type=submit]"))
    it.goto(f"{admin_base}/admin/tenants/tenant/add/")
    it.fill("#id_name", "Stadt Musterstadt")
    it.fill("#id_slug", SLUG)
    it.select_option("#id_kind", "municipality")
    it.fill("#id_ags", "05358008")
    it.fill("#id_address_street", "Marktplatz 1")
    it.fill("#id_address_postcode", "41800")
    it.fill("#id_address_city", "Musterstadt")
    it.fill("#id_representative", "Bürgermeisterin Erika Beispiel")
    it.fill("#id_contact_email", "rathaus@musterstadt.example")
    forms.submit(it, it.locator("input[name=_save]"))
    expect(it.locator("ul.messagelist")).to_contain_text("Stadt Musterstadt")
    it.get_by_role("link", name="Stadt Musterstadt").first.click()
    expect(it.locator("#content")).to_contain_text("Checkliste zum Live-Schalten")
    expect(it.locator("#content")).to_contain_text("Impressum veröffentlichen")

    # the IT team's branding form has the same live preview (looked at here, saved by the editor)
    it.get_by_role("link", name="Gestaltung (Logo, Farben, Schrift)").click()
    it.fill("#id_primary_colour", "#6a1b9a")
    it.set_input_files("#id_logo_upload", str(logo_file))
    it_preview = it.locator("[data-branding-preview]")
    expect(it_preview.locator("[data-preview-header]")).to_have_css(
        "background-color", "rgb(106, 27, 154)"
    )
    expect(it_preview.locator("[data-preview-logo]")).to_be_visible()
    it.go_back()

    # --- ... and invites the first editor -------------------------------------------------------
    it.get_by_role("link", name="Redaktion einladen").click()
    it.fill("#id_name", "Erika Beispiel")
    it.fill("#id_email", EDITOR_EMAIL)
    forms.submit(it, it.locator("input[type=submit][value=Einladen]"))
    link = it.locator("#invitation-link").input_value()
    assert link.startswith(f"{portal_base}/cms/einladung/")
    assert any(link in message.body for message in mail.outbox if EDITOR_EMAIL in message.to)

    # --- the editor accepts and sets the password ----------------------------------------------
    editor = browser.new_context(locale="de-DE").new_page()
    editor.add_init_script(WATCH_EDITS)
    editor.goto(link)
    expect(editor.locator("h1")).to_contain_text(
        "Willkommen in der Redaktion von Stadt Musterstadt"
    )
    editor.fill("#id_new_password1", EDITOR_PASSWORD)
    editor.fill("#id_new_password2", EDITOR_PASSWORD)
    forms.submit(editor, editor.get_by_role("button", name="Passwort festlegen und anmelden"))
    expect(editor.locator("body")).to_contain_text("Checkliste zum Live-Schalten")
    expect(editor.locator("body")).to_contain_text("Branding festlegen")

    # --- branding: logo uploaded in the chooser, colours --------------------------------------
    editor.goto(f"{portal_base}/cms/settings/cms/brandingsettings/")
    editor.locator("[data-chooser-action-choose]").first.click()
    modal = editor.locator(".modal-content")
    modal.get_by_role("tab", name="Hochladen").click()
    modal.locator("input[type=file]").set_input_files(str(logo_file))
    modal.locator("input[name='image-chooser-upload-title']").fill("Logo Musterstadt")
    modal.locator("form[data-chooser-modal-creation-form] button[type=submit]").first.click()
    forms.count += 1  # the upload is a form sent from the chooser (no navigation)
    expect(editor.locator("[data-chooser-title]").first).to_contain_text("Logo Musterstadt")
    # the live preview follows the fields as they are edited (before anything is saved)
    preview = editor.locator("[data-branding-preview]")
    expect(preview.locator("[data-preview-logo]")).to_be_visible()
    editor.fill("#id_primary_colour", "#ffd700")  # white on gold: unreadable
    expect(preview.locator("[data-preview-header]")).to_have_css(
        "background-color", "rgb(255, 215, 0)"
    )
    expect(preview.locator("[data-preview-contrast='primary']")).to_contain_text(
        "Zu wenig Kontrast"
    )
    editor.fill("#id_primary_colour", "#004225")
    editor.fill("#id_accent_colour", "#8a1538")
    editor.select_option("#id_header_variant", "split")
    expect(preview.locator("[data-preview-header]")).to_have_css(
        "background-color", "rgb(0, 66, 37)"
    )
    expect(preview.locator("[data-preview-button]")).to_have_css(
        "background-color", "rgb(138, 21, 56)"
    )
    expect(preview.locator("[data-preview-page]")).to_have_class(re.compile("header-split"))
    expect(preview.locator("[data-preview-contrast='primary']")).to_contain_text(
        "Kontrast ausreichend"
    )
    forms.submit(editor, editor.locator("footer.footer button[type=submit]").first)
    editor.goto(f"{portal_base}/cms/")
    expect(editor.locator("body")).not_to_contain_text("Branding festlegen")

    # --- the Bürgerbüro and the catalogue review ------------------------------------------------
    editor.goto(f"{portal_base}/cms/snippets/services_local/office/add/")
    editor.fill("#id_name", "Bürgerbüro Musterstadt")
    editor.fill("#id_street", "Marktplatz 1")
    editor.fill("#id_postcode", "41800")
    editor.fill("#id_city", "Musterstadt")
    forms.submit(editor, editor.locator("footer.footer button[type=submit]").first)
    editor.goto(f"{portal_base}/cms/katalog-pruefen/")
    forms.submit(editor, editor.get_by_role("button", name="Katalog geprüft"))
    expect(editor.locator("body")).to_contain_text("die Prüfung des Katalogs ist vermerkt")

    # --- the three legal pages completed and published in the editor -------------------------
    refused = []  # any 4xx/5xx answer the editor's browser gets (Wagtail's autosave included)
    editor.on(
        "response",
        lambda answer: (
            refused.append(f"{answer.status} {answer.request.method} {answer.url}")
            if answer.status >= 400
            else None
        ),
    )
    for title in ("Impressum", "Datenschutzerklärung", "Erklärung zur Barrierefreiheit"):
        # the dashboard links each unpublished legal page to its draft
        editor.goto(f"{portal_base}/cms/")
        editor.get_by_role("link", name=f"{title} ist nicht veröffentlicht").click()
        complete_marked_places(editor, django_db_blocker)
        publish = editor.locator("button[name='action-publish']")
        if not publish.is_visible():
            editor.locator("footer [data-w-dropdown-target='toggle']").last.click()
        forms.submit(editor, publish)
        expect(editor.locator(".messages")).to_contain_text("veröffentlicht")
    assert not refused, refused
    editor.goto(f"{portal_base}/cms/")
    expect(editor.locator("body")).to_contain_text("Alles erledigt")

    # --- the IT team switches it live -----------------------------------------------------------
    it.goto(f"{admin_base}/admin/tenants/tenant/?q={SLUG}")
    it.locator("input[name=_selected_action]").first.check()
    it.select_option("select[name=action]", "go_live")
    forms.submit(it, it.locator("button[name=index]"))
    expect(it.locator("ul.messagelist")).to_contain_text("Stadt Musterstadt: ist live")

    # --- a citizen sees the branded portal with working legal pages ---------------------------
    citizen = browser.new_context(locale="de-DE").new_page()
    response = citizen.goto(f"{portal_base}/")
    assert response.status == 200
    expect(citizen.locator("h1")).to_contain_text("Stadt Musterstadt")
    expect(citizen.locator("header img")).to_have_count(1)
    legal = citizen.locator("ul.legal-links a")
    expect(legal).to_have_count(3)
    hrefs = [legal.nth(i).get_attribute("href") for i in range(3)]
    css = citizen.goto(f"{portal_base}/branding.css").text().lower()
    assert "#004225" in css and "#8a1538" in css
    for href, title in zip(
        hrefs, ("Impressum", "Datenschutzerklärung", "Erklärung zur Barrierefreiheit"), strict=True
    ):
        answer = citizen.goto(f"{portal_base}{href}")
        assert answer.status == 200, href
        expect(citizen.locator("h1")).to_contain_text(title)
        expect(citizen.locator("main")).not_to_contain_text(TO_COMPLETE)
        expect(citizen.locator("main")).to_contain_text(FILLED_IN)

    seconds = time.monotonic() - started
    FIGURES.update(seconds=seconds, submissions=forms.count)
    benchmark_report(
        f"onboarding Musterstadt in chromium: {seconds:.1f} s wall time, "
        f"{forms.count} form submissions"
    )
    # measured 49.8 s (71.3 s under heavier load) with 12 submissions (the legal pages completed
    # by typing, each draft autosaved before publishing) on a 2-core machine shared with other
    # test runs;
    # the bound is the goal for a person (5 minutes), not the figure itself
    assert seconds < 300, seconds
    assert forms.count <= 15, forms.count
