"""Platform-level tasks, and `dispatch`: how every write queues Celery work (see outbox.py)."""

import logging

from django.db import connection
from django_tenants.utils import get_public_schema_name

from kreisportal.celery import app
from kreisportal.outbox import dispatch, relay

__all__ = ["current_schema", "dispatch", "relay_outbox"]

logger = logging.getLogger(__name__)


@app.task(name="kreisportal.current_schema")
def current_schema() -> str:
    """Return the schema this task ran in: proves tenant routing of the worker end to end."""
    logger.info("schema probe ran")
    return connection.schema_name


@app.task(name="kreisportal.relay_outbox")
def relay_outbox() -> int:
    """Send tasks kept in the outbox while the broker was down. Beat runs this in every portal's
    schema (each relays its own); in the public schema it relays all of them."""
    schema = connection.schema_name
    return relay(schema_name=None if schema == get_public_schema_name() else schema)
