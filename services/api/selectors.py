"""Reads of the catalogue API (the views only parse, call these and serialise)."""

from __future__ import annotations

from django.db.models import Q

from services.local.models import LocalService
from services.models import Service
from services.search import search_services
from tenants import selectors as tenant_selectors
from tenants.models import Tenant

SEARCH_WINDOW = 500  # ranked hits considered before filters and paging


def service_ids(params: dict, *, in_tenant: bool) -> list[int]:
    """Ids of the services the list shows, in order: by relevance when `q` is given (offered
    services first, as the search ranks them), else by name."""
    queryset = Service.objects.all()
    if params.get("topic"):
        queryset = queryset.filter(topic=params["topic"])
    if params.get("life_situation"):
        queryset = queryset.filter(life_situation=params["life_situation"])
    if in_tenant:
        local_filter = Q()
        if params.get("offered") is not None:
            local_filter &= Q(offered=params["offered"])
        if params.get("online_level"):
            local_filter &= Q(online_level=params["online_level"])
        if local_filter:
            queryset = queryset.filter(
                pk__in=LocalService.objects.filter(local_filter).values("service_id")
            )
    if not params.get("q"):
        return list(queryset.order_by("name").values_list("pk", flat=True))
    ranked = [hit.id for hit in search_services(params["q"], limit=SEARCH_WINDOW).hits]
    allowed = set(queryset.filter(pk__in=ranked).values_list("pk", flat=True))
    return [pk for pk in ranked if pk in allowed]


def responsible(
    service: Service,
    local: LocalService | None,
    tenant: Tenant | None,
    *,
    district_name: str | None = None,
) -> dict:
    """Who is responsible for the service here: level and authority. The district's name comes
    from its tenant row (read when needed and not given), never from the code."""
    if local is None:
        return {"level": service.default_level or "unknown", "authority": ""}
    if local.responsibility == "district" and district_name is None:
        district_name = tenant_selectors.district_name()
    authority = {
        "self": tenant.name if tenant else "",
        "district": district_name or "",
        "other": local.other_authority,
    }.get(local.responsibility, "")
    return {"level": local.responsibility, "authority": authority}


def services_page(ids: list[int], *, in_tenant: bool, tenant: Tenant | None) -> list[Service]:
    """The services of one page, in the page's order, each with `offered_here` and
    `responsible_here` for the serializer (services, local parts, and the district's name
    when a service is the district's)."""
    services = Service.objects.in_bulk(ids)
    locals_ = (
        {local.service_id: local for local in LocalService.objects.filter(service_id__in=ids)}
        if in_tenant
        else {}
    )
    district_name = tenant_selectors.district_name()
    page = []
    for pk in ids:
        service, local = services[pk], locals_.get(pk)
        service.offered_here = local.offered if local else (False if in_tenant else None)
        service.responsible_here = responsible(
            service, local, tenant if in_tenant else None, district_name=district_name
        )
        page.append(service)
    return page
