"""The public schema's two hosts: the tenant administration answers on admin.<base> only; the
bare base domain keeps the portal list, the finder and the SSO broker (PUBLIC_URL)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

BARE = settings.BASE_DOMAIN
ADMIN = f"admin.{settings.BASE_DOMAIN}"


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/login/", "/admin/tenants/tenant/", "/admin/logout/"]
)
@pytest.mark.parametrize("port", ["", ":8000"])
def test_bare_host_has_no_tenant_administration(client, db, path, port):
    assert client.get(path, HTTP_HOST=f"{BARE}{port}").status_code == 404


def test_admin_host_serves_the_admin_login_page(client, db):
    assert client.get("/admin/", HTTP_HOST=f"{ADMIN}:8000")["Location"].startswith("/admin/login/")
    page = client.get("/admin/login/", HTTP_HOST=f"{ADMIN}:8000")
    assert page.status_code == 200
    assert "Mandantenverwaltung" in page.content.decode()
    assert client.get("/", HTTP_HOST=ADMIN)["Location"] == "/admin/"


def test_a_login_on_the_bare_host_is_impossible_and_works_on_the_admin_host(client, db):
    get_user_model().objects.create_superuser("it-test", "it@example.org", "Kreis-IT-2026!")
    credentials = {"username": "it-test", "password": "Kreis-IT-2026!"}
    assert client.post("/admin/login/", credentials, HTTP_HOST=BARE).status_code == 404
    signed_in = client.post("/admin/login/?next=/admin/", credentials, HTTP_HOST=ADMIN)
    assert signed_in.status_code == 302 and signed_in["Location"] == "/admin/"
    assert client.get("/admin/tenants/tenant/", HTTP_HOST=ADMIN).status_code == 200


def test_bare_host_keeps_the_portal_list_the_finder_and_the_broker(client, db):
    index = client.get("/", HTTP_HOST=BARE)
    assert index.status_code == 200
    html = index.content.decode()
    assert f"http://erkelenz.{BARE}/" in html
    # its link to the administration points at the admin host
    assert f'href="http://{ADMIN}/admin/"' in html
    assert client.get("/finder/", HTTP_HOST=BARE).status_code == 200
    assert client.get("/saml/metadata/", HTTP_HOST=BARE).status_code == 200
    assert client.get("/healthz", HTTP_HOST=ADMIN).status_code in (200, 503)


def test_admin_host_is_not_a_second_broker(client, db):
    """The SSO endpoints are PUBLIC_URL's, on the bare host only (one SP entity, one ACS)."""
    assert client.get("/saml/metadata/", HTTP_HOST=ADMIN).status_code == 404
    assert client.get("/auth/start/?tenant=erkelenz", HTTP_HOST=ADMIN).status_code == 404
