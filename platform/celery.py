"""Celery app. Tasks are tenant-aware (tenant-schemas-celery): a task queued while the connection
is set to Erkelenz's schema runs in Erkelenz's schema on the worker."""

import logging
import os

from celery.signals import worker_ready
from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kreisportal.settings")

logger = logging.getLogger(__name__)

app = TenantAwareCeleryApp("kreisportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _relay_outbox_on_start(**kwargs) -> None:
    """Tasks kept while the broker was down go out as soon as a worker is up again."""
    from kreisportal.outbox import relay

    try:
        sent = relay()
    except Exception:  # noqa: BLE001 - a failed relay must not stop the worker; beat retries
        logger.exception("outbox relay at worker start failed")
        return
    logger.info("outbox relay at worker start: %d task(s) sent", sent)


# the request id of the request that queued a task is on the task's log records too
from kreisportal.request_id import connect_celery_signals  # noqa: E402

connect_celery_signals()
