"""A worker that starts settles what a killed worker left behind.

With the filesystem broker (no server) a message taken by a worker that is then killed is gone;
with Redis/RabbitMQ and late acks it is delivered again. Either way the work is found from the
database: paid cases not moved on, automated cases (written confirmations, cadastral extracts)
not completed. Every step is idempotent, so a job that is also redelivered still completes
exactly once.
"""

from __future__ import annotations

import logging

from celery.signals import worker_ready
from django_tenants.utils import tenant_context

from services.applications.actions import do_reconcile
from tenants.models import Tenant

logger = logging.getLogger(__name__)


def settle_all_portals() -> dict[str, int]:
    """Run the reconciliation of every portal now, without the usual minimum age."""
    settled = {"paid": 0, "automated": 0, "refunded": 0}
    for tenant in Tenant.objects.portals():
        with tenant_context(tenant):
            for key, count in do_reconcile(min_age_seconds=0).items():
                settled[key] += count
    return settled


@worker_ready.connect
def _settle_on_start(**kwargs) -> None:
    try:
        settled = settle_all_portals()
    except Exception:  # a worker must start even when the database is not there yet
        logger.exception("settling left-over work at worker start failed; beat will retry")
        return
    if any(settled.values()):
        logger.warning("worker start: settled left-over work %s", settled)
