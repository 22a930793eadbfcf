"""Reads of the staff directory configuration."""

from __future__ import annotations

from tenants.models import Tenant
from tenants.staff_directory.models import StaffDirectory


def enabled_directory_for(tenant: Tenant | None) -> StaffDirectory | None:
    """The tenant's directory if one is configured and switched on, else None."""
    if tenant is None or getattr(tenant, "pk", None) is None:
        return None
    return (
        StaffDirectory.objects.filter(tenant_id=tenant.pk, enabled=True)
        .prefetch_related("group_mappings")
        .first()
    )


def claim_values(claims: dict, claim_path: str) -> list[str]:
    """The values of a (dotted, nested) claim as a list of strings; a leading "/" (Keycloak's
    full group path) is dropped."""
    value: object = claims
    for part in claim_path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [item.lstrip("/") for item in value if isinstance(item, str)]


def mapped_group_names(directory: StaffDirectory, claims: dict) -> set[str]:
    """Names of the tenant's groups the person's directory groups grant."""
    values = set(claim_values(claims, directory.group_claim))
    return {
        mapping.group_name
        for mapping in directory.group_mappings.all()
        if mapping.claim_value.lstrip("/") in values
    }
