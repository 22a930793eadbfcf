"""Persistent connections and the tenant's search_path (issue 18).

Every request runs on a connection that earlier requests of other hosts used (CONN_MAX_AGE),
and django-tenants sends `SET search_path` only when the schema changes
(TENANT_LIMIT_SET_CALLS). The invariant checked here, query by query on the real server: the
search_path PostgreSQL uses is the one the backend believes it set (`connection.schema_name`),
on one and the same connection (same backend pid) across tenant host, public host and back,
and after a rolled-back savepoint that had switched the schema.
"""

from __future__ import annotations

import contextlib

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

pytestmark = pytest.mark.django_db


def expected_path(schema: str) -> str:
    return "public" if schema == "public" else f"{schema}, public"


@contextlib.contextmanager
def server_search_path_probe():
    """Records (server search_path, schema the backend believes, pid) before every statement
    (`SET` excepted), asked on the raw psycopg connection, past django-tenants' wrapper."""
    records: list[tuple[str, str, int, str]] = []

    def probe(execute, sql, params, many, context):
        if not sql.lstrip().upper().startswith("SET "):
            raw = context["connection"].connection
            with raw.cursor() as cursor:
                cursor.execute("SHOW search_path")
                path = cursor.fetchone()[0]
            records.append((path, context["connection"].schema_name, raw.info.backend_pid, sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(probe):
        yield records


def test_settings_keep_connections_and_limit_set_calls():
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0 and database["CONN_HEALTH_CHECKS"] is True
    assert settings.TENANT_LIMIT_SET_CALLS is True


def test_search_path_never_leaks_between_requests_on_a_reused_connection():
    base = settings.BASE_DOMAIN
    visits = [
        (f"erkelenz.{base}", "/", "erkelenz"),
        (base, "/", "public"),
        (f"erkelenz.{base}", "/aktuelles/", "erkelenz"),
        (f"gangelt.{base}", "/leistungen/99008001012000/", "gangelt"),
        (base, "/api/v1/services/?page_size=5", "public"),
        (f"erkelenz.{base}", "/leistungen/99008001012000/", "erkelenz"),
        (f"admin.{base}", "/admin/login/", "public"),
        (f"gangelt.{base}", "/", "gangelt"),
    ]
    pids = set()
    for hostname, path, schema in visits:
        with server_search_path_probe() as records:
            response = Client(HTTP_HOST=hostname).get(path)
        assert response.status_code == 200, (hostname, path)
        assert records, (hostname, path)
        for server_path, believed, pid, sql in records:
            assert server_path == expected_path(believed), (hostname, path, sql)
            pids.add(pid)
        schemas = {believed for _, believed, _, _ in records}
        # the request's own queries ran in its schema; routing itself reads `public`
        assert schema in schemas and schemas <= {schema, "public"}, (hostname, schemas)
    assert len(pids) == 1  # one connection served every request


def test_a_rolled_back_schema_switch_is_set_again(tenant):
    from wagtail.models import Page

    erkelenz, gangelt = tenant("erkelenz"), tenant("gangelt")
    with server_search_path_probe() as records:
        connection.set_tenant(erkelenz)
        Page.objects.count()
        with contextlib.suppress(RuntimeError), transaction.atomic():
            connection.set_tenant(gangelt)
            Page.objects.count()  # SET search_path = gangelt inside the savepoint
            raise RuntimeError("rolled back: PostgreSQL reverts that SET")
        # the server is back on erkelenz; the backend believes gangelt and must say so again
        Page.objects.count()
        connection.set_tenant(erkelenz)
        Page.objects.count()
    for server_path, believed, _, sql in records:
        assert server_path == expected_path(believed), sql
    selects = [believed for _, believed, _, sql in records if sql.startswith("SELECT")]
    assert selects == [
        "erkelenz",
        "gangelt",
        "gangelt",
        "erkelenz",
    ]


def test_a_request_for_the_schema_the_connection_is_in_sends_no_set():
    """PortalTenantMiddleware keeps the search path when the request's tenant is the schema
    the connection already uses (its switch to public and back touched no database); a
    request of another host sets its own, and what PostgreSQL uses always matches."""
    base = settings.BASE_DOMAIN
    uncached = {"HTTP_COOKIE": "sessionid=kein-gueltiger-schluessel"}
    sets_per_visit = []
    for hostname, schema in [
        (f"erkelenz.{base}", "erkelenz"),  # learns the host: reads the domain in public
        (f"erkelenz.{base}", "erkelenz"),
        (f"erkelenz.{base}", "erkelenz"),
        (f"gangelt.{base}", "gangelt"),  # a new host: public for its domain, then gangelt
        (f"gangelt.{base}", "gangelt"),
        (f"erkelenz.{base}", "erkelenz"),  # known host, other schema: one SET
    ]:
        sets: list[str] = []

        def count_sets(execute, sql, params, many, context, sets=sets):
            if sql.startswith("SET search_path"):
                sets.append(sql)
            return execute(sql, params, many, context)

        with server_search_path_probe() as records, connection.execute_wrapper(count_sets):
            assert Client(HTTP_HOST=hostname).get("/impressum/", **uncached).status_code == 200
        assert all(path == expected_path(believed) for path, believed, _, _ in records)
        assert {believed for _, believed, _, _ in records} <= {schema, "public"}
        sets_per_visit.append(len(sets))
    assert sets_per_visit[1:] == [0, 0, 2, 0, 1]
