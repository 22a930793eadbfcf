"""Celery tasks of FIT-Connect (thin: ids in, actions called; the tenant comes with the task)."""

from __future__ import annotations

import logging

from kreisportal.celery import app
from services.fitconnect.actions import (
    ApiRefused,
    ApiUnavailable,
    DeliveryImpossible,
    do_attempt,
    do_poll,
    due_deliveries,
    open_deliveries,
)
from services.fitconnect.models import Delivery
from services.fitconnect.zbp import do_fan_out

logger = logging.getLogger(__name__)


@app.task(name="fitconnect.attempt")
def attempt_delivery(delivery_id: str) -> str:
    delivery = do_attempt(delivery_id=delivery_id)
    return delivery.state if delivery else "not due"


@app.task(name="fitconnect.poll")
def poll(case_ids: list[str] | None = None) -> dict:
    """Every minute per portal: ZBP fan-out, due deliveries (retries), event logs of submitted
    deliveries (all, or those of the given cases, as a callback asks)."""
    counts = {"zbp_queued": do_fan_out(), "attempted": 0, "events": 0}
    for delivery_id in list(due_deliveries().values_list("public_id", flat=True)[:200]):
        if do_attempt(delivery_id=str(delivery_id)) is not None:
            counts["attempted"] += 1
    deliveries = open_deliveries()
    if case_ids is not None:
        deliveries = deliveries.filter(case_id__in=case_ids)
    for delivery in deliveries[:500]:
        try:
            counts["events"] += do_poll(delivery=delivery)
        except (ApiUnavailable, ApiRefused, DeliveryImpossible) as exc:
            logger.warning("event log of %s not read: %s", delivery.public_id, exc)
    return counts


__all__ = ["Delivery", "attempt_delivery", "poll"]
