"""The single sign-on broker (public host).

Tenant → /auth/start (broker) → IdP → /saml/acs/ (broker) → tenant's callback with a one-time
code → the tenant redeems the code server-side (`redeem_login_code`) for the identity.

A code is bound to the login that asked for it: the broker stores the hash of the tenant's state
nonce with it, and the tenant redeems it only together with the state from its own session. A
code presented with the wrong state, to the wrong tenant or too late is refused *and burnt* (its
identity cleared, marked used): an intercepted code is then worthless even to the browser it was
made for, which simply starts again — the broker's session signs it in without the IdP.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext

from kreisportal.identity.models import LoginCode, TenantSession

logger = logging.getLogger("kreisportal.identity")
CODE_LIFETIME = timedelta(seconds=60)


class LoginRefused(Exception):
    """A login step was refused; the message is safe to show."""


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@dataclass(frozen=True)
class RedeemedLogin:
    """What a redeemed code yields; the stored row keeps none of the identity."""

    identity: dict
    broker_session_key: str


def issue_login_code(
    *, tenant_slug: str, state: str, identity: dict, broker_session_key: str
) -> str:
    """A one-time code for `tenant_slug`, redeemable only with `state` (the tenant's nonce)."""
    code = secrets.token_urlsafe(32)
    LoginCode.objects.create(
        code_hash=_hash(code),
        state_hash=_hash(state),
        tenant_slug=tenant_slug,
        identity=identity,
        broker_session_key=broker_session_key,
        expires=timezone.now() + CODE_LIFETIME,
    )
    return code


def redeem_login_code(*, code: str, tenant_slug: str, state: str) -> RedeemedLogin:
    """Exchange a code for the identity: once, in time, only by the tenant it was made for and
    only with the state of the login that asked for it. Any refusal of a live code burns it."""
    refusal = ""
    with transaction.atomic():
        record = LoginCode.objects.select_for_update().filter(code_hash=_hash(code or "")).first()
        if record is None:
            raise LoginRefused(gettext("Unbekannter Anmeldecode."))
        if record.used is not None:
            logger.warning("login code reused (tenant %s)", tenant_slug)
            raise LoginRefused(
                gettext(
                    "Dieser Anmeldecode wurde bereits verwendet. Bitte melden Sie sich erneut an."
                )
            )
        if record.tenant_slug != tenant_slug:
            logger.warning("login code for %s presented to %s", record.tenant_slug, tenant_slug)
            refusal = gettext("Dieser Anmeldecode gilt nicht für dieses Portal.")
        elif not (record.state_hash and constant_time_compare(record.state_hash, _hash(state))):
            logger.warning("login code presented with a foreign state (tenant %s)", tenant_slug)
            refusal = gettext("Die Anmeldung wurde nicht in diesem Browser begonnen.")
        elif record.expires < timezone.now():
            refusal = gettext("Der Anmeldecode ist abgelaufen.")
        redeemed = RedeemedLogin(
            identity=record.identity, broker_session_key=record.broker_session_key
        )
        record.used = timezone.now()
        record.identity = {}  # personal data leaves the public schema with the first use
        record.save(update_fields=["used", "identity"])
    if refusal:  # raised after commit: the burn must stay
        raise LoginRefused(refusal)
    return redeemed


def remember_tenant_session(*, broker_session_key: str, tenant_slug: str, session_key: str) -> None:
    TenantSession.objects.create(
        broker_session_key=broker_session_key, tenant_slug=tenant_slug, session_key=session_key
    )


def end_all_sessions(broker_session_key: str) -> int:
    """Delete every tenant session this broker login created (server-side logout)."""
    from django.contrib.sessions.models import Session
    from django_tenants.utils import schema_context

    from tenants.models import Tenant

    links = list(TenantSession.objects.filter(broker_session_key=broker_session_key))
    schemas = dict(
        Tenant.objects.filter(slug__in={link.tenant_slug for link in links}).values_list(
            "slug", "schema_name"
        )
    )
    ended = 0
    for link in links:
        schema = schemas.get(link.tenant_slug)
        if schema:
            with schema_context(schema):
                ended += Session.objects.filter(session_key=link.session_key).delete()[0]
    TenantSession.objects.filter(broker_session_key=broker_session_key).delete()
    return ended
