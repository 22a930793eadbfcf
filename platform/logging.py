"""Structured log context: every record carries the tenant of the current connection."""

import logging


class TenantContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "tenant"):
            try:
                from kreisportal.observability import current_tenant_slug

                record.tenant = current_tenant_slug()
            except Exception:  # noqa: BLE001 - logging must never fail (e.g. before setup)
                record.tenant = "-"
        return True
