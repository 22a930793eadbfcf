"""The single sign-on broker (public host).

Tenant → /auth/start (broker) → IdP → /saml/acs/ (broker) → tenant's callback with a one-time
code → the tenant redeems the code server-side (`redeem_login_code`) for the identity.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kreisportal.identity.models import LoginCode, TenantSession

logger = logging.getLogger("kreisportal.identity")
CODE_LIFETIME = timedelta(seconds=60)


class LoginRefused(Exception):
    """A login step was refused; the message is safe to show."""


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_login_code(*, tenant_slug: str, identity: dict, broker_session_key: str) -> str:
    code = secrets.token_urlsafe(32)
    LoginCode.objects.create(
        code_hash=_hash(code),
        tenant_slug=tenant_slug,
        identity=identity,
        broker_session_key=broker_session_key,
        expires=timezone.now() + CODE_LIFETIME,
    )
    return code


@transaction.atomic
def redeem_login_code(*, code: str, tenant_slug: str) -> LoginCode:
    """Exchange a code for the identity: once, in time, and only by the tenant it was made for."""
    record = LoginCode.objects.select_for_update().filter(code_hash=_hash(code or "")).first()
    if record is None:
        raise LoginRefused("Unbekannter Anmeldecode.")
    if record.used is not None:
        logger.warning("login code reused (tenant %s)", tenant_slug)
        raise LoginRefused("Dieser Anmeldecode wurde bereits verwendet.")
    if record.tenant_slug != tenant_slug:
        logger.warning("login code for %s presented to %s", record.tenant_slug, tenant_slug)
        raise LoginRefused("Dieser Anmeldecode gilt nicht für dieses Portal.")
    if record.expires < timezone.now():
        raise LoginRefused("Der Anmeldecode ist abgelaufen.")
    record.used = timezone.now()
    record.save(update_fields=["used"])
    return record


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
