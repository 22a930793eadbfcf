"""Reads on tenants."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django_tenants.utils import get_public_schema_name

from tenants.lookup import cached_tenant
from tenants.models import Domain, Tenant


@dataclass(frozen=True)
class PortalLink:
    slug: str
    name: str
    kind: str
    url: str
    suspended: bool


def portal_links(*, scheme: str = "http", port: str = "") -> list[PortalLink]:
    """Every portal with the address of its primary domain, district first."""
    suffix = f":{port}" if port and port not in ("80", "443") else ""
    portals = Tenant.objects.portals().prefetch_related(
        Prefetch("domains", queryset=Domain.objects.filter(is_primary=True), to_attr="primary")
    )
    links = [
        PortalLink(
            slug=tenant.slug,
            name=tenant.name,
            kind=tenant.kind,
            url=f"{scheme}://{tenant.primary[0].domain}{suffix}/" if tenant.primary else "",
            suspended=tenant.is_suspended,
        )
        for tenant in portals
    ]
    return sorted(links, key=lambda link: (link.kind != Tenant.Kind.DISTRICT, link.slug))


def in_tenant_schema() -> bool:
    """Whether the connection is in a portal's schema (not the public one)."""
    return connection.schema_name != get_public_schema_name()


def portal_url(
    tenant: Tenant | None, path: str = "/", *, scheme: str | None = None, port: str | None = None
) -> str:
    """The absolute address of `path` on the tenant's primary domain, '' when it has none.

    Scheme and port are those of the request when given, else those of PUBLIC_URL (tasks and
    documents have no request)."""
    if tenant is None:
        return ""
    public = urlsplit(settings.PUBLIC_URL)
    scheme = scheme or public.scheme or "https"
    port = str(public.port or "") if port is None else str(port)
    domain = (
        Domain.objects.filter(tenant=tenant, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    suffix = f":{port}" if port and port not in ("80", "443") else ""
    return f"{scheme}://{domain}{suffix}{path}" if domain else ""


def district_portal_url(path: str = "/") -> str:
    """`path` on the district's portal (e.g. the verification page printed on extracts)."""
    return portal_url(district(), path)


DISTRICT_KEY = "<district>"  # not a host name: the lookup keeps the district under this key


def district() -> Tenant | None:
    """The district's tenant, kept in the process and forgotten on any tenant write like the
    host lookups (tenants.lookup): pages naming the district cost no query for it."""
    return cached_tenant(DISTRICT_KEY, Tenant.objects.district)


def district_name(default: str = "") -> str:
    tenant = district()
    return tenant.name if tenant else default


PORTALS_KEY = "<portals>"  # not a host name: the lookup keeps the portal list under this key


@dataclass(frozen=True)
class _Portal:
    slug: str
    name: str
    kind: str
    domain: str
    status: str


def _load_portals() -> list[_Portal]:
    return [
        _Portal(tenant.slug, tenant.name, tenant.kind, tenant.primary[0].domain, tenant.status)
        for tenant in Tenant.objects.portals().prefetch_related(
            Prefetch("domains", queryset=Domain.objects.filter(is_primary=True), to_attr="primary")
        )
        if tenant.primary
    ]


def live_portal_links(*, scheme: str = "https", port: str = "") -> list[PortalLink]:
    """The portals citizens can use (live, not in preparation or suspended), district first,
    then the municipalities by name. Kept in the process like the host lookups (tenants.lookup)
    and forgotten on any tenant or domain write: footers and the district's home page list the
    portals without a query."""
    suffix = f":{port}" if port and port not in ("80", "443") else ""
    portals = cached_tenant(PORTALS_KEY, _load_portals)
    links = [
        PortalLink(
            slug=portal.slug,
            name=portal.name,
            kind=portal.kind,
            url=f"{scheme}://{portal.domain}{suffix}/",
            suspended=False,
        )
        for portal in portals
        if portal.status == Tenant.Status.ACTIVE
    ]
    # "Stadt Erkelenz" sorts under E, "Gemeinde Gangelt" under G
    return sorted(
        links, key=lambda link: (link.kind != Tenant.Kind.DISTRICT, link.name.split(" ", 1)[-1])
    )
