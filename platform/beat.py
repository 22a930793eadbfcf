"""Celery beat for all portals: each periodic task runs once per portal schema (never in the
public schema or the tenant template), unless its entry names `"tenant_schemas": ["public"]`:
then it runs once, in the public schema (the SSO broker's purge, for instance)."""

import logging

from django_tenants.utils import get_public_schema_name, schema_context
from tenant_schemas_celery.scheduler import TenantAwareScheduler

logger = logging.getLogger(__name__)


class PortalScheduler(TenantAwareScheduler):
    @classmethod
    def get_queryset(cls):
        from tenants.models import Tenant

        return Tenant.objects.portals()

    def apply_entry(self, entry, producer=None):
        # tenant_schemas_celery looks the entry's schema up in get_queryset(), which holds
        # portals only: an entry for the public schema would be sent nowhere. Send it here,
        # once, with the connection (hence the task's schema header) on the public schema.
        headers = entry.options.get("headers") or {}
        if not headers.get("_all_tenants_only") and (
            headers.get("_schema_name") == get_public_schema_name()
        ):
            with schema_context(get_public_schema_name()):
                try:
                    self.apply_async(entry, producer=producer, advance=False)
                except Exception:  # noqa: BLE001 - like the base class: log, next tick retries
                    logger.exception("sending %s to the public schema failed", entry.name)
            return
        super().apply_entry(entry, producer=producer)
