"""Platform-level diagnostic tasks."""

import logging

from django.db import connection

from kreisportal.celery import app

logger = logging.getLogger(__name__)


@app.task(name="kreisportal.current_schema")
def current_schema() -> str:
    """Return the schema this task ran in: proves tenant routing of the worker end to end."""
    logger.info("schema probe ran")
    return connection.schema_name
