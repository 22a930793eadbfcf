"""An editor signs in to her portal's /cms/ in chromium through the municipality's directory
(a fake OpenID Connect directory on loopback): the button on Wagtail's login page, the
directory's redirect back, the dashboard."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from tenants.staff_directory.actions import USERNAME_PREFIX
from tenants.staff_directory.models import StaffDirectory
from tests.support.browser import browser, page  # noqa: F401 - fixtures
from tests.support.oidc_directory import fake_directory
from tests.tenants.test_staff_directory import BUTTON, configure

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hueckelhoven_directory(tenant_server, django_db_blocker):
    """A committed directory configuration for Hückelhoven (the server sees committed data
    only); removed again with the account it created."""
    with (
        fake_directory(
            client_id="portal-hueckelhoven", client_secret="h", host="localhost"
        ) as fake,
        django_db_blocker.unblock(),
    ):
        fake.person = {
            "sub": "browser-berta",
            "given_name": "Berta",
            "family_name": "Beispiel",
            "groups": ["kp-redaktion"],
        }
        directory = configure("hueckelhoven", fake)
        try:
            yield fake
        finally:
            StaffDirectory.objects.filter(pk=directory.pk).delete()
            with schema_context("hueckelhoven"):
                get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).delete()


def test_editor_signs_in_with_the_directory_in_a_browser(
    hueckelhoven_directory,
    page,  # noqa: F811
    tenant_server,
):
    page.goto(f"http://hueckelhoven.localhost:{tenant_server}/cms/login/")
    page.get_by_role("button", name=BUTTON).click()
    expect(page).to_have_url(re.compile(rf"hueckelhoven\.localhost:{tenant_server}/cms/$"))
    expect(page.locator("main")).to_be_visible()
    assert page.locator("form.login-form").count() == 0
    assert hueckelhoven_directory.token_requests == 1
