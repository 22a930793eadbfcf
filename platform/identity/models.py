"""Broker state (public schema). No citizen data beyond the broker's own short-lived records;
`actions.do_purge_expired_broker_records` (beat, every minute) removes them when they expire."""

from __future__ import annotations

from django.db import models


class LoginCode(models.Model):
    """One-time, short-lived code a tenant redeems server-side for the identity.

    Bound to the login that asked for it: `state_hash` is the SHA-256 of the tenant's state
    nonce, which only the browser session that started the login holds. `identity` is cleared
    when the code is redeemed or refused; the row itself is purged once expired.
    """

    code_hash = models.CharField(max_length=64, unique=True)
    state_hash = models.CharField(max_length=64, default="")
    tenant_slug = models.CharField(max_length=40)
    identity = models.JSONField()
    broker_session_key = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(db_index=True)
    used = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code for {self.tenant_slug} (used: {bool(self.used)})"


class ConsumedAssertion(models.Model):
    """Assertion ids already accepted (and, prefixed "logout:", the ids of LogoutRequests
    handled): a replayed SAML message is refused."""

    assertion_id = models.CharField(max_length=200, unique=True)
    not_on_or_after = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.assertion_id


class TenantSession(models.Model):
    """Which tenant sessions a broker login created, so that logout ends all of them."""

    broker_session_key = models.CharField(max_length=64, db_index=True)
    tenant_slug = models.CharField(max_length=40)
    session_key = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.tenant_slug}:{self.session_key[:6]}…"


class SamlLogin(models.Model):
    """A SAML login of a broker session: which NameID and SessionIndex the identity provider
    issued, so that a LogoutRequest from the IdP (which carries no cookie of ours) finds the
    broker sessions to end. `name_id_hash` is the SHA-256 of the NameID: the row itself holds
    no identifier of the citizen. Purged with its broker session."""

    broker_session_key = models.CharField(max_length=64, db_index=True)
    name_id_hash = models.CharField(max_length=64, db_index=True)
    session_index = models.CharField(max_length=200, blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"SAML login {self.session_index or '-'}"
