"""The read model "who offers what" (public schema) and the district-wide finder."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django_tenants.utils import tenant_context

from services.local.models import LocalService, Responsibility
from services.models import Service, ServiceOffer
from tenants.models import Tenant

_OFFER_FIELDS = [
    "offered",
    "responsibility",
    "authority_name",
    "office_name",
    "office_address",
    "office_phone",
    "office_email",
    "appointment_url",
    "online_level",
    "online_url",
    "fee_cents",
]


def _offer_for(local: LocalService, tenant: Tenant, district_name: str) -> ServiceOffer:
    office = local.office
    if local.responsibility == Responsibility.SELF:
        authority = tenant.name
    elif local.responsibility == Responsibility.DISTRICT:
        authority = district_name
    else:
        authority = local.other_authority
    return ServiceOffer(
        tenant=tenant,
        service_id=local.service_id,
        offered=local.offered,
        responsibility=local.responsibility,
        authority_name=authority[:200],
        office_name=office.name if office else "",
        office_address=office.address if office else "",
        office_phone=office.phone if office else "",
        office_email=office.email if office else "",
        appointment_url=office.appointment_url if office else "",
        online_level=local.online_level,
        online_url=local.online_url,
        fee_cents=local.fee_cents,
    )


def sync_offers(*, tenant: Tenant, service_ids: Iterable[int] | None = None) -> int:
    """Bring the read model in line with `tenant`'s local services (all, or the given ones).

    Runs in the tenant's schema (reads local rows) and writes public rows; returns rows written.
    """
    district = Tenant.objects.district()
    district_name = district.name if district else "Kreis"
    ids = None if service_ids is None else set(service_ids)
    with tenant_context(tenant):
        locals_ = LocalService.objects.select_related("office")
        if ids is not None:
            locals_ = locals_.filter(service_id__in=ids)
        offers = [_offer_for(local, tenant, district_name) for local in locals_]
        present = {offer.service_id for offer in offers}
    ServiceOffer.objects.bulk_create(
        offers,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["tenant", "service"],
        update_fields=_OFFER_FIELDS,
    )
    stale = ServiceOffer.objects.filter(tenant=tenant).exclude(service_id__in=present)
    if ids is not None:
        stale = stale.filter(service_id__in=ids)
    stale.delete()
    return len(offers)


def rebuild_read_model() -> dict[str, int]:
    """Recompute every tenant's rows (the `kreisportal catalogue rebuild-finder` command)."""
    return {t.slug: sync_offers(tenant=t) for t in Tenant.objects.portals()}


@dataclass(frozen=True)
class FinderAnswer:
    service: Service
    municipality: Tenant
    responsible: str  # "municipality" | "district" | "other" | "unknown"
    authority_name: str
    portal: Tenant | None
    offer: ServiceOffer | None


def find_responsible(*, service: Service, municipality: Tenant) -> FinderAnswer:
    """ "I live in <municipality> and need <service>": one query on the read model."""
    district_kind = Tenant.Kind.DISTRICT
    rows = list(
        ServiceOffer.objects.select_related("tenant")
        .filter(service=service)
        .filter(Q(tenant=municipality) | Q(tenant__kind=district_kind))
    )
    own = next((r for r in rows if r.tenant_id == municipality.pk), None)
    district_row = next((r for r in rows if r.tenant.kind == district_kind), None)
    if own is None:
        return FinderAnswer(service, municipality, "unknown", "", None, None)
    if own.responsibility == Responsibility.DISTRICT and district_row is not None:
        return FinderAnswer(
            service,
            municipality,
            "district",
            district_row.tenant.name,
            district_row.tenant,
            district_row,
        )
    if own.responsibility == Responsibility.OTHER:
        return FinderAnswer(service, municipality, "other", own.authority_name, None, own)
    return FinderAnswer(
        service, municipality, "municipality", own.authority_name, municipality, own
    )
