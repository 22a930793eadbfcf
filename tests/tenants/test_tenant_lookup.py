"""Host → tenant kept in each process (tenants/lookup.py): no query for a known host, and every
change through the tenant actions reaches every server process within a second (issue 18).

The two-process test runs two real gunicorn servers on committed data and changes a demo
tenant with the actions (committed, undone at the end).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.selectors import live_portal_links
from tests.benchmarks.test_server_throughput import _start
from tests.conftest import database_url_for_subprocess


def host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def test_a_known_host_is_routed_without_a_query(db):
    client = Client(HTTP_HOST=host("wegberg"))
    client.get("/healthz")
    # the footer's portal list is kept per process too; its first load is not routing
    live_portal_links()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/gibt-es-nicht/")
    assert not [q for q in ctx.captured_queries if "tenants_domain" in q["sql"]]


def test_suspension_and_domains_show_at_once_in_this_process(tenant):
    from tenants import actions

    client = Client()
    assert client.get("/", HTTP_HOST=host("selfkant")).status_code == 200
    actions.do_suspend_tenant(tenant=tenant("selfkant"))
    assert client.get("/", HTTP_HOST=host("selfkant")).status_code == 503
    actions.do_add_domain(tenant=tenant("selfkant"), hostname="buerger.selfkant.example")
    actions.do_resume_tenant(tenant=tenant("selfkant"))
    assert client.get("/", HTTP_HOST="buerger.selfkant.example").status_code == 200
    actions.do_remove_domain(hostname="buerger.selfkant.example")
    assert client.get("/", HTTP_HOST="buerger.selfkant.example").status_code == 404


def _status(port: int, hostname: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": hostname})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _seconds_until(ports: list[int], hostname: str, status: int, limit: float = 10.0) -> float:
    """Seconds until every server answers `status` for `hostname` (polled every 20 ms)."""
    started = time.monotonic()
    waiting = set(ports)
    while waiting and time.monotonic() - started < limit:
        waiting = {port for port in waiting if _status(port, hostname) != status}
        if waiting:
            time.sleep(0.02)
    assert not waiting, (hostname, status)
    return time.monotonic() - started


@pytest.mark.usefixtures("django_db_setup")
def test_changes_reach_two_server_processes_within_a_second(django_db_blocker):
    from tenants import actions
    from tenants.models import Tenant

    env = {
        "DATABASE_URL": database_url_for_subprocess(),
        # the same shared cache as this process (where the actions publish their stamp)
        "KREISPORTAL_HOME": str(settings.KREISPORTAL_HOME),
        "STATIC_ROOT": str(settings.STATIC_ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    servers = [_start("kreisportal.wsgi:application", env) for _ in range(2)]
    ports = [port for _, port in servers]
    hostname, custom = host("waldfeucht"), "buergerportal.waldfeucht.example"
    timings = {}
    try:
        for port in ports:  # both know the tenant (and have its home page cached)
            for _ in range(3):
                assert _status(port, hostname) == 200
            assert _status(port, custom) == 404
        with django_db_blocker.unblock():
            waldfeucht = Tenant.objects.get(slug="waldfeucht")
            actions.do_suspend_tenant(tenant=waldfeucht)
            timings["suspend"] = _seconds_until(ports, hostname, 503)
            actions.do_resume_tenant(tenant=waldfeucht)
            timings["resume"] = _seconds_until(ports, hostname, 200)
            actions.do_add_domain(tenant=waldfeucht, hostname=custom)
            timings["domain added"] = _seconds_until(ports, custom, 200)
            actions.do_remove_domain(hostname=custom)
            timings["domain removed"] = _seconds_until(ports, custom, 404)
    finally:
        with django_db_blocker.unblock():
            Tenant.objects.filter(slug="waldfeucht").update(status=Tenant.Status.ACTIVE)
            from tenants.models import Domain

            Domain.objects.filter(domain=custom).delete()
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)
    # half a second between checks of the stamp, plus the time of the request itself
    assert all(seconds < 1.0 for seconds in timings.values()), timings


def test_each_request_gets_its_own_copy_of_the_kept_tenant(tenant):
    """Views set attributes on request.tenant (django-tenants' domain_url, our schema check):
    the copy a request gets must not change what the process keeps for the next one."""
    from tenants.lookup import cached_tenant, forget_tenants
    from tenants.models import Tenant

    forget_tenants()
    erkelenz = tenant("erkelenz")
    first = cached_tenant("copy-test.example", lambda: Tenant.objects.get(pk=erkelenz.pk))
    first.domain_url = "changed.example"
    first.name = "Geändert"
    first._state.fields_cache["marker"] = object()
    second = cached_tenant("copy-test.example", lambda: pytest.fail("asked the database again"))
    assert second is not first and second.pk == erkelenz.pk
    assert second.name == erkelenz.name and getattr(second, "domain_url", "") != "changed.example"
    assert "marker" not in second._state.fields_cache
    assert second._state is not first._state and not second._state.adding
    forget_tenants()
