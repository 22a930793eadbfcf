"""`kreisportal migrate [--parallel N]`: the public schema, then every tenant schema (template
included), N at a time, with a progress line per schema.

Each schema is migrated by django-tenants' own `run_migrations` (what `migrate_schemas` runs for
one schema) in a forked worker process, like its multiprocessing executor; the output of the
migrations is kept per schema and shown only when a schema fails. A failing schema does not
stop the others; the run ends with one line naming every schema that failed.
"""

from __future__ import annotations

import io
import multiprocessing
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass


@dataclass(frozen=True)
class SchemaResult:
    schema: str
    ok: bool
    seconds: float
    error: str = ""
    output: str = ""


class MigrationFailed(Exception):
    """One or more schemas failed to migrate; the message names them."""


def _migrate_one(schema: str, verbosity: int) -> SchemaResult:
    from django.db import connections
    from django_tenants.migration_executors.base import run_migrations

    started = time.monotonic()
    buffer = io.StringIO()
    options = {**_default_options(), "interactive": False, "verbosity": verbosity}
    try:
        with redirect_stdout(buffer), redirect_stderr(buffer):
            run_migrations([], options, "parallel", schema, allow_atomic=False)
    except BaseException as exc:  # noqa: BLE001 - reported per schema, the others go on
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        error = f"{exc.__class__.__name__}: {message}".rstrip(": ")
        connections.close_all()
        return SchemaResult(schema, False, time.monotonic() - started, error, buffer.getvalue())
    return SchemaResult(schema, True, time.monotonic() - started, output=buffer.getvalue())


def _default_options() -> dict:
    """The options Django's `migrate` gets when called without arguments."""
    from django_tenants.utils import get_tenant_base_migrate_command_class

    parser = get_tenant_base_migrate_command_class()().create_parser("kreisportal", "migrate")
    return {**vars(parser.parse_args([])), "database": "default"}


def _migrate_one_star(job: tuple[str, int]) -> SchemaResult:
    return _migrate_one(*job)


def tenant_schemas() -> list[str]:
    """Every schema with a tenant row except public: the template first, then by name."""
    from django.conf import settings

    from tenants.models import Tenant

    schemas = sorted(
        Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
    )
    template = settings.TENANT_BASE_SCHEMA
    return ([template] if template in schemas else []) + [s for s in schemas if s != template]


def migrate_tenants(
    schemas: list[str], *, parallel: int = 1, verbosity: int = 0, out=None
) -> list[SchemaResult]:
    """Migrate `schemas`, `parallel` at a time, printing `[n/total] schema … elapsed` lines."""
    from django.db import connections

    out = out or sys.stdout
    total = len(schemas)
    started = time.monotonic()
    results: list[SchemaResult] = []

    def report(result: SchemaResult) -> None:
        results.append(result)
        state = "ok" if result.ok else f"FAILED ({result.error})"
        print(
            f"[{len(results)}/{total}] {result.schema:<24} {state} in {result.seconds:.1f} s"
            f" · elapsed {time.monotonic() - started:.1f} s",
            file=out,
            flush=True,
        )

    jobs = [(schema, verbosity) for schema in schemas]
    if parallel <= 1 or total <= 1:
        for job in jobs:
            print(f"[{len(results) + 1}/{total}] migrating {job[0]} …", file=out, flush=True)
            report(_migrate_one_star(job))
        return results
    # Forked workers inherit the set-up Django; they must not share the parent's connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=min(parallel, total), maxtasksperchild=None) as pool:
        for result in pool.imap_unordered(_migrate_one_star, jobs):
            report(result)
    return results


def align_cloned_constraint_names(schemas: list[str]) -> int:
    """Before migrating: tenants cloned before the fix in `Tenant.create_schema` get the
    template's unique constraint names, so a migration that names a constraint finds it."""
    from django.conf import settings

    from tenants.models import restore_constraint_names

    template = settings.TENANT_BASE_SCHEMA
    if template not in schemas:
        return 0
    return sum(restore_constraint_names(template, s) for s in schemas if s != template)


def migrate_all(*, parallel: int = 1, verbosity: int = 0, out=None) -> list[SchemaResult]:
    """Public schema (in this process), system tenants, then every tenant schema."""
    from django.core.management import call_command

    from tenants.actions import ensure_system_tenants

    out = out or sys.stdout
    started = time.monotonic()
    print("migrating the public schema …", file=out, flush=True)
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
    ensure_system_tenants()
    schemas = tenant_schemas()
    print(
        f"public schema done in {time.monotonic() - started:.1f} s; "
        f"{len(schemas)} tenant schemas, {parallel} at a time",
        file=out,
        flush=True,
    )
    renamed = align_cloned_constraint_names(schemas)
    if renamed:
        print(f"{renamed} cloned constraint names aligned with the template", file=out, flush=True)
    results = migrate_tenants(schemas, parallel=parallel, verbosity=verbosity, out=out)
    failed = [r for r in results if not r.ok]
    if failed:
        for result in failed:
            print(f"--- output of {result.schema} ---\n{result.output.rstrip()}", file=out)
        names = ", ".join(f"{r.schema} ({r.error})" for r in failed)
        raise MigrationFailed(
            f"migration failed in {len(failed)} of {len(results)} schemas: {names}"
        )
    print(
        f"migrated {len(results)} tenant schemas in {time.monotonic() - started:.1f} s",
        file=out,
        flush=True,
    )
    return results
