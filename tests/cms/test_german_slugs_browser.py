"""The Wagtail admin's auto-slug in a real browser (issue 20, finding 9): as an editor types a
German title, the slug field fills with the transliterated spelling ("eheschliessung-in-uebach",
not "eheschlieung-in-bach" or "eheschließung-in-übach")."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context
from playwright.sync_api import expect
from wagtail.models import Site

from tenants.models import Tenant
from tests.support.browser import browser, page  # noqa: F401 - fixtures
from tests.support.staff import ensure_staff_user

pytestmark = pytest.mark.browser

EDITOR, PASSWORD = "slug-editor-browser", "Slug-Browser-2026!"


@pytest.fixture(scope="module")
def editor_and_home(django_db_setup, django_db_blocker):
    """An editor of Erkelenz (committed: the server sees it) and the id of the home page."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="erkelenz")
        with tenant_context(tenant):
            ensure_staff_user(EDITOR, PASSWORD, ["Redaktion", "Moderators"])
            home = Site.objects.get(is_default_site=True).root_page_id
        yield home
        with tenant_context(tenant):
            get_user_model().objects.filter(username=EDITOR).delete()


def test_the_slug_follows_a_german_title_as_it_is_typed(editor_and_home, page, tenant_server):  # noqa: F811
    base = f"http://erkelenz.localhost:{tenant_server}"
    page.goto(f"{base}/cms/login/")
    page.locator("input[name=username]").fill(EDITOR)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    page.goto(f"{base}/cms/pages/add/cms/contentpage/{editor_and_home}/")
    title = page.locator("#id_title")
    title.click()
    title.press_sequentially("Eheschließung in Übach", delay=10)
    slug = page.locator("input[name=slug]")
    expect(slug).to_have_value("eheschliessung-in-uebach")  # the sync is debounced (100 ms)
    title.fill("")
    title.press_sequentially("Öffnungszeiten Straßenverkehrsamt", delay=10)
    title.blur()
    expect(slug).to_have_value("oeffnungszeiten-strassenverkehrsamt")
