"""`kreisportal migrate --parallel N` over the real schemas of the test database, run as the
command a deployment runs: progress per schema, exit 0; a schema whose migration history is
broken makes it exit 1 with one line naming that schema, while every other schema is migrated."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tests.conftest import database_url_for_subprocess

PROBE = "migrationsprobe"


def _migrate(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess()}
    return subprocess.run(
        [sys.executable, "-m", "kreisportal.cli", "migrate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def probe_tenant(django_db_setup, django_db_blocker):
    """A committed throwaway tenant (cloned like any new one); removed afterwards."""
    from tenants.actions import do_create_tenant

    with django_db_blocker.unblock():
        tenant = do_create_tenant(
            name="Migrationsprobe", slug=PROBE, kind="municipality", ags="05370998", actor="tests"
        )
        try:
            yield tenant
        finally:
            connection.set_schema_to_public()
            tenant.delete(force_drop=True)


def _schemas() -> set[str]:
    return set(Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True))


def test_parallel_migrate_reports_progress_and_names_the_failing_schema(
    probe_tenant, django_db_blocker
):
    with django_db_blocker.unblock():
        _check_migrations(_schemas())


def _check_migrations(schemas: set[str]) -> None:
    assert PROBE in schemas and "tenant_template" in schemas and len(schemas) >= 13

    done = _migrate("--parallel", "2")
    assert done.returncode == 0, done.stderr
    progress = re.findall(r"^\[(\d+)/(\d+)\] (\S+) +ok in", done.stdout, re.MULTILINE)
    assert {name for _, _, name in progress} == schemas
    assert {int(total) for _, total, _ in progress} == {len(schemas)}
    assert sorted(int(n) for n, _, _ in progress) == list(range(1, len(schemas) + 1))
    assert "elapsed" in done.stdout

    # Break one schema's history: contenttypes.0002 recorded without its dependency 0001.
    with schema_context(PROBE), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'contenttypes' AND name = '0001_initial'"
        )
    failed = _migrate("--parallel", "2")
    assert failed.returncode == 1
    error_lines = [line for line in failed.stderr.strip().splitlines() if "error" in line]
    assert len(error_lines) == 1, failed.stderr
    assert error_lines[0].startswith("kreisportal: error: migration failed in 1 of ")
    assert f"{PROBE} (InconsistentMigrationHistory" in error_lines[0]
    others_ok = re.findall(r"^\[\d+/\d+\] (\S+) +ok in", failed.stdout, re.MULTILINE)
    assert set(others_ok) == schemas - {PROBE}
    assert re.search(rf"^\[\d+/\d+\] {PROBE} +FAILED", failed.stdout, re.MULTILINE)


def test_parallel_must_be_positive(capsys, db):
    from kreisportal.cli import main

    assert main(["migrate", "--parallel", "0"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["kreisportal: error: --parallel must be at least 1, got 0"]


def test_every_model_change_has_its_migration(db):
    """makemigrations --check: a model changed without a migration fails here, not on a
    deployment."""
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
