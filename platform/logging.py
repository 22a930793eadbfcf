"""Structured log context: every record carries the tenant (the schema of the current database
connection: set per request by django-tenants, per task by tenant-schemas-celery) and the
request id (kreisportal.request_id). Production writes one JSON object per line."""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

NO_VALUE = "-"


def current_schema_name() -> str:
    from django.db import connection

    return getattr(connection, "schema_name", None) or "public"


class TenantContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "tenant"):
            try:
                record.tenant = current_schema_name()
            except Exception:  # noqa: BLE001 - logging must never fail (e.g. before setup)
                record.tenant = NO_VALUE
        if not hasattr(record, "request_id"):
            from kreisportal.request_id import current_request_id

            record.request_id = current_request_id() or NO_VALUE
        return True


class PortalJsonFormatter(JsonFormatter):
    """One JSON object per line with timestamp, level, logger, message, tenant, request id
    (and any `extra=` fields, exception text)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(tenant)s %(request_id)s", *args, **kwargs
        )
