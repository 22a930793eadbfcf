"""The `kreisportal` command: demo, serve, worker, migrate, tenant administration, and a
passthrough to Django's management commands (`kreisportal shell`, `kreisportal migrate_schemas`)."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

DEMO_ADMIN_USER = "admin"
DEMO_ADMIN_PASSWORD = "kreisportal-demo"


class CliError(Exception):
    """Refused input: printed as one line, exit status 1."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kreisportal.settings")
    import django

    django.setup()


# --- database --------------------------------------------------------------------------------


def migrate(verbosity: int = 0) -> None:
    """Shared schema, then the tenant template, then every tenant schema."""
    from django.core.management import call_command

    from tenants.actions import ensure_system_tenants
    from tenants.migrate import align_cloned_constraint_names, tenant_schemas

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
    ensure_system_tenants()
    align_cloned_constraint_names(tenant_schemas())
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)


def seed_demo_content() -> None:
    """Catalogue import (idempotent) and the tenants' local offers and offices."""
    from services.catalogue_import import import_catalogue
    from services.demo import seed_demo_catalogue

    print(f"catalogue: {import_catalogue().summary()}", flush=True)
    print(seed_demo_catalogue(), flush=True)
    from cms.demo import seed_demo_cms

    print(seed_demo_cms(), flush=True)
    seed_demo_cadastre()
    from services.applications.demo import seed_demo_applications

    print(seed_demo_applications(), flush=True)
    from services.fitconnect.demo import seed_fitconnect_demo

    print(seed_fitconnect_demo(), flush=True)
    from payments.demo import seed_demo_payments

    print(seed_demo_payments(), flush=True)


def seed_demo_cadastre() -> None:
    from django_tenants.utils import tenant_context

    from services.fulfillment.cadastre import generate_demo_cadastre
    from tenants.models import Tenant

    district = Tenant.objects.filter(kind=Tenant.Kind.DISTRICT).first()
    if district is not None:
        with tenant_context(district):
            print(f"demo cadastre: {generate_demo_cadastre()} parcels (synthetic)", flush=True)


def ensure_demo_admin() -> None:
    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    with schema_context("public"):
        user_model = get_user_model()
        user, _ = user_model.objects.get_or_create(
            username=DEMO_ADMIN_USER, defaults={"email": "it@kreis.example"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_ADMIN_PASSWORD)
        user.save()


# --- processes -------------------------------------------------------------------------------


def _gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kreisportal.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]


def _worker_command(concurrency: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "kreisportal.celery",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        str(concurrency),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]


def _beat_command() -> list[str]:
    from django.conf import settings

    schedule = Path(settings.KREISPORTAL_HOME) / "celerybeat-schedule"
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "kreisportal.celery",
        "beat",
        "--loglevel",
        "INFO",
        "--scheduler",
        "kreisportal.beat:PortalScheduler",
        "--schedule",
        str(schedule),
    ]


def _wait_until_up(url: str, timeout: float = 60.0) -> bool:
    """Poll the public host's health check (sent with the base domain as Host header)."""
    from django.conf import settings

    request = urllib.request.Request(url, headers={"Host": settings.BASE_DOMAIN})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2):
                return True
        except Exception:  # noqa: BLE001 - still starting
            time.sleep(0.5)
    return False


def _run_children(
    commands: list[list[str]], *, ready_url: str = "", on_ready: Callable[[], None] | None = None
) -> int:
    """Run child processes until one exits, Ctrl-C or SIGTERM; then stop all of them cleanly.

    With `ready_url`, `on_ready` is called once that URL answers.
    """
    children = [subprocess.Popen(cmd) for cmd in commands]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    try:
        if ready_url and on_ready is not None:
            if _wait_until_up(ready_url):
                on_ready()
            else:
                print(f"warning: {ready_url} did not answer within 60 s", file=sys.stderr)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping …")
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


# --- subcommands -----------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    if args.parallel < 1:
        raise CliError(f"--parallel must be at least 1, got {args.parallel}")
    _setup_django()
    from tenants.migrate import MigrationFailed, migrate_all

    try:
        migrate_all(parallel=args.parallel, verbosity=args.verbosity)
    except MigrationFailed as exc:
        raise CliError(str(exc)) from exc
    return 0


def _public_url_for(port: int) -> None:
    """The broker's and SAML endpoints' absolute URL follows the port the demo serves on."""
    base = os.environ.get("BASE_DOMAIN", "localhost")
    os.environ.setdefault("PUBLIC_URL", f"http://{base}:{port}")


def cmd_demo(args: argparse.Namespace) -> int:
    _public_url_for(args.port)
    _setup_django()
    from django.conf import settings

    from tenants.demo import seed_demo_tenants
    from tenants.selectors import portal_links

    print("Preparing the database (first run: about a minute) …", flush=True)
    migrate()
    seeded = seed_demo_tenants()
    ensure_demo_admin()
    created = sum(1 for _, was_created in seeded if was_created)
    print(
        f"{len(seeded)} demo tenants ready ({created} created, {len(seeded) - created} refreshed)"
    )
    seed_demo_content()

    commands = [_gunicorn_command(args.host, args.port, workers=2)]
    if not args.no_worker:
        commands += [_worker_command(concurrency=1), _beat_command()]

    def announce() -> None:
        print("\nKreisportal demo is running:")
        for link in portal_links(port=str(args.port)):
            print(f"  {link.name:<24} {link.url}")
        print(f"\n  Tenant administration   http://admin.{settings.BASE_DOMAIN}:{args.port}/admin/")
        print(f"  Login                   {DEMO_ADMIN_USER} / {DEMO_ADMIN_PASSWORD}")
        print(
            "  Each portal's /cms/     demo-redaktion or demo-sachbearbeitung (staff inbox) / "
            f"{DEMO_ADMIN_PASSWORD}"
        )
        print(f"  Portal list             http://{settings.BASE_DOMAIN}:{args.port}/")
        print("\nStop with Ctrl-C.", flush=True)

    probe_host = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    return _run_children(
        commands, ready_url=f"http://{probe_host}:{args.port}/healthz", on_ready=announce
    )


def cmd_serve(args: argparse.Namespace) -> int:
    _public_url_for(args.port)
    _setup_django()  # starts the embedded database when there is no DATABASE_URL
    return _run_children([_gunicorn_command(args.host, args.port, args.workers)])


def cmd_beat(args: argparse.Namespace) -> int:
    _setup_django()
    return _run_children([_beat_command()])


def cmd_worker(args: argparse.Namespace) -> int:
    _setup_django()
    return _run_children([_worker_command(args.concurrency)])


def cmd_tenant(args: argparse.Namespace) -> int:
    """`kreisportal tenant <command>`: one small function per command below."""
    _setup_django()
    command = _TENANT_COMMANDS[args.tenant_command]
    if command in _TENANT_COMMANDS_ON_A_PORTAL:
        from tenants.actions import get_portal

        command(args, get_portal(args.slug))
    else:
        command(args)
    return 0


def _tenant_list(args: argparse.Namespace) -> None:
    from tenants.models import Tenant

    rows = Tenant.objects.portals().prefetch_related("domains").order_by("slug")
    print(f"{'SLUG':<18} {'KIND':<13} {'STATUS':<10} {'AGS':<9} {'DOMAINS':<40} NAME")
    for t in rows:
        domains = ",".join(sorted(d.domain for d in t.domains.all()))
        print(f"{t.slug:<18} {t.kind:<13} {t.status:<10} {t.ags:<9} {domains:<40} {t.name}")


def _tenant_create(args: argparse.Namespace) -> None:
    from tenants.actions import do_create_tenant, primary_hostname

    tenant = do_create_tenant(
        name=args.name,
        slug=args.slug,
        kind=args.kind,
        ags=args.ags,
        extra_domains=tuple(args.domain or ()),
        actor="cli",
    )
    print(
        f"created tenant {tenant.slug} (schema {tenant.schema_name}): "
        f"http://{primary_hostname(tenant.slug)}/"
    )


def _tenant_restore(args: argparse.Namespace) -> None:
    from tenants.actions import primary_hostname
    from tenants.backup import do_restore_tenant

    result = do_restore_tenant(
        archive=Path(args.file), slug=args.new_slug, name=args.name, ags=args.ags, actor="cli"
    )
    for note in result.notes:
        print(f"note: {note}")
    restored = result.tenant
    print(
        f"restored {args.file} as {restored.slug} (schema {restored.schema_name}) in "
        f"{result.seconds:.1f} s: http://{primary_hostname(restored.slug)}/"
    )


def _tenant_domain_remove(args: argparse.Namespace) -> None:
    from tenants.actions import do_remove_domain

    do_remove_domain(hostname=args.domain, actor="cli")
    print(f"removed domain {args.domain}")


def _tenant_suspend(args: argparse.Namespace, tenant) -> None:
    from tenants.actions import do_suspend_tenant

    do_suspend_tenant(tenant=tenant, actor="cli")
    print(f"suspended {tenant.slug}: citizens now see a 503 page")


def _tenant_resume(args: argparse.Namespace, tenant) -> None:
    from tenants.actions import do_resume_tenant

    do_resume_tenant(tenant=tenant, actor="cli")
    print(f"resumed {tenant.slug}")


def _tenant_go_live(args: argparse.Namespace, tenant) -> None:
    from tenants.actions import do_go_live

    do_go_live(tenant=tenant, actor="cli")
    print(f"{tenant.slug} is live: citizens see the portal")


def _tenant_delete(args: argparse.Namespace, tenant) -> None:
    from tenants.actions import do_delete_tenant

    if not args.yes:
        raise CliError(f"deleting {tenant.slug!r} drops its schema: repeat with --yes")
    dump = do_delete_tenant(tenant=tenant, actor="cli")
    print(f"deleted {tenant.slug}; schema dump kept at {dump}")


def _tenant_backup(args: argparse.Namespace, tenant) -> None:
    from tenants.backup import do_backup_tenant

    started = time.monotonic()
    output = Path(args.output) if args.output else None
    archive = do_backup_tenant(tenant=tenant, output=output, actor="cli")
    size = archive.stat().st_size / 1_000_000
    print(
        f"backed up {tenant.slug} to {archive} ({size:.1f} MB, {time.monotonic() - started:.1f} s)"
    )


def _tenant_domain_add(args: argparse.Namespace, tenant) -> None:
    from tenants.actions import do_add_domain

    domain = do_add_domain(
        tenant=tenant, hostname=args.domain, make_primary=args.primary, actor="cli"
    )
    print(f"added domain {domain.domain} to {tenant.slug}")


# The CLI imports Django's models only after setting Django up (_setup_django), hence the
# imports inside these functions.
_TENANT_COMMANDS_ON_A_PORTAL = {
    _tenant_suspend,
    _tenant_resume,
    _tenant_go_live,
    _tenant_delete,
    _tenant_backup,
    _tenant_domain_add,
}
_TENANT_COMMANDS = {
    "list": _tenant_list,
    "create": _tenant_create,
    "restore": _tenant_restore,
    "domain-remove": _tenant_domain_remove,
    "suspend": _tenant_suspend,
    "resume": _tenant_resume,
    "go-live": _tenant_go_live,
    "delete": _tenant_delete,
    "backup": _tenant_backup,
    "domain-add": _tenant_domain_add,
}


def _export_xzufi_pages(args, tenant, build_export, export_page_count, started) -> int:
    """`--page-size N`: pages of N objects as OUTPUT-001.xml, OUTPUT-002.xml, … (each page a
    complete XZuFi document), so a large catalogue travels in several files."""
    from django_tenants.utils import tenant_context

    if args.page_size < 1:
        raise CliError("--page-size muss mindestens 1 sein")
    if not args.output or args.output == "-":
        raise CliError("--page-size schreibt mehrere Dateien und braucht --output")
    stem = Path(args.output)
    stem = stem.with_suffix("") if stem.suffix == ".xml" else stem
    total = 0
    with tenant_context(tenant):
        pages = export_page_count(page_size=args.page_size)
        for page in range(1, pages + 1):
            target = stem.with_name(f"{stem.name}-{page:03d}.xml")
            document = build_export(tenant=tenant, page=page, page_size=args.page_size)
            try:
                target.write_bytes(document)
            except OSError as exc:
                raise CliError(f"{target}: nicht schreibbar ({exc.strerror})") from exc
            total += len(document)
    print(
        f"XZuFi-Export {tenant.slug} nach {stem}-001.xml … {stem.name}-{pages:03d}.xml: "
        f"{pages} Seiten, {total / 1_000_000:.1f} MB, {time.monotonic() - started:.1f} s"
    )
    return 0


def cmd_catalogue(args: argparse.Namespace) -> int:
    _setup_django()
    from django_tenants.utils import tenant_context

    from services.xzufi.importer import XzufiImportError, import_xzufi, read_file
    from tenants.models import Tenant

    if args.catalogue_command == "import-xzufi":
        try:
            report = import_xzufi(data=read_file(Path(args.file)))
        except XzufiImportError as exc:
            raise CliError(f"{args.file}: {exc}; nichts importiert") from exc
        print(f"XZuFi-Import {args.file}: {report.summary()}")
        return 0
    from services.xzufi.export import build_export, export_page_count

    tenant = Tenant.objects.portals().filter(slug=args.tenant).first()
    if tenant is None:
        raise CliError(f"kein Mandant mit dem Kurznamen {args.tenant!r}")
    started = time.monotonic()
    if args.page_size is not None:
        return _export_xzufi_pages(args, tenant, build_export, export_page_count, started)
    with tenant_context(tenant):
        document = build_export(tenant=tenant)
    if not args.output or args.output == "-":
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
        return 0
    try:
        Path(args.output).write_bytes(document)
    except OSError as exc:
        raise CliError(f"{args.output}: nicht schreibbar ({exc.strerror})") from exc
    print(
        f"XZuFi-Export {tenant.slug} nach {args.output}: {len(document) / 1_000_000:.1f} MB, "
        f"{time.monotonic() - started:.1f} s"
    )
    return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one readable line, exit status 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kreisportal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="migrate, seed the 11 demo tenants, run web + worker")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--no-worker", action="store_true", help="do not start a Celery worker")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="run the web server (gunicorn)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--workers", type=int, default=2)
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run a Celery worker")
    worker.add_argument("--concurrency", type=int, default=2)
    worker.set_defaults(func=cmd_worker)

    beat = sub.add_parser("beat", help="run Celery beat (periodic tasks for every portal)")
    beat.set_defaults(func=cmd_beat)

    mig = sub.add_parser("migrate", help="migrate the public schema, the template and all tenants")
    mig.add_argument("--parallel", type=int, default=1, help="tenant schemas migrated at a time")
    mig.add_argument("--verbosity", type=int, default=0, choices=[0, 1, 2, 3])
    mig.set_defaults(func=cmd_migrate)

    tenant = sub.add_parser("tenant", help="administer tenants")
    tsub = tenant.add_subparsers(dest="tenant_command", required=True, parser_class=_Parser)
    tsub.add_parser("list", help="list the portals")
    create = tsub.add_parser("create", help="provision a new portal")
    create.add_argument("slug")
    create.add_argument("--name", required=True)
    create.add_argument("--kind", required=True, choices=["district", "municipality"])
    create.add_argument("--ags", required=True, help="official municipality key (AGS)")
    create.add_argument("--domain", action="append", help="extra custom domain (repeatable)")
    for name, text in (("suspend", "citizens get a 503 page"), ("resume", "undo suspend")):
        tsub.add_parser(name, help=text).add_argument("slug")
    tsub.add_parser(
        "go-live", help="switch a portal in preparation live (refused while its checklist is open)"
    ).add_argument("slug")
    delete = tsub.add_parser("delete", help="dump the schema, then delete the tenant")
    delete.add_argument("slug")
    delete.add_argument("--yes", action="store_true", help="confirm the deletion")
    backup = tsub.add_parser("backup", help="one archive: schema dump, manifest, media files")
    backup.add_argument("slug")
    backup.add_argument("--output", help="archive file (default: backups/<slug>-<time>.tar.gz)")
    restore = tsub.add_parser("restore", help="restore a backup as a new tenant")
    restore.add_argument("file")
    restore.add_argument("--as", dest="new_slug", required=True, help="slug of the new tenant")
    restore.add_argument("--name", default="", help="name (default: the one in the backup)")
    restore.add_argument("--ags", default=None, help="official key (default: the backup's)")
    dadd = tsub.add_parser("domain-add", help="add a custom domain")
    dadd.add_argument("slug")
    dadd.add_argument("domain")
    dadd.add_argument("--primary", action="store_true")
    drem = tsub.add_parser("domain-remove", help="remove a custom domain")
    drem.add_argument("domain")
    tenant.set_defaults(func=cmd_tenant)

    catalogue = sub.add_parser("catalogue", help="exchange the service catalogue (XZuFi 2.2)")
    csub = catalogue.add_subparsers(dest="catalogue_command", required=True, parser_class=_Parser)
    xexport = csub.add_parser("export-xzufi", help="a tenant's catalogue as XZuFi 2.2 XML")
    xexport.add_argument("--tenant", required=True, help="slug of the tenant")
    xexport.add_argument("--output", help="file to write (default: standard output)")
    xexport.add_argument(
        "--page-size",
        type=int,
        help="objects per file: writes OUTPUT-001.xml, OUTPUT-002.xml, … (needs --output)",
    )
    ximport = csub.add_parser("import-xzufi", help="texts of an XZuFi 2.2 file into the catalogue")
    ximport.add_argument("file")
    catalogue.set_defaults(func=cmd_catalogue)
    return parser


OWN_COMMANDS = {"demo", "serve", "worker", "beat", "migrate", "tenant", "-h", "--help"}
# `catalogue import|rebuild-finder|seed-demo` stay Django's management command; these two are ours
OWN_CATALOGUE_COMMANDS = {"export-xzufi", "import-xzufi"}


def _is_own(argv: list[str]) -> bool:
    if argv[0] == "catalogue":
        return len(argv) > 1 and argv[1] in OWN_CATALOGUE_COMMANDS
    return argv[0] in OWN_COMMANDS


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and not _is_own(argv):
        _setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["kreisportal", *argv])
        return 0
    args = build_parser().parse_args(argv)
    from django.db import InterfaceError, OperationalError

    from tenants.errors import TenantActionError

    try:
        return args.func(args)
    except (CliError, TenantActionError) as exc:
        print(f"kreisportal: error: {exc}", file=sys.stderr)
        return 1
    except (OperationalError, InterfaceError) as exc:
        reason = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        print(f"kreisportal: error: database unreachable: {reason}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
