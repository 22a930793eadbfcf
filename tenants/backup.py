"""Back up one tenant into a single archive and restore it as a new tenant.

The archive (`.tar.gz`) holds `manifest.json` (who the tenant was), `schema.dump` (`pg_dump -n
<schema>`, custom format), `media/` (the tenant's public files, MEDIA_ROOT/<schema>/) and
`private/` (citizens' documents, PRIVATE_MEDIA_ROOT/<schema>/: the archive is as confidential
as the database).

A dump names its schema in every statement, and the data contain the old host names
("erkelenz.localhost" in rich text), so the SQL text is never rewritten. Restoring under a new
schema name goes through a scratch database instead: the dump is restored there (next to the
structure of the public schema, which the tenant's foreign keys point to), the schema is renamed
with `ALTER SCHEMA … RENAME`, dumped again and that dump restored into the real database in one
transaction. The Tenant row, its domain, the Wagtail site's host name, the public read models
and the audit entry follow in one Django transaction; if anything fails, the new schema and the
copied media are removed again, so nothing is left half restored.
"""

from __future__ import annotations

import io
import json
import logging
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tenants.utils import schema_exists

from kreisportal.database import PostgresToolError, run_pg_program
from tenants.actions import _audit, primary_hostname
from tenants.errors import TenantActionError
from tenants.hooks import tenant_restored
from tenants.models import Domain, Tenant
from tenants.schema_rename import renamed_dump
from tenants.validation import check_ags, check_domain, check_name, check_slug, schema_name_for

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SCHEMA_DUMP = "schema.dump"
MEDIA_DIR = "media"
PRIVATE_DIR = "private"
_MANIFEST_KEYS = {"format_version", "kind", "name", "slug", "ags", "domains", "created", "schema"}


@dataclass(frozen=True)
class RestoreResult:
    tenant: Tenant
    notes: tuple[str, ...]
    seconds: float


def media_root_of(schema_name: str) -> Path:
    """Where a tenant's uploads live (django-tenants' TenantFileSystemStorage with
    MULTITENANT_RELATIVE_MEDIA_ROOT = "%s")."""
    return Path(settings.MEDIA_ROOT) / schema_name


def private_root_of(schema_name: str) -> Path:
    """Where a tenant's private files live (kreisportal.files.PrivateTenantStorage)."""
    return Path(settings.PRIVATE_MEDIA_ROOT) / schema_name


# --- backup ------------------------------------------------------------------------------------


def do_backup_tenant(*, tenant: Tenant, output: Path | None = None, actor: str = "") -> Path:
    """Write one archive with the tenant's schema, manifest and media. Returns its path.

    The archive is written under a temporary name and renamed when complete: a failed backup
    leaves no file that looks like a backup.
    """
    if not tenant.is_portal:
        raise TenantActionError(f"{tenant.slug!r} is a system tenant and cannot be backed up")
    if output is None:
        stamp = datetime.now(tz=timezone.get_current_timezone()).strftime("%Y%m%d-%H%M%S")
        output = Path(settings.KREISPORTAL_HOME) / "backups" / f"{tenant.slug}-{stamp}.tar.gz"
    output = Path(output)
    if output.exists():
        raise TenantActionError(f"{output} already exists: choose another --output")
    if not output.parent.is_dir():
        if output.parent == Path(settings.KREISPORTAL_HOME) / "backups":
            output.parent.mkdir(parents=True)
        else:
            raise TenantActionError(f"folder {output.parent} does not exist")

    manifest = {
        "format_version": FORMAT_VERSION,
        "kind": tenant.kind,
        "name": tenant.name,
        "slug": tenant.slug,
        "ags": tenant.ags,
        "status": tenant.status,
        "domains": sorted(
            ({"domain": d.domain, "primary": d.is_primary} for d in tenant.domains.all()),
            key=lambda d: (not d["primary"], d["domain"]),
        ),
        "created": tenant.created.isoformat(),
        "schema": tenant.schema_name,
        "backed_up_at": timezone.now().isoformat(),
        "server_version": connection.pg_version if connection.connection else None,
    }
    partial = output.with_name(f".{output.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="kp-backup-") as workdir:
            dump = Path(workdir) / SCHEMA_DUMP
            run_pg_program(
                "pg_dump", ["--format=custom", f"--schema={tenant.schema_name}", f"--file={dump}"]
            )
            with tarfile.open(partial, "w:gz") as archive:
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(time.time())
                archive.addfile(info, io.BytesIO(data))
                archive.add(dump, arcname=SCHEMA_DUMP)
                for folder, arcname in (
                    (media_root_of(tenant.schema_name), MEDIA_DIR),
                    (private_root_of(tenant.schema_name), PRIVATE_DIR),
                ):
                    if folder.is_dir():
                        archive.add(folder, arcname=arcname)
        partial.rename(output)
    except PostgresToolError as exc:
        raise TenantActionError(f"backup of {tenant.slug!r} failed: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    _audit(tenant.slug, "backed_up", actor, file=str(output))
    return output


# --- restore -----------------------------------------------------------------------------------


def do_restore_tenant(
    *, archive: Path, slug: str, name: str = "", ags: str | None = None, actor: str = ""
) -> RestoreResult:
    """Restore a backup as a new tenant `slug` (never over an existing one): check the target
    is free, unpack and check the archive, load the schema under its new name, then migrate,
    copy the files and register the tenant — or remove everything again."""
    started = time.monotonic()
    schema, media_target, private_target = _free_target(slug)
    archive = Path(archive)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kp-restore-") as workdir:
        work = Path(workdir)
        manifest = _unpack(archive, work)
        name = check_name(name or manifest["name"])
        ags = _restored_ags(manifest, ags, notes)
        _check_district_is_free(manifest["kind"])
        if connection.in_atomic_block:
            raise TenantActionError("a restore cannot run inside a database transaction")
        _load_schema(work, archive, from_schema=manifest["schema"], to_schema=schema)
        try:
            if _migrate_if_behind(schema):
                notes.append("the backup was older than this version: its schema was migrated")
            for source, target in (
                (work / MEDIA_DIR, media_target),
                (work / PRIVATE_DIR, private_target),
            ):
                if source.is_dir():
                    shutil.copytree(source, target)
            tenant = _register(
                manifest=manifest,
                slug=slug,
                schema=schema,
                name=name,
                ags=ags,
                actor=actor,
                archive=archive,
            )
        except BaseException as exc:
            _undo_restore(schema, media_target, private_target)
            if isinstance(exc, TenantActionError):
                raise
            if isinstance(exc, Exception):
                raise TenantActionError(
                    f"restore of {archive.name} failed, nothing kept: {exc.__class__.__name__}: "
                    f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
                ) from exc
            raise
    return RestoreResult(tenant=tenant, notes=tuple(notes), seconds=time.monotonic() - started)


def _free_target(slug: str) -> tuple[str, Path, Path]:
    """The new tenant's schema and file folders, none of which may exist yet."""
    slug = check_slug(slug)
    check_domain(primary_hostname(slug))
    schema = schema_name_for(slug)
    if schema_exists(schema):
        raise TenantActionError(f"schema {schema!r} already exists in the database")
    media_target, private_target = media_root_of(schema), private_root_of(schema)
    for folder in (media_target, private_target):
        if folder.exists():
            raise TenantActionError(
                f"folder {folder} already exists (left from a deleted tenant?): move it away first"
            )
    return schema, media_target, private_target


def _restored_ags(manifest: dict, ags: str | None, notes: list[str]) -> str:
    """The official key the restored tenant gets: the one asked for, else the backup's unless
    another tenant has it now (then none, with a note)."""
    if ags is not None:
        return check_ags(ags, manifest["kind"])
    if manifest["ags"] and not Tenant.objects.filter(ags=manifest["ags"]).exists():
        return manifest["ags"]
    if manifest["ags"]:
        notes.append(
            f"official key {manifest['ags']} belongs to another tenant: "
            "restored without one (set it with --ags)"
        )
    return ""


def _check_district_is_free(kind: str) -> None:
    if kind != Tenant.Kind.DISTRICT:
        return
    other = Tenant.objects.district()
    if other is not None:
        raise TenantActionError(
            f"a district tenant exists already ({other.slug!r}): "
            "a district backup can only be restored after its deletion"
        )


def _load_schema(work: Path, archive: Path, *, from_schema: str, to_schema: str) -> None:
    """pg_restore the dump, renamed to the new schema, in one transaction."""
    try:
        renamed = renamed_dump(work / SCHEMA_DUMP, from_schema, to_schema, work)
        run_pg_program(
            "pg_restore",
            ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
            + [str(renamed)],
        )
    except (PostgresToolError, psycopg.Error) as exc:
        reason = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
        raise TenantActionError(f"restore of {archive.name} failed: {reason}") from exc


def _undo_restore(schema: str, media_target: Path, private_target: Path) -> None:
    _remove_schema(schema)
    shutil.rmtree(media_target, ignore_errors=True)
    shutil.rmtree(private_target, ignore_errors=True)


def _unpack(archive: Path, work: Path) -> dict:
    """Extract the archive into `work`; the manifest, or a readable refusal."""
    if not archive.is_file():
        raise TenantActionError(f"backup file {str(archive)!r} not found")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            names = set(tar.getnames())
            if MANIFEST not in names or SCHEMA_DUMP not in names:
                raise TenantActionError(
                    f"{archive.name} is not a Kreisportal tenant backup (no manifest or dump)"
                )
            tar.extractall(work, filter="data")
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except TenantActionError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise TenantActionError(
            f"{archive.name} is damaged or not a Kreisportal tenant backup "
            f"({exc.__class__.__name__})"
        ) from exc
    if not isinstance(manifest, dict) or not _MANIFEST_KEYS <= manifest.keys():
        raise TenantActionError(f"{archive.name}: manifest incomplete")
    if manifest["format_version"] != FORMAT_VERSION:
        raise TenantActionError(
            f"{archive.name}: backup format {manifest['format_version']!r} is not supported "
            f"(this version reads format {FORMAT_VERSION})"
        )
    if manifest["kind"] not in {Tenant.Kind.DISTRICT, Tenant.Kind.MUNICIPALITY}:
        raise TenantActionError(f"{archive.name}: unknown tenant kind {manifest['kind']!r}")
    return manifest


def _migrate_if_behind(schema: str) -> bool:
    """A backup made by an older version lacks newer migrations: apply them. True if any."""

    connection.set_schema(schema, include_public=False)
    try:
        executor = MigrationExecutor(connection)
        behind = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    finally:
        connection.set_schema_to_public()
    if behind:
        call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
    return behind


def _register(
    *, manifest: dict, slug: str, schema: str, name: str, ags: str, actor: str, archive: Path
) -> Tenant:
    """Tenant row, domain, Wagtail site host, caches, read models, audit: one transaction."""
    hostname = primary_hostname(slug)
    with transaction.atomic():
        tenant = Tenant(name=name, slug=slug, kind=manifest["kind"], ags=ags, schema_name=schema)
        tenant.auto_create_schema = False  # the schema is the restored one
        tenant.save()
        Domain.objects.create(domain=hostname, tenant=tenant, is_primary=True)
        # cms points the Wagtail site to the new host (and rebuilds a district's news read
        # model), services rebuilds "who offers what"
        tenant_restored.send(tenant=tenant, hostname=hostname)
        _audit(
            slug,
            "restored",
            actor,
            source_slug=manifest["slug"],
            source_schema=manifest["schema"],
            backed_up_at=manifest.get("backed_up_at", ""),
            file=str(archive),
        )
    return tenant


def _remove_schema(schema: str) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {connection.ops.quote_name(schema)} CASCADE")
    except Exception:  # noqa: BLE001 - reported, the original error is what the caller sees
        logger.exception("could not remove the half-restored schema %s", schema)
