"""Demo: one municipality pays its fees through the XBezahldienste sandbox platform (the others
keep the generic sandbox), with the booking data a cash office would want."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from payments.models import PaymentSettings
from tenants.models import Tenant

DEMO_TENANT = "wegberg"
DEMO_SETTINGS = {
    "provider": "xbezahldienste",
    "default_cost_centre": "KST 1100 Allgemeine Verwaltung",
    "default_account": "431100 Verwaltungsgebühren",
}


def seed_demo_payments(slug: str = DEMO_TENANT) -> str:
    """Idempotent; the endpoint id stays empty, so the sandbox names the tenant's own cash
    office."""
    tenant = Tenant.objects.portals().filter(slug=slug).first()
    if tenant is None:
        return f"payments: no tenant {slug!r}, nothing seeded"
    with tenant_context(tenant):
        current = PaymentSettings.objects.first()
        if current is None:
            PaymentSettings.objects.create(**DEMO_SETTINGS)
        elif not current.provider:
            for field, value in DEMO_SETTINGS.items():
                setattr(current, field, value)
            current.save()
    return f"payments: {tenant.name} pays through the XBezahldienste sandbox"
