"""Writes on the local extension (tenant schema). The read model follows through
services.local.signals."""

from __future__ import annotations

from django.db import transaction

from services.local.models import LocalService, Responsibility
from services.local.signals import queue_offer_sync


@transaction.atomic
def do_set_offered(*, local_service_ids: list, offered: bool) -> int:
    """Offer (or withdraw) many services at once, e.g. "offer these 50". Offering a service
    also makes this tenant responsible for it. Returns the number of rows changed."""
    rows = LocalService.objects.filter(pk__in=local_service_ids).exclude(offered=offered)
    service_ids = set(rows.values_list("service_id", flat=True))
    changes = {"offered": offered}
    if offered:
        changes["responsibility"] = Responsibility.SELF
    count = LocalService.objects.filter(service_id__in=service_ids).update(**changes)
    if service_ids:
        queue_offer_sync(service_ids)  # queryset.update() sends no signals
    return count
