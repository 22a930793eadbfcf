"""Celery beat for all portals: each periodic task runs once per portal schema (never in the
public schema or the tenant template)."""

from tenant_schemas_celery.scheduler import TenantAwareScheduler


class PortalScheduler(TenantAwareScheduler):
    @classmethod
    def get_queryset(cls):
        from tenants.models import Tenant

        return Tenant.objects.portals()
