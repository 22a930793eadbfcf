"""Writes on tenants. Each action is one transaction; the CLI and the admin call the same ones."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import get_public_schema_name, tenant_context

from kreisportal.database import PostgresToolError, run_pg_program
from tenants.clone import CloneError
from tenants.errors import TenantActionError
from tenants.hooks import go_live_checklist, tenant_provisioned
from tenants.lookup import tenants_changed
from tenants.models import Domain, Tenant, TenantAuditEntry
from tenants.validation import (
    check_ags,
    check_domain,
    check_email,
    check_imprint,
    check_kind,
    check_name,
    check_slug,
    check_username,
    normalise_hostname,
    platform_hostnames,
    schema_name_for,
)

logger = logging.getLogger(__name__)

PUBLIC_SLUG = "public"
TEMPLATE_SLUG = "template"


def _audit(tenant_slug: str, action: str, actor: str, **details: object) -> None:
    # every action audits; some write with queryset.update(), which sends no signal
    tenants_changed()
    TenantAuditEntry.objects.create(
        tenant_slug=tenant_slug, action=action, actor=actor or "system", details=details
    )
    logger.info("tenant %s: %s by %s %s", tenant_slug, action, actor or "system", details or "")


def primary_hostname(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def ensure_system_tenants() -> None:
    """Create the public row (with the platform's hosts) and the migrated template schema.

    Idempotent. The template is a real, migrated, clean tenant schema that is never served; new
    tenants are cloned from it. Being a row, `migrate_schemas` keeps it current.
    """
    public, _ = Tenant.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={"name": "Kreisportal", "slug": PUBLIC_SLUG, "kind": Tenant.Kind.SYSTEM},
    )
    for hostname in sorted(platform_hostnames()):
        Domain.objects.get_or_create(
            domain=hostname,
            defaults={"tenant": public, "is_primary": hostname == settings.BASE_DOMAIN},
        )
    if not Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).exists():
        Tenant(
            schema_name=settings.TENANT_BASE_SCHEMA,
            name="Vorlage für neue Mandanten",
            slug=TEMPLATE_SLUG,
            kind=Tenant.Kind.SYSTEM,
        ).save(verbosity=0)


def do_create_tenant(
    *,
    name: str,
    slug: str,
    kind: str,
    ags: str,
    extra_domains: tuple[str, ...] = (),
    imprint: dict[str, str] | None = None,
    status: str = Tenant.Status.ACTIVE,
    actor: str = "",
) -> Tenant:
    """Provision a portal: schema cloned from the template, domains, Wagtail site and home page,
    legal page drafts (the Impressum filled from `imprint`, the fields in IMPRINT_FIELDS).

    All in one transaction (PostgreSQL DDL is transactional): a failure leaves nothing behind.
    """
    name = check_name(name)
    slug = check_slug(slug)
    kind = check_kind(kind)
    ags = check_ags(ags, kind)
    imprint = check_imprint(imprint or {})
    if status not in (Tenant.Status.ACTIVE, Tenant.Status.PREPARING):
        raise TenantActionError(f"a new tenant starts active or preparing, not {status!r}")
    hostnames = [check_domain(primary_hostname(slug))]
    for extra in extra_domains:
        hostname = check_domain(extra)
        if hostname not in hostnames:
            hostnames.append(hostname)
    if not Tenant.objects.filter(schema_name=settings.TENANT_BASE_SCHEMA).exists():
        raise TenantActionError("the tenant template is missing: run `kreisportal migrate` first")

    with transaction.atomic():
        tenant = Tenant(
            name=name,
            slug=slug,
            kind=kind,
            ags=ags,
            schema_name=schema_name_for(slug),
            status=status,
            **imprint,
        )
        try:
            tenant.save(verbosity=0)
        except (CloneError, PostgresToolError) as exc:
            raise TenantActionError(f"cannot clone the tenant template: {exc}") from exc
        for position, hostname in enumerate(hostnames):
            Domain.objects.create(domain=hostname, tenant=tenant, is_primary=position == 0)
        _set_up_portal(tenant)
        _audit(slug, "created", actor, kind=kind, ags=ags, domains=hostnames, status=status)
        transaction.on_commit(_release_connection)
    return tenant


def _release_connection() -> None:
    """After provisioning, close the database connection; the next query opens a fresh one.

    The PostgreSQL backend that created a schema keeps its ~420 new relations in its caches, and
    every further DDL transaction in that backend got slower: cloning took 0.53 s → 1.4 s over 150
    tenants provisioned in one connection, but stayed at 0.52 s with 300 tenants when each had a
    fresh connection. One reconnect per new tenant is the cheaper side.
    """
    if not connection.in_atomic_block:  # never inside a caller's (or a test's) transaction
        connection.close()


def _set_up_portal(tenant: Tenant) -> None:
    """The apps above set up what a portal needs (cms: its Wagtail site and home page)."""
    tenant_provisioned.send(tenant=tenant, hostname=primary_hostname(tenant.slug))


def do_refresh_tenant(
    *,
    tenant: Tenant,
    name: str,
    ags: str,
    imprint: dict[str, str] | None = None,
    actor: str = "",
) -> Tenant:
    """Bring an existing tenant in line with given master data (the admin's change form, the
    idempotent demo). Imprint fields not given stay as they are."""
    name = check_name(name)
    ags = check_ags(ags, tenant.kind, exclude_pk=tenant.pk)
    imprint = check_imprint(imprint or {})
    with transaction.atomic():
        changed = {}
        if tenant.name != name:
            changed["name"] = name
        if tenant.ags != ags:
            changed["ags"] = ags
        for field, value in imprint.items():
            if getattr(tenant, field) != value:
                changed[field] = value
        if changed:
            Tenant.objects.filter(pk=tenant.pk).update(**changed)
            tenant.refresh_from_db()
            _audit(tenant.slug, "updated", actor, **changed)
        hostname = primary_hostname(tenant.slug)
        if not Domain.objects.filter(domain=hostname).exists():
            Domain.objects.create(domain=hostname, tenant=tenant, is_primary=True)
        _set_up_portal(tenant)
    return tenant


def get_portal(slug: str) -> Tenant:
    """The portal tenant with this slug, or a TenantActionError naming it."""
    tenant = Tenant.objects.portals().filter(slug=(slug or "").strip()).first()
    if tenant is None:
        raise TenantActionError(f"unknown tenant {slug!r}")
    return tenant


def do_suspend_tenant(*, tenant: Tenant, actor: str = "") -> Tenant:
    # the status it had is kept in the audit entry: resuming returns to it
    return _set_status(
        tenant, Tenant.Status.SUSPENDED, "suspended", actor, from_status=tenant.status
    )


def do_resume_tenant(*, tenant: Tenant, actor: str = "") -> Tenant:
    """Back to the status before the suspension: a portal suspended while in preparation goes
    back into preparation (it goes live only through do_go_live and its checklist)."""
    if tenant.is_preparing:
        raise TenantActionError(
            f"tenant {tenant.slug!r} is in preparation: switch it live instead",
            german=f"{tenant.name} ist in Vorbereitung: bitte „live schalten“.",
        )
    return _set_status(tenant, _status_before_suspension(tenant), "resumed", actor)


def status_after_resume(tenant: Tenant) -> str:
    """The status a suspended portal returns to when resumed (live, or in preparation)."""
    return _status_before_suspension(tenant)


def _status_before_suspension(tenant: Tenant) -> str:
    last = (
        TenantAuditEntry.objects.filter(tenant_slug=tenant.slug, action="suspended")
        .order_by("-at", "-pk")
        .values_list("details", flat=True)
        .first()
    )
    before = (last or {}).get("from_status") if isinstance(last, dict) else None
    return Tenant.Status.PREPARING if before == Tenant.Status.PREPARING else Tenant.Status.ACTIVE


def open_go_live_items(tenant: Tenant) -> list[str]:
    """What is still open on the go-live checklist (German labels from the apps' receivers)."""
    open_items: list[str] = []
    go_live_checklist.send(tenant=tenant, open_items=open_items)
    return open_items


def do_go_live(*, tenant: Tenant, actor: str = "") -> Tenant:
    """Switch a portal in preparation live, once the go-live checklist (the receivers of
    go_live_checklist: legal pages published, branding, an editor who signed in) is green."""
    if not tenant.is_preparing:
        raise TenantActionError(
            f"tenant {tenant.slug!r} is not in preparation",
            german=f"{tenant.name} ist nicht in Vorbereitung.",
        )
    with transaction.atomic():
        open_items = open_go_live_items(tenant)
        if open_items:
            raise TenantActionError(
                f"go-live checklist of {tenant.slug!r} is not complete, still open: "
                + "; ".join(open_items),
                german=f"{tenant.name} kann noch nicht live gehen. Noch offen: "
                + "; ".join(open_items)
                + ".",
            )
        Tenant.objects.filter(pk=tenant.pk).update(status=Tenant.Status.ACTIVE)
        tenant.status = Tenant.Status.ACTIVE
        _audit(tenant.slug, "went_live", actor)
    return tenant


CATALOGUE_REVIEWED = "catalogue_reviewed"


def do_record_catalogue_review(*, tenant: Tenant, actor: str, **details: object) -> None:
    """The portal's editors reviewed its local catalogue (accepted the offer defaults or changed
    them): recorded with who and when in the tenant's audit trail, which the go-live checklist
    reads (catalogue_reviewed)."""
    if not tenant.is_portal:
        raise TenantActionError("Ein Systemmandant hat keinen Katalog.")
    with transaction.atomic():
        _audit(tenant.slug, CATALOGUE_REVIEWED, actor, **details)


def catalogue_reviewed(tenant: Tenant) -> TenantAuditEntry | None:
    """The latest review of the tenant's local catalogue, None if there was none."""
    return (
        TenantAuditEntry.objects.filter(tenant_slug=tenant.slug, action=CATALOGUE_REVIEWED)
        .order_by("-at", "-pk")
        .first()
    )


def _set_status(tenant: Tenant, status: str, verb: str, actor: str, **details: object) -> Tenant:
    if not tenant.is_portal:
        raise TenantActionError(f"{tenant.slug!r} is a system tenant and cannot be {verb}")
    if tenant.status == status:
        raise TenantActionError(f"tenant {tenant.slug!r} is already {tenant.get_status_display()}")
    with transaction.atomic():
        Tenant.objects.filter(pk=tenant.pk).update(status=status)
        tenant.status = status
        _audit(tenant.slug, verb, actor, **details)
    return tenant


def do_add_domain(
    *, tenant: Tenant, hostname: str, make_primary: bool = False, actor: str = ""
) -> Domain:
    if not tenant.is_portal:
        raise TenantActionError(
            f"{tenant.slug!r} is a system tenant: its hosts come from BASE_DOMAIN"
        )
    hostname = check_domain(hostname)
    with transaction.atomic():
        domain = Domain(domain=hostname, tenant=tenant, is_primary=make_primary)
        domain.save()
        _audit(tenant.slug, "domain_added", actor, domain=hostname, primary=domain.is_primary)
    return domain


def do_remove_domain(*, hostname: str, actor: str = "") -> None:
    hostname = normalise_hostname(hostname)
    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    if domain is None:
        raise TenantActionError(f"unknown domain {hostname!r}")
    tenant = domain.tenant
    if not tenant.is_portal:
        raise TenantActionError(f"domain {hostname!r} is the platform's own host")
    if domain.is_primary:
        raise TenantActionError(
            f"domain {hostname!r} is the primary domain of {tenant.slug!r}: "
            "make another primary first"
        )
    with transaction.atomic():
        domain.delete()
        _audit(tenant.slug, "domain_removed", actor, domain=hostname)


def default_backup_dir() -> Path:
    """Where do_delete_tenant puts the schema dump unless told otherwise."""
    return Path(settings.KREISPORTAL_HOME) / "backups"


def do_delete_tenant(*, tenant: Tenant, backup_dir: Path | None = None, actor: str = "") -> Path:
    """Dump the tenant's schema to a file, then drop schema, domains and row. Returns the dump."""
    if not tenant.is_portal:
        raise TenantActionError(f"{tenant.slug!r} is a system tenant and cannot be deleted")
    backup_dir = backup_dir or default_backup_dir()
    dump = dump_schema(schema_name=tenant.schema_name, slug=tenant.slug, backup_dir=backup_dir)
    slug = tenant.slug
    with transaction.atomic():
        tenant.delete(force_drop=True)
        _audit(slug, "deleted", actor, backup=str(dump))
    return dump


def dump_schema(*, schema_name: str, slug: str, backup_dir: Path) -> Path:
    """`pg_dump -n <schema>` into `backup_dir`, with the pg_dump matching the server
    (`kreisportal.database.pg_program`)."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(tz=timezone.get_current_timezone()).strftime("%Y%m%d-%H%M%S")
    target = backup_dir / f"{slug}-{stamp}.dump"
    try:
        run_pg_program(
            "pg_dump", ["--format=custom", f"--schema={schema_name}", f"--file={target}"]
        )
    except PostgresToolError as exc:
        target.unlink(missing_ok=True)
        raise TenantActionError(f"backup of {slug!r} failed, nothing deleted: {exc}") from exc
    return target


# Wagtail's editor groups, created in every tenant schema (the template's migrations).
EDITOR_GROUPS = {"Editors": "Redaktion (Entwürfe)", "Moderators": "Redaktion (veröffentlichen)"}


def do_create_editor(
    *, tenant: Tenant, username: str, email: str, group: str, actor: str = ""
) -> tuple[str, str]:
    """An editor's account in the tenant's own schema (it exists nowhere else), without a
    password: returns (username, path) where path is the tenant host's one-time link to set one
    (Django's password reset token: expires after PASSWORD_RESET_TIMEOUT, invalid once used).
    """
    if not tenant.is_portal:
        raise TenantActionError("Ein Systemmandant hat keine Redaktion.")
    username = check_username(username)
    email = check_email(email)
    if group not in EDITOR_GROUPS:
        raise TenantActionError(f"Unbekannte Gruppe {group!r}.")
    users = get_user_model().objects
    with tenant_context(tenant), transaction.atomic():
        if users.filter(username__iexact=username).exists():
            raise TenantActionError(
                f"Den Benutzernamen {username!r} gibt es in diesem Portal schon."
            )
        editor_group = Group.objects.filter(name=group).first()
        if editor_group is None:
            raise TenantActionError(f"Die Gruppe {group!r} fehlt im Portal {tenant.slug!r}.")
        user = users.create_user(username=username, email=email, password=None, is_staff=True)
        user.groups.add(editor_group)
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        _audit(tenant.slug, "editor_created", actor, username=username, group=group)
    link = reverse(
        "wagtailadmin_password_reset_confirm",
        urlconf=settings.ROOT_URLCONF,  # the tenant's URLs, also when called from the public host
        kwargs={"uidb64": uid, "token": token},
    )
    return username, link
