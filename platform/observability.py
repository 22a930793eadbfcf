"""Sentry set-up: every event carries the tenant it happened in and the request id."""

from __future__ import annotations

from typing import Any

import sentry_sdk


def current_tenant_slug() -> str:
    """Slug of the tenant the current connection is set to, or "public"."""
    from django.db import connection

    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "slug", None) or getattr(connection, "schema_name", "public")


def _tag_with_tenant(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    # Read from the database connection when the event is built: that is the tenant of the
    # request, the Celery task or the management command that raised, and it cannot leak from
    # one request to the next the way a scope tag set in middleware can.
    tags = event.setdefault("tags", {})
    if "tenant" not in tags:
        try:
            tags["tenant"] = current_tenant_slug()
        except Exception:  # noqa: BLE001 - never let tagging lose the event
            tags["tenant"] = "unknown"
    if "request_id" not in tags:
        from kreisportal.request_id import current_request_id

        request_id = current_request_id()
        if request_id:  # the id in the X-Request-ID response header and in the logs
            tags["request_id"] = request_id
    return event


def init_sentry(*, dsn: str, environment: str) -> bool:
    """Initialise sentry-sdk when a DSN is configured. Returns whether Sentry is active."""
    if not dsn:
        return False
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=_tag_with_tenant,
        traces_sample_rate=0.0,
    )
    return True
