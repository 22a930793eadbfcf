"""Writes of the single sign-on broker that are not part of one login (public schema)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from kreisportal.identity.broker import end_all_sessions
from kreisportal.identity.models import ConsumedAssertion, LoginCode, SamlLogin, TenantSession

logger = logging.getLogger("kreisportal.identity")

# An assertion id is remembered until its NotOnOrAfter plus this margin: pysaml2 accepts a
# response up to 30 s (accepted_time_diff) past it, so a replay inside that window is refused.
ASSERTION_GRACE = timedelta(minutes=5)


@dataclass(frozen=True)
class PurgeResult:
    login_codes: int
    consumed_assertions: int
    broker_sessions: int
    tenant_session_links: int
    saml_logins: int = 0


def do_purge_expired_broker_records(*, now=None) -> PurgeResult:
    """Delete what the broker no longer needs, in the public schema, whatever schema the caller
    is in: login codes past their lifetime (used or not; a used one holds no identity any more),
    assertion ids past NotOnOrAfter (+ grace), expired broker sessions (they carry the identity
    for single sign-on, up to SESSION_COOKIE_AGE) and the logout links of broker sessions that are
    gone (without the broker's cookie nobody can log out through them), and the SAML logins of
    those broker sessions (nothing is left for a LogoutRequest to end)."""
    now = now or timezone.now()
    with schema_context(get_public_schema_name()), transaction.atomic():
        codes = LoginCode.objects.filter(expires__lt=now).delete()[0]
        assertions = ConsumedAssertion.objects.filter(
            not_on_or_after__lt=now - ASSERTION_GRACE
        ).delete()[0]
        sessions = Session.objects.filter(expire_date__lt=now).delete()[0]
        live = Session.objects.filter(expire_date__gte=now).values("session_key")
        links = TenantSession.objects.exclude(broker_session_key__in=live).delete()[0]
        saml_logins = SamlLogin.objects.exclude(broker_session_key__in=live).delete()[0]
    result = PurgeResult(
        login_codes=codes,
        consumed_assertions=assertions,
        broker_sessions=sessions,
        tenant_session_links=links,
        saml_logins=saml_logins,
    )
    if any((codes, assertions, sessions, links, saml_logins)):
        logger.info("broker records purged: %s", result)
    return result


# pysaml2 accepts a LogoutRequest issued up to a day ago (plus its time slack): its id is
# remembered that long, so a captured request cannot be played again.
LOGOUT_REQUEST_MEMORY = timedelta(days=1, minutes=5)


class LogoutReplayed(Exception):
    """This LogoutRequest was handled before."""


def do_end_saml_logins(
    *, request_id: str, name_id_hash: str, session_indexes: list[str]
) -> set[str]:
    """IdP-initiated Single Logout: end every broker login of this NameID (only those with one
    of `session_indexes`, when the IdP names any), each tenant session they created, and the
    broker sessions themselves, once per LogoutRequest (`request_id`; LogoutReplayed when
    seen before). Returns the broker session keys ended."""
    with schema_context(get_public_schema_name()), transaction.atomic():
        _, first = ConsumedAssertion.objects.get_or_create(
            assertion_id=f"logout:{request_id}"[:200],
            defaults={"not_on_or_after": timezone.now() + LOGOUT_REQUEST_MEMORY},
        )
        if not first:
            raise LogoutReplayed(request_id)
        logins = SamlLogin.objects.filter(name_id_hash=name_id_hash)
        if session_indexes:
            logins = logins.filter(session_index__in=session_indexes)
        keys = set(logins.values_list("broker_session_key", flat=True))
        tenant_sessions = sum(end_all_sessions(key) for key in keys)
        Session.objects.filter(session_key__in=keys).delete()
        SamlLogin.objects.filter(broker_session_key__in=keys).delete()
    logger.info(
        "IdP-initiated logout: %d broker logins, %d tenant sessions ended",
        len(keys),
        tenant_sessions,
    )
    return keys
