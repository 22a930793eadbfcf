"""WCAG 2.1 A/AA in a real browser: axe-core through Playwright and Debian's chromium, on the
citizen pages of three tenants with different branding; and a keyboard-only walk."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.support.browser import browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = [
    "/",
    "/aktuelles/",
    "__first_article__",
    "__about__",
    "/impressum/",
    "/leistungen/99008001012000/",
    "/leistungen/?q=Personalausweis",
    "/leistungen/a-z/P/",
]


def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _resolve(page, base: str, path: str) -> str:  # noqa: F811
    if path == "__first_article__":
        page.goto(f"{base}/aktuelles/")
        return page.locator(".news-list a").first.get_attribute("href")
    if path == "__about__":
        page.goto(f"{base}/")
        links = page.locator(".main-nav a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        return next(h for h in hrefs if h not in ("/leistungen/", "/aktuelles/", "/finder/"))
    return path


@pytest.mark.parametrize("language", ["de", "en", "nl"])
@pytest.mark.parametrize("slug", ["kreis", "erkelenz", "selfkant"])
def test_citizen_pages_have_no_wcag_violations(page, tenant_server, slug, language):  # noqa: F811
    base = f"http://{slug}.localhost:{tenant_server}"
    # the language switch's cookie: every page in German, English and Dutch (issue 20)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}]
    )
    axe = _axe()
    failures = []
    for path in PAGES:
        target = _resolve(page, base, path)
        response = page.goto(f"{base}{target}")
        assert response.status == 200, target
        result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if result.violations_count:
            failures.append(f"{slug}{target} ({language}):\n{result.generate_report()}")
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
