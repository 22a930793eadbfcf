"""Platform-level diagnostic tasks."""

from django.db import connection

from kreisportal.celery import app


@app.task(name="kreisportal.current_schema")
def current_schema() -> str:
    """Return the schema this task ran in: proves tenant routing of the worker end to end."""
    return connection.schema_name
