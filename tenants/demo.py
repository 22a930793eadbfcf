"""The demo tenants: Kreis Heinsberg and its 10 municipalities from shared/data/tenants.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tenants import actions
from tenants.errors import TenantActionError
from tenants.models import Tenant


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    kind: str
    ags: str
    contact_email: str = ""


def demo_contact_email(slug: str) -> str:
    """A clearly fictitious address (the reserved .example domain) for a demo portal without one
    in the tenant list: barrier reports and the Impressum need somewhere to point."""
    return f"barrierefreiheit@{slug}.example"


def load_demo_tenants(path: Path | None = None) -> list[DemoTenant]:
    path = path or Path(settings.SHARED_DATA_DIR) / "tenants.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["tenants"]
        return [
            DemoTenant(
                r["slug"],
                r["name"],
                r["kind"],
                r["ags"],
                r.get("contact_email") or r.get("email") or demo_contact_email(r["slug"]),
            )
            for r in rows
        ]
    except FileNotFoundError as exc:
        raise TenantActionError(f"tenant list not found: {path}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise TenantActionError(f"tenant list {path} is malformed: {exc}") from exc


def seed_demo_tenants(*, actor: str = "demo") -> list[tuple[Tenant, bool]]:
    """Create missing demo tenants, refresh existing ones. Returns (tenant, created) pairs."""
    actions.ensure_system_tenants()
    result = []
    for row in load_demo_tenants():
        existing = Tenant.objects.filter(slug=row.slug).first()
        contact = {"contact_email": row.contact_email}
        if existing is None:
            tenant = actions.do_create_tenant(
                name=row.name,
                slug=row.slug,
                kind=row.kind,
                ags=row.ags,
                imprint=contact,
                actor=actor,
            )
            result.append((tenant, True))
        else:
            # an address the district entered meanwhile stays; only a missing one is filled
            result.append(
                (
                    actions.do_refresh_tenant(
                        tenant=existing,
                        name=row.name,
                        ags=row.ags,
                        imprint=None if existing.contact_email else contact,
                        actor=actor,
                    ),
                    False,
                )
            )
    return result
