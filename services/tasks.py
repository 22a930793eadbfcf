"""Thin tasks: ids in, objects loaded again, an action called. Tenant comes with the task."""

from django.db import connection

from kreisportal.celery import app
from services.finder import sync_offers


@app.task(name="services.sync_offers")
def sync_offers_task(service_ids: list[int] | None = None) -> int:
    """Update the public read model from the local services of the task's tenant."""
    return sync_offers(tenant=connection.tenant, service_ids=service_ids)
