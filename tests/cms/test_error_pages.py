"""Issue 20, finding 5: 404, 403 and 500 are the portal's own pages — branded (the portal's base
template, navigation on a tenant), German first, with a search and a way home — on a tenant host,
the bare base domain and the admin host; the 500 renders without the database when it is down
(503, kreisportal.views.server_error) or when the request's transaction is broken."""

from __future__ import annotations

import sys

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client, RequestFactory

BASE = settings.BASE_DOMAIN
TENANT = f"erkelenz.{BASE}"
ADMIN = f"admin.{BASE}"


@pytest.fixture
def failing_client():
    return Client(raise_request_exception=False)


def _page(response, status: int) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert 'href="/"' in html  # a way home
    assert "kreisportal/portal.css" in html  # the portal's look, not Django's bare page
    for bare_django in ("Not Found", "Server Error (500)", "403 Forbidden", "requested resource"):
        assert bare_django not in html
    assert f"Fehlercode {status}" in html
    return html


def _tenant_page(response, status: int) -> str:
    html = _page(response, status)
    assert 'class="main-nav"' in html  # the portal's navigation
    assert "Stadt Erkelenz" in html or "Erkelenz" in html
    assert 'role="search" action="/leistungen/"' in html
    assert 'id="error-q"' in html
    return html


def test_tenant_404_is_the_portals_page(client, db):
    html = _tenant_page(client.get("/gibt-es-nicht/", HTTP_HOST=TENANT), 404)
    assert "<h1>Seite nicht gefunden</h1>" in html
    # a missing service (the catalogue view's own Http404) too
    html = _tenant_page(client.get("/leistungen/99999999999999/", HTTP_HOST=TENANT), 404)
    assert "Seite nicht gefunden" in html


def test_tenant_403_is_the_portals_page(failing_client, db, settings):
    settings.ROOT_URLCONF = "tests.support.urls_errors"
    html = _tenant_page(failing_client.get("/test-403/", HTTP_HOST=TENANT), 403)
    assert "<h1>Zugriff nicht erlaubt</h1>" in html


def test_tenant_500_is_the_portals_page(failing_client, db, settings):
    settings.ROOT_URLCONF = "tests.support.urls_errors"
    html = _tenant_page(failing_client.get("/test-500/", HTTP_HOST=TENANT), 500)
    assert "<h1>Es ist ein Fehler aufgetreten</h1>" in html
    assert "deliberate failure" not in html


def test_500_after_a_failed_query_needs_no_database(failing_client, db, settings):
    """The request's transaction is broken: the navigation cannot be read, the plain page with
    search and a way home is shown instead of a second failure."""
    settings.ROOT_URLCONF = "tests.support.urls_errors"
    html = _page(failing_client.get("/test-500-sql/", HTTP_HOST=TENANT), 500)
    assert "<h1>Es ist ein Fehler aufgetreten</h1>" in html
    assert 'role="search" action="/leistungen/"' in html


def test_database_down_is_still_the_503_page(db):
    from kreisportal.views import server_error

    request = RequestFactory().get("/leistungen/", HTTP_HOST=TENANT)
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        assert sys.exc_info()[0] is OperationalError
        response = server_error(request)
    assert response.status_code == 503
    assert "vorübergehend nicht erreichbar" in response.content.decode()


def test_public_host_404_403_500(failing_client, db, settings):
    settings.PUBLIC_SCHEMA_URLCONF = "tests.support.urls_errors_public"
    for path, status, heading in [
        ("/gibt-es-nicht/", 404, "Seite nicht gefunden"),
        ("/test-403/", 403, "Zugriff nicht erlaubt"),
        ("/test-500/", 500, "Es ist ein Fehler aufgetreten"),
    ]:
        html = _page(failing_client.get(path, HTTP_HOST=BASE), status)
        assert f"<h1>{heading}</h1>" in html
        # the district-wide finder is the bare domain's search
        assert 'role="search" action="/finder/"' in html


def test_public_host_404_without_test_urls(client, db):
    html = _page(client.get("/gibt-es-nicht/", HTTP_HOST=BASE), 404)
    assert 'action="/finder/"' in html


def test_admin_host_404_is_german_with_a_way_home(client, db):
    html = _page(client.get("/gibt-es-nicht/", HTTP_HOST=ADMIN), 404)
    assert "Seite nicht gefunden" in html
    assert 'id="error-q"' not in html  # nothing for citizens to search on the IT team's host


def test_every_url_conf_names_the_three_handlers():
    from kreisportal import urls_admin, urls_public, urls_tenant

    for conf in (urls_tenant, urls_public, urls_admin):
        assert conf.handler404 == "kreisportal.views.page_not_found"
        assert conf.handler403 == "kreisportal.views.permission_denied"
        assert conf.handler500 == "kreisportal.views.server_error"


@pytest.mark.parametrize("host", [TENANT, BASE])
def test_a_form_with_an_expired_token_gets_the_portals_403(db, host):
    """A tab left open past the session (or cookies blocked): Django's CSRF refusal would be
    its English technical page; the portal says in German what to do."""
    browser = Client(enforce_csrf_checks=True)
    answer = browser.post("/barriere-melden/" if host == TENANT else "/", {}, HTTP_HOST=host)
    html = _page(answer, 403)
    assert "Formular abgelaufen" in html and "Seite neu" in html
    assert "CSRF" not in html and "Forbidden" not in html
    if host == TENANT:
        assert 'class="main-nav"' in html
