"""Playwright with Debian's chromium (Playwright cannot download its own browsers here)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Run in a page: the window's width, the document's scroll width and, when it scrolls sideways,
# the last five elements reaching past the window's right edge (WCAG 1.4.10 reflow checks).
OVERFLOW = """() => {
  const width = window.innerWidth;
  const scroll = document.scrollingElement.scrollWidth;
  const wide = [];
  if (scroll > width) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 0.5)
        wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' '
          + Math.round(r.right) + ': ' + (el.textContent || '').trim().slice(0, 40));
    }
  }
  return {width, scroll, wide: wide.slice(-5)};
}"""


def chromium_path() -> str:
    path = (
        os.environ.get("KREISPORTAL_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Debian's chromium is needed for the browser tests: run `python3 bootstrap.py test` "
            "as root (it installs it) or `apt-get install chromium`."
        )
    return path


@pytest.fixture(scope="module")
def browser(tenant_server):
    """Module-scoped: Playwright's sync API runs an event loop in this thread, during which
    Django refuses ORM calls; so the database is set up before, and the loop ends with the module.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    yield page
    context.close()
