"""Reads on tenants."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

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
