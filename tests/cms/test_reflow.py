"""Issue 20, finding 4 — WCAG 2.1 SC 1.4.10 Reflow: no page scrolls sideways at 320 CSS px
(1280 px at 400 % zoom, the width the criterion names) nor at 1280 px with 200 % zoom (640 CSS
px). Browser zoom is emulated as the browser does it: fewer CSS pixels in the viewport, more
device pixels per CSS pixel. Every citizen page type on three tenants, the error page and the
bare base domain's pages; the check is document.scrollingElement.scrollWidth <= innerWidth.

The page types behind a form or a sign-in (appointment booking up to its cancellation, online
application with its errors, "Angaben prüfen", the submitted case, account, postbox, deleting
the account, the Liegenschaftsauskunft's results, errors, legitimate interest, test payment and
order status, the sandbox IdP) are checked at both widths, in German, English and Dutch, on
the same page states as axe: tests/cms/test_accessibility.py::test_every_page_type.
"""

from __future__ import annotations

import pytest

from tests.support.browser import OVERFLOW, browser  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

# (name, CSS width, device scale factor)
VIEWPORTS = [("320 CSS px (400 %)", 320, 4), ("1280 px at 200 %", 640, 2)]
TENANT_PAGES = [
    "/",
    "/aktuelles/",
    "__first_article__",
    "__about__",
    "/impressum/",
    "/leistungen/",
    "/leistungen/?q=Personalausweis",
    "/leistungen/a-z/P/",
    "__first_topic__",
    "/leistungen/99008001012000/",
    "/gibt-es-nicht/",
    # BITV pages (cms.easy_read, the statement's parts, the feedback form)
    "/leichte-sprache/",
    "/gebaerdensprache/",
    "/barrierefreiheit/",
    "/barriere-melden/",
]
# service pages whose office has the longest e-mail addresses (the 376 px of issue 20)
LONG_SERVICE_PAGES = {
    "kreis": [
        "/leistungen/99036008007000/",  # Straßenverkehrsamt – Zulassungsstelle
        "/leistungen/99012007033000/",  # Liegenschaftskarte: Katasteramt, online
        "/liegenschaftsauskunft/",
        "/finder/",
    ],
    "erkelenz": ["/leistungen/99050012104000/", "/leistungen/99102013000000/"],
    "selfkant": ["/leistungen/99115003012000/"],
}
PUBLIC_PAGES = ["/", "/finder/", "/gibt-es-nicht/"]


def _resolve(page, base: str, path: str) -> str:
    if path == "__first_article__":
        page.goto(f"{base}/aktuelles/")
        return page.locator(".news-list a").first.get_attribute("href")
    if path == "__about__":
        page.goto(f"{base}/")
        links = page.locator(".main-nav a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        return next(h for h in hrefs if h not in ("/leistungen/", "/aktuelles/", "/finder/"))
    if path == "__first_topic__":
        page.goto(f"{base}/leistungen/")
        return page.locator("a[href^='/leistungen/themen/']").first.get_attribute("href")
    return path


def _check(page, url: str, failures: list[str], label: str) -> None:
    page.goto(url)
    found = page.evaluate(OVERFLOW)
    if found["scroll"] > found["width"]:
        failures.append(f"{label} {url}: {found['scroll']} > {found['width']} {found['wide']}")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=[v[0] for v in VIEWPORTS])
@pytest.mark.parametrize("slug", ["kreis", "erkelenz", "selfkant"])
def test_tenant_pages_reflow(browser, tenant_server, slug, viewport):  # noqa: F811
    label, width, scale = viewport
    context = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": 800}, device_scale_factor=scale
    )
    page = context.new_page()
    base = f"http://{slug}.localhost:{tenant_server}"
    failures: list[str] = []
    try:
        for path in [*TENANT_PAGES, *LONG_SERVICE_PAGES.get(slug, [])]:
            _check(page, f"{base}{_resolve(page, base, path)}", failures, label)
    finally:
        context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=[v[0] for v in VIEWPORTS])
def test_public_pages_reflow(browser, tenant_server, viewport):  # noqa: F811
    label, width, scale = viewport
    context = browser.new_context(
        locale="de-DE", viewport={"width": width, "height": 800}, device_scale_factor=scale
    )
    page = context.new_page()
    failures: list[str] = []
    try:
        for path in PUBLIC_PAGES:
            _check(page, f"http://localhost:{tenant_server}{path}", failures, label)
    finally:
        context.close()
    assert not failures, "\n".join(failures)
