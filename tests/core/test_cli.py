"""The `kreisportal` command: each subcommand, and bad input for each (exit code, one readable
line, nothing changed)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_exists

from kreisportal.cli import main
from tenants.models import Domain, Tenant, TenantAuditEntry
from tests.conftest import database_url_for_subprocess


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def snapshot() -> tuple:
    return (
        sorted(Tenant.objects.values_list("slug", "status", "name", "ags")),
        sorted(Domain.objects.values_list("domain", "tenant__slug", "is_primary")),
    )


def test_list_shows_every_demo_tenant(capsys, db):
    code, out, _ = run(capsys, "tenant", "list")
    assert code == 0
    assert "erkelenz.localhost" in out and "Stadt Übach-Palenberg" in out
    assert len(out.strip().splitlines()) == 1 + 11  # header + portals; no system rows
    assert "tenant_template" not in out


def test_create_provisions_a_working_portal(capsys, client, db):
    code, out, _ = run(
        capsys,
        "tenant",
        "create",
        "musterstadt",
        "--name",
        "Stadt Musterstadt",
        "--kind",
        "municipality",
        "--ags",
        "05370999",
        "--domain",
        "buergerportal.musterstadt.example",
    )
    assert code == 0, out
    tenant = Tenant.objects.get(slug="musterstadt")
    assert schema_exists("musterstadt")
    assert set(tenant.domains.values_list("domain", flat=True)) == {
        "musterstadt.localhost",
        "buergerportal.musterstadt.example",
    }
    for host in ("musterstadt.localhost", "buergerportal.musterstadt.example"):
        response = client.get("/", HTTP_HOST=host)
        assert response.status_code == 200
        assert "<h1>Stadt Musterstadt</h1>" in response.content.decode()
    assert TenantAuditEntry.objects.filter(tenant_slug="musterstadt", action="created").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["musterstadt", "--name", "X", "--kind", "municipality", "--ags", "0537"],
            "needs exactly 8 digits",
        ),
        (
            ["musterstadt", "--name", "X", "--kind", "district", "--ags", "05370004"],
            "needs exactly 5 digits",
        ),
        (
            ["musterstadt", "--name", "X", "--kind", "municipality", "--ags", "05370004"],
            "already belongs",
        ),
        (
            ["erkelenz", "--name", "X", "--kind", "municipality", "--ags", "05370998"],
            "already taken",
        ),
        (
            ["Muster_Stadt", "--name", "X", "--kind", "municipality", "--ags", "05370998"],
            "invalid slug",
        ),
        (["admin", "--name", "X", "--kind", "municipality", "--ags", "05370998"], "reserved"),
        (
            ["musterstadt", "--name", " ", "--kind", "municipality", "--ags", "05370998"],
            "invalid name",
        ),
        (
            [
                "musterstadt",
                "--name",
                "X",
                "--kind",
                "municipality",
                "--ags",
                "05370998",
                "--domain",
                "erkelenz.localhost",
            ],
            "already taken",
        ),
        (
            [
                "musterstadt",
                "--name",
                "X",
                "--kind",
                "municipality",
                "--ags",
                "05370998",
                "--domain",
                "not a host",
            ],
            "invalid domain",
        ),
    ],
)
def test_create_refuses_bad_input_and_changes_nothing(capsys, db, argv, message):
    before = snapshot()
    code, out, err = run(capsys, "tenant", "create", *argv)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot() == before
    assert not schema_exists("musterstadt")


def test_suspend_and_resume(capsys, db):
    code, out, _ = run(capsys, "tenant", "suspend", "gangelt")
    assert code == 0 and "suspended gangelt" in out
    assert Tenant.objects.get(slug="gangelt").is_suspended
    code, _, err = run(capsys, "tenant", "suspend", "gangelt")
    assert code == 1 and "already" in err
    code, out, _ = run(capsys, "tenant", "resume", "gangelt")
    assert code == 0 and not Tenant.objects.get(slug="gangelt").is_suspended
    code, _, err = run(capsys, "tenant", "resume", "gangelt")
    assert code == 1 and "already" in err


@pytest.mark.parametrize("sub", ["suspend", "resume", "delete", "domain-add"])
def test_unknown_tenant_is_refused(capsys, db, sub):
    before = snapshot()
    extra = ["x.example"] if sub == "domain-add" else []
    code, _, err = run(capsys, "tenant", sub, "aachen", *extra)
    assert code == 1
    assert err.strip() == "kreisportal: error: unknown tenant 'aachen'"
    assert snapshot() == before


@pytest.mark.parametrize("slug", ["public", "template"])
def test_system_rows_cannot_be_administered_as_tenants(capsys, db, slug):
    code, _, err = run(capsys, "tenant", "suspend", slug)
    assert code == 1 and "unknown tenant" in err


def test_domain_add_and_remove(capsys, client, db):
    code, out, _ = run(
        capsys, "tenant", "domain-add", "hueckelhoven", "Portal.Hueckelhoven.Example"
    )
    assert code == 0
    assert Domain.objects.get(domain="portal.hueckelhoven.example").tenant.slug == "hueckelhoven"
    assert client.get("/", HTTP_HOST="portal.hueckelhoven.example").status_code == 200
    code, out, _ = run(capsys, "tenant", "domain-remove", "portal.hueckelhoven.example")
    assert code == 0
    assert client.get("/", HTTP_HOST="portal.hueckelhoven.example").status_code == 404


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["domain-add", "gangelt", "erkelenz.localhost"], "already taken"),
        (["domain-add", "gangelt", "localhost"], "invalid domain"),
        (["domain-add", "gangelt", f"admin.{settings.BASE_DOMAIN}"], "platform's own host"),
        (["domain-add", "gangelt", "bad-.example"], "invalid domain"),
        (["domain-remove", "nirgends.example"], "unknown domain"),
        (["domain-remove", "gangelt.localhost"], "primary domain"),
        (["domain-remove", "admin.localhost"], "platform's own host"),
    ],
)
def test_domain_commands_refuse_bad_input(capsys, db, argv, message):
    before = snapshot()
    code, _, err = run(capsys, "tenant", *argv)
    assert code == 1
    assert message in err and len(err.strip().splitlines()) == 1
    assert snapshot() == before


def test_delete_needs_confirmation_then_dumps_and_drops(capsys, db, tmp_path, settings):
    settings.KREISPORTAL_HOME = tmp_path
    code, _, err = run(capsys, "tenant", "delete", "waldfeucht")
    assert code == 1 and "--yes" in err
    assert schema_exists("waldfeucht")

    # the dump is taken by pg_dump, a separate session: it needs committed data, which the
    # demo tenants are. The drop itself happens in this test's transaction and is rolled back.
    code, out, err = run(capsys, "tenant", "delete", "waldfeucht", "--yes")
    assert code == 0, err
    dumps = list((tmp_path / "backups").glob("waldfeucht-*.dump"))
    assert len(dumps) == 1 and dumps[0].stat().st_size > 10_000
    assert not Tenant.objects.filter(slug="waldfeucht").exists()
    assert not Domain.objects.filter(domain="waldfeucht.localhost").exists()
    assert not schema_exists("waldfeucht")
    assert TenantAuditEntry.objects.filter(tenant_slug="waldfeucht", action="deleted").exists()


def test_argument_errors_exit_2_with_one_line(capsys, db):
    with pytest.raises(SystemExit) as exc:
        main(["tenant", "create", "x"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "required" in err and len(err.strip().splitlines()) == 1


def test_passthrough_to_django_management_commands(capsys, db):
    assert main(["check"]) == 0
    assert "no issues" in capsys.readouterr().out


def test_console_script_runs_as_a_real_process(db):
    """The installed `kreisportal` entry point, in its own process, against the test database."""
    assert connection.settings_dict["NAME"].startswith("test_")
    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess()}
    script = os.path.join(os.path.dirname(sys.executable), "kreisportal")
    result = subprocess.run(
        [script, "tenant", "list"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "uebach-palenberg.localhost" in result.stdout
    bad = subprocess.run(
        [script, "tenant", "suspend", "aachen"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1] == "kreisportal: error: unknown tenant 'aachen'"


def test_a_cloned_schema_keeps_the_templates_constraint_names(db, settings):
    """A migration that removes a named constraint (e.g. `parcel_unique`) must find it in every
    cloned tenant, as in the template."""
    from django.db import connection

    from tenants.actions import do_create_tenant

    def unique_constraints(schema: str) -> set[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                "WHERE connamespace = to_regnamespace(%s) AND contype = 'u'",
                [schema],
            )
            return {(table.rsplit(".", 1)[-1], name) for table, name in cursor.fetchall()}

    do_create_tenant(name="Neustadt", slug="neustadt", kind="municipality", ags="05370998")
    template = unique_constraints(settings.TENANT_BASE_SCHEMA)
    assert ("fulfillment_parcel", "parcel_unique") in template
    assert unique_constraints("neustadt") == template
