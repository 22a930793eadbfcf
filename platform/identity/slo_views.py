"""Signing out everywhere: the broker's logout and SAML 2.0 Single Logout (public host).

SP-initiated: "Abmelden (überall)" on a tenant (a POST there) → /auth/logout/ ends every tenant
session of the broker login and the broker session → a signed LogoutRequest to the IdP's
SingleLogoutService → the IdP's signed LogoutResponse at /saml/slo/ → the citizen is told what
happened: signed out everywhere including the IdP, or signed out of the portals while the IdP's
session may still be active (the IdP said no, answered something we cannot trust, or offers no
Single Logout).

OpenID Connect (IDENTITY_PROTOCOL=oidc): after the same ending of sessions, RP-Initiated
Logout 1.0 sends the citizen to the provider's end_session_endpoint with the login's ID token as
hint; the provider's redirect to /oidc/abgemeldet/ with our state (good once) says the request
arrived (no more: a provider may let the citizen stay signed in there). A provider without that
endpoint is not asked, and the page says so.

IdP-initiated: the IdP's signed LogoutRequest at /saml/slo/ ends every broker login with that
NameID (and SessionIndex, if it names one) and all their tenant sessions; the SP answers with a
signed LogoutResponse.

GET and state changes: SAML's HTTP-Redirect binding is a GET by protocol. /saml/slo/ and
/sandbox-idp/slo/ change state on a GET only for a LogoutRequest whose signature verifies: the
signature authorises the change, not the method. /auth/logout/ ends sessions on a GET only with the
tenant's sign-out proof (`broker.issue_logout_proof`: made on the citizen's POST with the
tenant's CSRF token, signed, bound to this broker login, short-lived, good once); otherwise a
GET only asks, and the ending is a POST with the broker's CSRF token. (That the tenant's own
session is gone proves nothing: deleting the account there leaves the same state.)
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kreisportal.identity import slo
from kreisportal.identity.actions import LogoutReplayed, do_end_saml_logins
from kreisportal.identity.broker import end_all_sessions, redeem_logout_proof
from kreisportal.identity.models import SamlLogin, TenantSession
from kreisportal.identity.views import _tenant_url
from tenants.models import Tenant

logger = logging.getLogger("kreisportal.identity")


# how long a LogoutRequest of ours waits for its answer
OUTSTANDING_SECONDS = 600


def _outstanding_key(request_id: str) -> str:
    return f"identity:slo-outstanding:{request_id[:100]}"


def _refuse(request: HttpRequest, message: str, *, log: str, status: int = 400) -> HttpResponse:
    logger.warning("logout refused: %s", log)
    return TemplateResponse(
        request,
        "identity/error.html",
        {
            "title": _("Abmeldung nicht möglich"),
            "message": message,
            "hint": _("Es wurde nichts geändert."),
        },
        status=status,
    )


def _send(request: HttpRequest, outgoing: slo.Outgoing, *, heading: str) -> HttpResponse:
    """A SAML message through the browser: a redirect, or a form that posts itself."""
    if outgoing.binding == slo.BINDING_HTTP_REDIRECT:
        return HttpResponseRedirect(outgoing.location)
    return TemplateResponse(
        request,
        "identity/slo_post.html",
        {
            "heading": heading,
            "action": outgoing.location,
            "field": outgoing.field,
            "value": outgoing.value,
            "relay_state": outgoing.relay_state,
        },
    )


def _tenant(slug: str) -> Tenant | None:
    return Tenant.objects.portals().filter(slug=slug).first() if slug else None


def _signed_out(
    request: HttpRequest, tenant: Tenant | None, outcome: str, *, status: int = 200
) -> HttpResponse:
    """What happened, in words. `outcome`: "confirmed" (portals and IdP), "idp_failed" (the IdP
    answered with an error), "not_asked" (the IdP offers no Single Logout, or the login was not
    SAML), "invalid" (an answer we could not verify), "returned" (an OpenID provider sent the
    citizen back after its logout: it may have let them stay signed in there)."""
    if outcome == "confirmed" and tenant is not None:
        # the tenant's own page says it in the tenant's design (services.accounts)
        return HttpResponseRedirect(_tenant_url(request, tenant, "/konto/abgemeldet/"))
    return TemplateResponse(
        request,
        "identity/signed_out.html",
        {
            "outcome": outcome,
            "tenant": tenant,
            "tenant_url": _tenant_url(request, tenant, "/") if tenant else "/",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """End the broker login, every tenant session it created and, through SAML Single Logout,
    the identity provider's session."""
    tenant = _tenant(request.POST.get("tenant", "") or request.GET.get("tenant", ""))
    key = request.session.session_key
    signed_in = bool(key) and (
        "identity" in request.session
        or TenantSession.objects.filter(broker_session_key=key).exists()
    )
    if not signed_in:  # nothing to end here
        request.session.flush()
        if tenant is not None:
            return HttpResponseRedirect(_tenant_url(request, tenant, "/konto/abgemeldet/"))
        return HttpResponseRedirect("/")
    if request.method == "GET" and not (
        tenant is not None
        and redeem_logout_proof(
            proof=request.GET.get("proof", ""), broker_session_key=key, tenant_slug=tenant.slug
        )
    ):
        return TemplateResponse(request, "identity/logout_confirm.html", {"tenant": tenant})
    saml_login = request.session.get("saml_login")
    oidc_login = request.session.get("oidc_login")
    indexes = list(
        SamlLogin.objects.filter(broker_session_key=key).values_list("session_index", flat=True)
    )
    ended = end_all_sessions(key)
    SamlLogin.objects.filter(broker_session_key=key).delete()
    request.session.flush()
    logger.info("signed out everywhere: %d tenant sessions ended", ended)
    if oidc_login and settings.IDENTITY_PROTOCOL == "oidc":
        return _end_oidc_session(request, oidc_login, tenant)
    if not saml_login or settings.IDENTITY_PROTOCOL != "saml":
        return _signed_out(request, tenant, "not_asked")
    try:
        request_id, outgoing = slo.sp_logout_request(
            name_id=saml_login["name_id"], session_indexes=indexes
        )
    except slo.NoSingleLogout:
        return _signed_out(request, tenant, "not_asked")
    request.session["slo_outstanding"] = {request_id: tenant.slug if tenant else ""}
    cache.set(_outstanding_key(request_id), tenant.slug if tenant else "", OUTSTANDING_SECONDS)
    return _send(request, outgoing, heading=_("Abmeldung beim Identitätsanbieter"))


# the state of the OpenID logout this browser started (in the broker session after the flush)
_OIDC_LOGOUT_STATE = "oidc_logout_state"


def _oidc_logout_key(state: str) -> str:
    return f"identity:oidc-logout:{state[:100]}"


def _end_oidc_session(request: HttpRequest, oidc_login: dict, tenant: Tenant | None):
    """OpenID Connect RP-Initiated Logout: a form that posts itself to the provider's
    end_session_endpoint; the provider sends the citizen back to /oidc/abgemeldet/ with our
    state. The state is kept in the new (empty) broker session, which comes back with that
    top-level GET, and in the shared cache with the portal to return to."""
    import requests

    from kreisportal.identity import oidc

    state = secrets.token_urlsafe(24)
    try:
        outgoing = oidc.end_session_request(id_token=oidc_login.get("id_token", ""), state=state)
    except (requests.RequestException, ValueError) as exc:  # discovery unreachable or garbled
        logger.warning("OIDC logout not sent: %s", exc.__class__.__name__)
        outgoing = None
    if outgoing is None:
        return _signed_out(request, tenant, "not_asked")
    request.session[_OIDC_LOGOUT_STATE] = state
    cache.set(_oidc_logout_key(state), tenant.slug if tenant else "", OUTSTANDING_SECONDS)
    endpoint, fields = outgoing
    response = TemplateResponse(
        request,
        "identity/slo_post.html",
        {
            "heading": _("Abmeldung beim Identitätsanbieter"),
            "action": endpoint,
            "fields": sorted(fields.items()),
        },
    )
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET"])
def oidc_logged_out(request: HttpRequest) -> HttpResponse:
    """The provider's redirect after its logout, with the state of a logout this browser
    started (good once). Unlike SAML's signed LogoutResponse it proves nothing about the
    provider's session: a provider may ask the citizen first and send them back whatever they
    chose (Connect2id, PingFederate do). So the page says the request arrived, not that it
    worked."""
    state = request.GET.get("state", "")
    started_here = request.session.pop(_OIDC_LOGOUT_STATE, "")
    tenant_slug = cache.get(_oidc_logout_key(state)) if state else None
    if (
        tenant_slug is None
        or not constant_time_compare(state, started_here)
        or not cache.delete(_oidc_logout_key(state))  # once, also against a second tab
    ):
        return _refuse(
            request,
            _("Diese Abmeldeantwort gehört zu keiner Abmeldung, die hier begonnen wurde."),
            log="OIDC logout return with an unknown state",
        )
    return _signed_out(request, _tenant(tenant_slug), "returned")


@csrf_exempt  # the IdP sends here; the message's signature protects it (see the module doc)
@require_http_methods(["GET", "POST"])
def sp_slo(request: HttpRequest) -> HttpResponse:
    """The SP's SingleLogoutService: the IdP's LogoutResponse or LogoutRequest."""
    message = slo.incoming(request)
    if message is None:
        return _refuse(request, _("Keine Abmeldenachricht erhalten."), log="no SAML message")
    if message.kind == "SAMLResponse":
        return _logout_answered(request, message)
    return _logout_requested(request, message)


def _logout_answered(request: HttpRequest, message: slo.Incoming) -> HttpResponse:
    outstanding = request.session.get("slo_outstanding", {})
    try:
        answer = slo.sp_parse_logout_response(message)
    except slo.SloRefused as exc:
        logger.warning("LogoutResponse refused: %s", exc)
        if not outstanding:
            return _refuse(
                request, _("Die Abmeldeantwort ist ungültig."), log="invalid LogoutResponse"
            )
        # the portals are signed out already; whether the IdP is, we cannot tell
        tenant = _tenant(next(iter(outstanding.values())))
        return _signed_out(request, tenant, "invalid", status=400)
    cached = cache.get(_outstanding_key(answer.in_response_to))
    if answer.in_response_to in outstanding:
        tenant_slug = outstanding.pop(answer.in_response_to)
        request.session["slo_outstanding"] = outstanding
    elif not outstanding and cached is not None:
        # an answer without our cookie: an IdP posting it cross-site, where the SameSite=Lax
        # session cookie stays behind. It is signed and names a request this server sent;
        # it only decides which page the citizen sees.
        tenant_slug = cached
    else:
        return _refuse(
            request,
            _(
                "Diese Abmeldeantwort gehört zu keiner Abmeldung, "
                "die in diesem Browser begonnen wurde."
            ),
            log=f"LogoutResponse to unknown request {answer.in_response_to[:60]!r}",
        )
    cache.delete(_outstanding_key(answer.in_response_to))  # one answer per request
    tenant = _tenant(tenant_slug)
    if not answer.success:
        logger.warning("IdP could not end its session: %s", answer.status)
        return _signed_out(request, tenant, "idp_failed")
    return _signed_out(request, tenant, "confirmed")


def _logout_requested(request: HttpRequest, message: slo.Incoming) -> HttpResponse:
    """IdP-initiated: end every broker login of that NameID (and SessionIndex), answer signed."""
    try:
        parsed = slo.sp_parse_logout_request(message)
    except slo.SloRefused as exc:
        return _refuse(request, _("Die Abmeldeanfrage ist ungültig."), log=str(exc))
    indexes = [
        (index.text or "").strip() for index in parsed.message.session_index or [] if index.text
    ]
    try:
        ended_keys = do_end_saml_logins(
            request_id=parsed.message.id,
            name_id_hash=slo.name_id_hash(parsed.message.name_id.text),
            session_indexes=indexes,
        )
    except LogoutReplayed:
        return _refuse(
            request,
            _("Diese Abmeldeanfrage wurde bereits verarbeitet."),
            log=f"replayed LogoutRequest {parsed.message.id[:60]!r}",
        )
    if request.session.session_key in ended_keys:
        request.session.flush()  # that session row is gone; do not write it back
    try:
        outgoing = slo.sp_logout_response(parsed, binding=message.binding)
    except slo.NoSingleLogout:
        return _signed_out(request, None, "not_asked")
    return _send(request, outgoing, heading=_("Abmeldung beim Identitätsanbieter"))


# --- sandbox identity provider --------------------------------------------------------------


@csrf_exempt  # the SP sends here; the LogoutRequest's signature protects it (module doc)
@require_http_methods(["GET", "POST"])
def sandbox_slo(request: HttpRequest) -> HttpResponse:
    """The sandbox IdP's SingleLogoutService: ends its own session for the person named and
    answers the SP with a signed LogoutResponse."""
    from kreisportal.identity.views import _sandbox_enabled

    _sandbox_enabled()
    message = slo.incoming(request)
    if message is None or message.kind != "SAMLRequest":
        return _refuse(request, _("Keine Abmeldeanfrage erhalten."), log="idp: no LogoutRequest")
    try:
        parsed = slo.idp_parse_logout_request(message)
    except slo.SloRefused as exc:
        return _refuse(request, _("Die Abmeldeanfrage ist ungültig."), log=f"idp: {exc}")
    current = slo.sandbox_session(request)
    known = current is None or current["name_id"] == parsed.message.name_id.text.strip()
    response = _send(
        request,
        slo.idp_logout_response(parsed, binding=message.binding, known=known),
        heading=_("Abmeldung beim Sandbox-Identitätsprovider"),
    )
    if current is not None and known:
        response.delete_cookie(slo.SANDBOX_COOKIE, path=slo.SANDBOX_PATH, samesite="Lax")
    return response
