"""The local catalogue's part of the go-live checklist (tenants.hooks.go_live_checklist) and the
editors' "Katalog geprüft": offices of the Bürgerbüro entered, the offer defaults reviewed."""

from __future__ import annotations

from django_tenants.utils import tenant_context

from services.local.models import LocalService, Office
from tenants.actions import catalogue_reviewed
from tenants.models import Tenant

OFFICES_OPEN = "Dienststellen des Bürgerbüros eintragen (Adresse, Öffnungszeiten)"
REVIEW_OPEN = "örtlichen Leistungskatalog prüfen (Vorgaben übernehmen oder ändern)"


def add_go_live_items(*, tenant: Tenant, open_items: list[str]) -> None:
    with tenant_context(tenant):
        if not Office.objects.exists():
            open_items.append(OFFICES_OPEN)
    if catalogue_reviewed(tenant) is None:
        open_items.append(REVIEW_OPEN)


def catalogue_summary() -> dict[str, int]:
    """What the editor confirms when marking the catalogue reviewed (current tenant's schema)."""
    services = LocalService.objects.all()
    return {
        "offered": services.filter(offered=True).count(),
        "total": services.count(),
        "offices": Office.objects.count(),
        "without_office": services.filter(offered=True, office__isnull=True).count(),
    }
