"""Broker state (public schema). No citizen data beyond the broker's own short-lived records."""

from __future__ import annotations

from django.db import models


class LoginCode(models.Model):
    """One-time, short-lived code a tenant redeems server-side for the identity."""

    code_hash = models.CharField(max_length=64, unique=True)
    tenant_slug = models.CharField(max_length=40)
    identity = models.JSONField()
    broker_session_key = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.tenant_slug} (used: {bool(self.used)})"


class ConsumedAssertion(models.Model):
    """Assertion ids already accepted: a replayed SAML response is refused."""

    assertion_id = models.CharField(max_length=200, unique=True)
    not_on_or_after = models.DateTimeField()

    def __str__(self) -> str:
        return self.assertion_id


class TenantSession(models.Model):
    """Which tenant sessions a broker login created, so that logout ends all of them."""

    broker_session_key = models.CharField(max_length=64, db_index=True)
    tenant_slug = models.CharField(max_length=40)
    session_key = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.tenant_slug}:{self.session_key[:6]}…"
