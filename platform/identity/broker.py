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

from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext

from kreisportal.identity.models import LoginCode, SamlLogin, TenantSession

logger = logging.getLogger("kreisportal.identity")
CODE_LIFETIME = timedelta(seconds=60)
# the sign-out proof a tenant hands to /auth/logout/ (see `issue_logout_proof`)
LOGOUT_PROOF_SALT = "kreisportal.identity.logout-proof"
LOGOUT_PROOF_MAX_AGE = 120  # seconds: one redirect, with room for a slow connection


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


def rekey_links(*, previous_key: str | None, new_key: str) -> None:
    """A login again in the same browser (a higher level, ForceAuthn) cycles the broker session
    key: move every link to the new key, so that "Abmelden (überall)" still reaches the tenant
    sessions and the SAML login opened before it. Called by every protocol's callback."""
    if not previous_key or previous_key == new_key:
        return
    for model in (TenantSession, SamlLogin):
        model.objects.filter(broker_session_key=previous_key).update(broker_session_key=new_key)


def _broker_key_hash(broker_session_key: str) -> str:
    return hashlib.sha256(broker_session_key.encode()).hexdigest()


def issue_logout_proof(*, tenant_slug: str, tenant_session_key: str | None) -> str:
    """The proof that the citizen asked `tenant` to sign out everywhere (its CSRF-protected
    POST), for the redirect to /auth/logout/: signed, salted, bound to the broker login that
    opened this tenant session, short-lived and good once. Empty when this tenant session was
    not opened by the broker (the broker then asks the citizen)."""
    if not tenant_session_key:
        return ""
    broker_key = (
        TenantSession.objects.filter(tenant_slug=tenant_slug, session_key=tenant_session_key)
        .values_list("broker_session_key", flat=True)
        .first()
    )
    if not broker_key:
        return ""
    return signing.dumps(
        {"b": _broker_key_hash(broker_key), "t": tenant_slug, "n": secrets.token_urlsafe(16)},
        salt=LOGOUT_PROOF_SALT,
        compress=True,
    )


def redeem_logout_proof(*, proof: str, broker_session_key: str, tenant_slug: str) -> bool:
    """Whether `proof` is a valid, unused sign-out proof of this broker login and tenant; a
    valid one is used up."""
    if not proof or not broker_session_key or not tenant_slug:
        return False
    try:
        payload = signing.loads(proof[:1000], salt=LOGOUT_PROOF_SALT, max_age=LOGOUT_PROOF_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return False
    if not isinstance(payload, dict) or payload.get("t") != tenant_slug:
        return False
    if not constant_time_compare(str(payload.get("b", "")), _broker_key_hash(broker_session_key)):
        return False
    nonce = str(payload.get("n", ""))[:64]
    # single use: the first add wins; kept as long as the proof could still be valid
    return bool(nonce) and cache.add(f"identity:logout-proof:{nonce}", 1, LOGOUT_PROOF_MAX_AGE + 60)
