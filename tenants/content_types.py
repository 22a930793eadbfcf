"""Content types kept per schema across requests.

django-tenants empties Django's content-type cache on every schema switch, that is at the start
of every request (the ids of the public schema and of a tenant's may differ). Wagtail asks for
a page's content type to serve it (`page.specific`), so every page then cost one or two
queries just to learn ids that never change. Here the cache is keyed by database alias *and*
schema (and the tenant-lookup stamp, which every tenant creation or deletion changes, so a
schema dropped and made again never meets the ids kept for its predecessor), and the clear
that django-tenants' `set_tenant` does is skipped: any other clear (migrations, tests) still
empties everything. Installed through django-tenants' EXTRA_SET_TENANT_METHOD_PATH, which
`set_tenant` calls right before its clear.
"""

from __future__ import annotations

import threading

from django.db import connections

from tenants.lookup import current_stamp

_switch = threading.local()


class PerSchemaContentTypes(dict):
    """ContentTypeManager._cache, whose keys are database aliases, scoped by schema."""

    stamp = ""

    def _scope(self, alias: str) -> tuple[str, str, str]:
        return (alias, getattr(connections[alias], "schema_name", "") or "", current_stamp())

    def __getitem__(self, alias: str) -> dict:
        return super().__getitem__(self._scope(alias))

    def setdefault(self, alias: str, default: dict | None = None) -> dict:
        scope = self._scope(alias)
        if scope[2] != self.stamp:  # tenants changed: what was kept may name dropped schemas
            super().clear()
            self.stamp = scope[2]
        return super().setdefault(scope, default)

    def clear(self) -> None:
        if getattr(_switch, "skip_next_clear", False):
            _switch.skip_next_clear = False
            return
        super().clear()


def keep_content_types(connection, tenant) -> None:
    """EXTRA_SET_TENANT_METHOD: called by `set_tenant` just before it clears the cache."""
    from django.contrib.contenttypes.models import ContentType

    if not isinstance(ContentType.objects._cache, PerSchemaContentTypes):
        ContentType.objects._cache = PerSchemaContentTypes()
    _switch.skip_next_clear = True
