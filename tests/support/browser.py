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
