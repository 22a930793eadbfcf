"""Provisioning: a new tenant schema cloned from the template (our clone, and django-tenants'
clone function it replaced) vs migrated from zero.

Prints figures; asserts nothing about time (DESIGN.md §10).
"""

from __future__ import annotations

import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

from tenants import actions
from tenants.clone import clone_schema

pytestmark = pytest.mark.benchmark


def _drop(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def committing_db(django_db_setup, django_db_blocker):
    """Migrations cannot run inside the per-test transaction (pending trigger events), so this
    benchmark commits and removes its own tenants afterwards."""
    with django_db_blocker.unblock():
        yield
        from tenants.models import Tenant

        for tenant in Tenant.objects.filter(slug__startswith="bench-"):
            tenant.delete(force_drop=True)
        connection.set_schema_to_public()


def test_clone_vs_migrate(committing_db, benchmark_report):
    runs = 3
    migrate_times, clone_times, function_times, provision_times = [], [], [], []
    for i in range(runs):
        if i == 0:  # migrating from zero takes ~20 s here: once is enough to compare
            schema = f"bench_migrate_{i}"
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{schema}"')
            call_command(
                "migrate_schemas", schema_name=schema, tenant=True, interactive=False, verbosity=0
            )
            migrate_times.append(time.perf_counter() - started)
            assert schema_exists(schema)
            connection.set_schema_to_public()
            _drop(schema)

        schema = f"bench_clone_{i}"
        started = time.perf_counter()
        clone_schema("tenant_template", schema)
        clone_times.append(time.perf_counter() - started)
        _drop(schema)

        schema = f"bench_clone_function_{i}"
        started = time.perf_counter()
        CloneSchema().clone_schema("tenant_template", schema)
        function_times.append(time.perf_counter() - started)
        _drop(schema)

        started = time.perf_counter()
        actions.do_create_tenant(
            name=f"Benchmarkstadt {i}", slug=f"bench-{i}", kind="municipality", ags=f"0537090{i}"
        )
        provision_times.append(time.perf_counter() - started)

    from tenants.models import Tenant

    migrate_s = statistics.median(migrate_times)
    clone_s = statistics.median(clone_times)
    provision_s = statistics.median(provision_times)
    function_s = statistics.median(function_times)
    benchmark_report(
        f"tenant schema: migrate from zero {migrate_s:.2f} s (once) | "
        f"clone template {clone_s:.3f} s (median of {runs}) | ratio {migrate_s / clone_s:.1f}x"
    )
    benchmark_report(
        f"clone template: tenants.clone {clone_s:.3f} s vs django-tenants' clone function "
        f"{function_s:.3f} s (median of {runs}, {Tenant.objects.count()} schemas in the "
        f"database) | ratio {function_s / clone_s:.1f}x"
    )
    benchmark_report(
        "full provisioning (clone + domains + Wagtail site/home page + audit): "
        f"{provision_s:.3f} s | "
        f"ratio to migrating {migrate_s / provision_s:.1f}x"
    )
