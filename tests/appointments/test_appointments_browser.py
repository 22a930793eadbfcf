"""Appointments in a real browser (issue #16): from the service page to a confirmed appointment
with the link read from the sent e-mail, rebooked and cancelled through the personal link; a
second one booked with the keyboard and marked arrived by a clerk in the day view. axe (WCAG
2.1 A/AA) finds nothing on any citizen step."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_tenants.utils import tenant_context
from playwright.sync_api import expect

from services.appointments.models import Appointment
from tenants.models import Tenant
from tests.support.browser import browser, page  # noqa: F401 - fixtures
from tests.support.staff import ensure_staff_user

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ID_CARD = "99008001012000"
CITIZEN = "browser-termin@example.org"
CLERK, PASSWORD = "termin-clerk-browser", "Termine-Browser-2026"


@pytest.fixture(scope="module")
def clerk(django_db_setup, django_db_blocker):
    """A clerk of Erkelenz in the group "Terminverwaltung" (committed: the server sees it)."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="erkelenz")
        with tenant_context(tenant):
            ensure_staff_user(CLERK, PASSWORD, ["Terminverwaltung"])
        yield
        with tenant_context(tenant):
            Appointment.objects.filter(email=CITIZEN).delete()
            get_user_model().objects.filter(username=CLERK).delete()


def _axe_clean(page, step: str) -> None:  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert not result.violations_count, f"{step}:\n{result.generate_report()}"


def _choose_first_free_day(page) -> None:  # noqa: F811
    for _ in range(3):
        days = page.locator("table.calendar a")
        if days.count():
            days.first.focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        page.get_by_role("link", name="Nächster Monat ›").click()
    raise AssertionError("no free day in three months")


def _mail_link(kind: str) -> str:
    for message in reversed(mail.outbox):
        found = re.search(rf"(http://\S+/termine/{kind}/\S+/)", message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"no e-mail with a /termine/{kind}/ link")


def test_book_confirm_rebook_cancel_and_the_clerk_marks_arrived(
    clerk,  # first: set up (and torn down) outside Playwright's event loop
    page,  # noqa: F811
    tenant_server,
):
    base = f"http://erkelenz.localhost:{tenant_server}"
    page.goto(f"{base}/leistungen/{ID_CARD}/")
    page.get_by_role("link", name="Termin vereinbaren").click()
    page.wait_for_load_state()
    assert "Tag wählen" in page.title()
    _axe_clean(page, "calendar")
    _choose_first_free_day(page)
    assert "Uhrzeit wählen" in page.title()
    _axe_clean(page, "times")
    page.locator("input[name=beginn]").first.check()
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_load_state()
    _axe_clean(page, "form")
    page.get_by_label("Vor- und Nachname").fill("Erika Browser")
    page.get_by_label("E-Mail-Adresse").fill(CITIZEN)
    page.get_by_role("button", name="Termin reservieren").click()
    page.wait_for_load_state()
    assert "Fast geschafft" in page.locator("h1").inner_text()
    _axe_clean(page, "held")

    page.goto(_mail_link("bestaetigen"))
    _axe_clean(page, "confirm page")
    page.get_by_role("button", name="Termin verbindlich bestätigen").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ihr Termin"
    code = page.locator(".booking-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
    _axe_clean(page, "manage")
    manage_url = page.url

    page.get_by_role("link", name="Termin verschieben").click()
    page.wait_for_load_state()
    _axe_clean(page, "rebook calendar")
    _choose_first_free_day(page)
    page.locator("input[name=beginn]").last.check()
    page.get_by_role("button", name="Termin auf diese Uhrzeit verschieben").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ihr Termin" and page.url != manage_url
    _axe_clean(page, "rebooked")
    page.get_by_role("button", name="Termin absagen").click()
    page.wait_for_load_state()
    assert "Dieser Termin ist abgesagt" in page.locator("main").inner_text()
    _axe_clean(page, "cancelled")

    # a second appointment, with the keyboard only
    page.goto(f"{base}/termine/?leistung={ID_CARD}")
    _choose_first_free_day(page)
    page.locator("input[name=beginn]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_label("Vor- und Nachname").focus()
    page.keyboard.type("Erika Tastatur")
    page.keyboard.press("Tab")
    page.keyboard.type(CITIZEN)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Fast geschafft" in page.locator("h1").inner_text()
    page.goto(_mail_link("bestaetigen"))
    page.get_by_role("button", name="Termin verbindlich bestätigen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    second = page.locator(".booking-code").inner_text()
    day = re.search(r"(\d+)\. (\w+) (\d{4})", page.locator("main").inner_text())
    assert day and second != code

    page.goto(f"{base}/cms/login/")
    page.locator("input[name=username]").fill(CLERK)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    page.goto(f"{base}/cms/termine/")
    with page.expect_navigation():
        page.get_by_role("link", name="Heute").first.click()
    # go to the appointment's day through the day view's own links
    for _ in range(70):
        if page.locator(f'tr[data-code="{second}"]').count():
            break
        with page.expect_navigation():
            page.get_by_role("link", name=re.compile("›$")).first.click()
    row = page.locator(f'tr[data-code="{second}"]')
    with page.expect_navigation():
        row.get_by_role("button", name=f"{second} erschienen").click()
    assert page.locator(f'tr[data-code="{second}"] .status').inner_text() == "erschienen"

    # the waiting-room screen, open in another tab, shows the call-up without a reload
    board = page.context.new_page()
    board.goto(base + page.locator("a", has_text="Aufrufanzeige").first.get_attribute("href"))
    assert second not in board.locator("table.callboard").inner_text()
    _axe_clean(board, "waiting-room screen")
    row = page.locator(f'tr[data-code="{second}"]')
    row.get_by_label(f"Schalter für {second}").select_option("2")
    with page.expect_navigation():
        row.get_by_role("button", name=f"{second} aufrufen").click()
    expect(board.locator("table.callboard")).to_contain_text(second, timeout=15000)
    assert "2" in board.locator("table.callboard tbody tr").first.inner_text()
