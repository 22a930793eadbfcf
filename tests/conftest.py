"""Test set-up: real PostgreSQL (embedded unless DATABASE_URL is set), the 11 demo tenants
provisioned once per session (committed), each test in a transaction that is rolled back.

Never use `transactional_db` or `live_server` here: their flush would truncate the public
schema's tenant rows that every other test relies on. Tests that need a server process use
`tenant_server` (a WSGI server thread on committed data).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

BENCHMARK_LINES: list[str] = []


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, migrated, with the template schema and the demo tenants."""
    from cms.demo import seed_demo_cms
    from kreisportal.cli import seed_demo_cadastre
    from services.applications.demo import seed_demo_applications
    from services.catalogue_import import import_catalogue
    from services.demo import seed_demo_catalogue
    from services.fitconnect.demo import seed_fitconnect_demo
    from tenants.demo import seed_demo_tenants

    with django_db_blocker.unblock():
        if not connection.settings_dict["NAME"].startswith("test_"):
            # Only tests that commit their data (no `db` fixture) were selected, and pytest-django
            # sets up the test database only for tests using `db`: never seed the development one.
            from django.test.utils import setup_databases

            setup_databases(verbosity=0, interactive=False, aliases={"default"})
        seed_demo_tenants(actor="tests")
        import_catalogue()
        seed_demo_catalogue()
        seed_demo_cms()
        seed_demo_cadastre()
        seed_demo_applications()
        seed_fitconnect_demo()
    yield


@pytest.fixture(autouse=True)
def _back_to_public_schema():
    """A test that switches schema must not leak it into the next one, nor cached pages, nor
    the language of its last request (the locale middleware activates it for the thread)."""
    from django.core.cache import cache
    from django.utils import translation

    from cms.cache import forget_kept_pages
    from tenants.lookup import forget_tenants

    cache.clear()
    forget_kept_pages()
    forget_tenants()  # hosts a rolled-back test added or suspended
    translation.activate("de")
    yield
    connection.set_schema_to_public()
    forget_tenants()


@pytest.fixture
def tenant(db):
    """Look up a demo tenant by slug: tenant("erkelenz")."""
    from tenants.models import Tenant

    return lambda slug: Tenant.objects.get(slug=slug)


@pytest.fixture
def in_tenant(tenant):
    """Context manager running the ORM in a tenant's schema: `with in_tenant("gangelt"): …`."""
    return lambda slug: tenant_context(tenant(slug))


def database_url_for_subprocess() -> str:
    """DATABASE_URL of the (test) database this process uses, for child processes."""
    params = connection.settings_dict
    host = params.get("HOST") or "127.0.0.1"
    host_part = quote(host, safe="") if host.startswith("/") else host
    port = f":{params['PORT']}" if params.get("PORT") else ""
    password = f":{quote(params['PASSWORD'])}" if params.get("PASSWORD") else ""
    user = params.get("USER") or "postgres"
    return f"postgresql://{user}{password}@{host_part}{port}/{params['NAME']}"


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


class _ThreadingWSGIServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request, client_address):
        thread = threading.Thread(target=self._handle, args=(request, client_address), daemon=True)
        thread.start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        finally:
            from django.db import connections

            connections.close_all()
            self.shutdown_request(request)


@pytest.fixture(scope="session")
def tenant_server(django_db_setup, django_db_blocker) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving the whole app; yields 'PORT'.

    It sees committed data only (the session's demo tenants), not a test's transaction.
    Browsers reach a tenant at http://<slug>.localhost:PORT/ (*.localhost is loopback).
    """
    from django.core.wsgi import get_wsgi_application

    with django_db_blocker.unblock():
        server = make_server(
            "127.0.0.1",
            0,
            get_wsgi_application(),
            server_class=_ThreadingWSGIServer,
            handler_class=_QuietHandler,
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield str(server.server_port)
        finally:
            server.shutdown()


@pytest.fixture
def benchmark_report():
    """Benchmarks append their figures here; they are printed at the end of the run."""
    return BENCHMARK_LINES.append


def pytest_terminal_summary(terminalreporter):
    if BENCHMARK_LINES:
        terminalreporter.section("benchmark figures")
        for line in BENCHMARK_LINES:
            terminalreporter.write_line(line)
