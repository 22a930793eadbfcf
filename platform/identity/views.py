"""Broker and sandbox-IdP views (public host)."""

from __future__ import annotations

import base64
import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.response import StatusError
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

from kreisportal.http import safe_local_path
from kreisportal.identity import levels, saml, slo, stepup
from kreisportal.identity.broker import issue_login_code, rekey_links
from kreisportal.identity.models import ConsumedAssertion, SamlLogin
from kreisportal.identity.personas import PERSONAS
from tenants.models import Domain, Tenant

logger = logging.getLogger("kreisportal.identity")
FRIENDLY_NAMES = {  # pysaml2 may translate known OIDs to friendly names
    "givenName": "given_name",
    "sn": "family_name",
    "surname": "family_name",
    "mail": "email",
    "postalAddress": "street",
    "postOfficeBox": "mailbox_handle",  # pysaml2's name for 2.5.4.18
    "postalCode": "postal_code",
    "l": "locality",
}
LEIKA_KEY = re.compile(r"^\d{14}$")
# a response to a forced authentication must have been authenticated this recently
FORCED_AUTHN_MAX_AGE = timedelta(minutes=5)
RATE_LIMIT = 30  # login starts per client address and minute
# how long an assertion id is remembered when the response names no NotOnOrAfter of its own
ASSERTION_FALLBACK_LIFETIME = timedelta(days=1)
# marks an IdP answer the ACS posted on to itself (see `_posted_from_another_site`)
RESENT_FIELD = "kp_resent"


def refuse(
    request: HttpRequest, message: str, *, status: int = 400, log: str = ""
) -> TemplateResponse:
    logger.warning("login refused: %s", log or message)
    return TemplateResponse(request, "identity/error.html", {"message": message}, status=status)


def rate_limited(request: HttpRequest, bucket: str) -> bool:
    key = f"ratelimit:{bucket}:{request.META.get('REMOTE_ADDR', '-')}:{timezone.now():%Y%m%d%H%M}"
    count = cache.get_or_set(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=70)
        count = 1
    return count > RATE_LIMIT


def _tenant_url(request: HttpRequest, tenant: Tenant, path: str, **params: str) -> str:
    domain = (
        Domain.objects.filter(tenant=tenant, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    # the port the browser used (Host header), which is what the tenant's host answers on too
    host = request.get_host()
    suffix = f":{host.rsplit(':', 1)[1]}" if ":" in host else ""
    query = f"?{urlencode(params)}" if params else ""
    return f"{request.scheme}://{domain}{suffix}{path}{query}"


def _return_to_tenant(request: HttpRequest, pending: dict, identity: dict) -> HttpResponse:
    """Back to the tenant with a one-time code; after a forced authentication for a service,
    the return path carries the signed proof of it (kreisportal.identity.stepup)."""
    tenant = Tenant.objects.portals().filter(slug=pending["tenant"]).first()
    if tenant is None:
        return refuse(request, _("Unbekanntes Portal."))
    next_path = pending["next"]
    if pending.get("force"):
        next_path = stepup.with_proof(
            next_path,
            stepup.issue(
                tenant_slug=tenant.slug,
                service=pending["service"],
                pseudonym=identity["pseudonym"],
                level=identity["level"],
            ),
        )
    code = issue_login_code(
        tenant_slug=tenant.slug,
        state=pending["state"],
        identity=identity,
        broker_session_key=request.session.session_key,
    )
    return HttpResponseRedirect(
        _tenant_url(
            request,
            tenant,
            "/konto/rueckkehr/",
            code=code,
            state=pending["state"],
            next=next_path,
        )
    )


def start(request: HttpRequest) -> HttpResponse:
    """A tenant sends the citizen here; reuse the broker's login or ask the identity provider."""
    if rate_limited(request, "start"):
        return refuse(
            request, _("Zu viele Anmeldeversuche. Bitte warten Sie eine Minute."), status=429
        )
    tenant = Tenant.objects.portals().filter(slug=request.GET.get("tenant", "")).first()
    if tenant is None or tenant.is_suspended:
        return refuse(request, _("Unbekanntes oder gesperrtes Portal."))
    level = request.GET.get("level", "basic")
    if level not in levels.LEVELS:
        return refuse(request, _("Unbekanntes Vertrauensniveau."))
    state = request.GET.get("state", "")
    if not (8 <= len(state) <= 100):
        return refuse(request, _("Ungültige Anfrage (state fehlt)."))
    service = request.GET.get("service", "")
    if service and not LEIKA_KEY.match(service):
        return refuse(request, _("Ungültige Leistung (LeiKa-Schlüssel)."))
    force = request.GET.get("force") == "1"
    if force and not service:
        return refuse(request, _("Eine erneute Anmeldung gilt immer einer Leistung."))
    pending = {
        "tenant": tenant.slug,
        "next": safe_local_path(request.GET.get("next", "")),
        "state": state,
        "level": level,
        "service": service,
        "force": force,
    }
    if not request.session.session_key:
        request.session.save()
    identity = request.session.get("identity")
    # single sign-on, except for a binding step: that authenticates again (ForceAuthn)
    if identity and levels.meets(identity["level"], level) and not force:
        return _return_to_tenant(request, pending, identity)
    if settings.IDENTITY_PROTOCOL == "oidc":
        from kreisportal.identity import oidc

        location, oidc_pending = oidc.authorization_url(level=level, force=force)
        request.session["oidc_pending"] = {**oidc_pending, "broker": pending}
        return HttpResponseRedirect(location)
    request_id, location = saml.authn_request_redirect(
        level=level,
        relay_state="",
        organisation=tenant.name,
        # the online service the citizen is applying for (LeiKa key), else the portal
        service_id=service or f"kreisportal:{tenant.slug}",
        force=force,
    )
    outstanding = request.session.get("saml_outstanding", {})
    outstanding[request_id] = pending
    request.session["saml_outstanding"] = dict(list(outstanding.items())[-5:])
    return HttpResponseRedirect(location)


def _identity_from(response) -> tuple[dict, str]:
    """The attributes by identity key, each attribute's own trust level (`attribute_levels`),
    and the level reached: the authentication context's, or the trust-level attribute's when
    that states a lower one."""
    ava = response.ava or {}
    identity = {}
    for name, values in ava.items():
        field = saml.ATTRIBUTES.get(name) or FRIENDLY_NAMES.get(name)
        if field and values:
            identity[field] = values[0]
    class_ref = ""
    for statement in response.assertion.authn_statement:
        class_ref = statement.authn_context.authn_context_class_ref.text.strip()
    level = levels.BY_CLASS_REF.get(class_ref, "")
    stated = levels.BY_CLASS_REF.get(str(identity.get("assurance", "")).strip(), "")
    if stated and levels.rank(stated) < levels.rank(level):
        level = stated
    identity["attribute_levels"] = saml.attribute_levels(response)
    return identity, level


def _authenticated_recently(response) -> bool:
    """The AuthnInstant of the assertion is fresh: what a ForceAuthn request asked for."""
    newest = None
    for statement in response.assertion.authn_statement:
        try:
            instant = datetime.fromisoformat(statement.authn_instant.replace("Z", "+00:00"))
        except (AttributeError, TypeError, ValueError):
            continue
        newest = instant if newest is None or instant > newest else newest
    return newest is not None and timezone.now() - newest <= FORCED_AUTHN_MAX_AGE


@csrf_exempt  # the IdP posts here; the response's signature and InResponseTo protect it
@require_http_methods(["POST"])
def acs(request: HttpRequest) -> HttpResponse:
    encoded = request.POST.get("SAMLResponse", "")
    if not encoded:
        return refuse(request, _("Keine Anmeldeantwort erhalten."))
    if _posted_from_another_site(request):
        return _post_again_from_here(request, encoded)
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):  # posted on, still without it
        return refuse(
            request,
            _(
                "Die Anmeldung konnte nicht abgeschlossen werden, weil Ihr Browser keine Cookies "
                "dieses Portals sendet. Bitte erlauben Sie Cookies für dieses Portal und melden "
                "Sie sich erneut an."
            ),
            log="answer posted on without the session cookie (cookies blocked?)",
        )
    outstanding = request.session.get("saml_outstanding", {})
    client = saml.sp_client()
    try:
        response = client.parse_authn_request_response(
            encoded, BINDING_HTTP_POST, outstanding={k: k for k in outstanding}
        )
    except StatusError as exc:  # an answer without identity: cancelled, or not signed in
        cancelled = _cancelled_at_idp(request, encoded)
        if cancelled is not None:
            return cancelled
        return refuse(request, _("Die Anmeldung wurde nicht abgeschlossen."), log=str(exc))
    except Exception as exc:  # noqa: BLE001 - pysaml2 raises many kinds; all mean "refused"
        return refuse(
            request, _("Die Anmeldeantwort ist ungültig."), log=f"{exc.__class__.__name__}: {exc}"
        )
    if response is None or response.assertion is None:
        return refuse(request, _("Die Anmeldeantwort ist ungültig."), log="no assertion")
    pending = outstanding.pop(response.in_response_to, None)
    if pending is None:
        return refuse(
            request, _("Diese Anmeldung wurde nicht hier begonnen."), log="unknown InResponseTo"
        )
    assertion_id = response.assertion.id
    not_after = response.not_on_or_after or 0
    if ConsumedAssertion.objects.filter(assertion_id=assertion_id).exists():
        return refuse(
            request,
            _("Diese Anmeldeantwort wurde bereits verwendet."),
            log=f"replay {assertion_id}",
        )
    ConsumedAssertion.objects.create(
        assertion_id=assertion_id,
        not_on_or_after=datetime.fromtimestamp(not_after, tz=timezone.get_current_timezone())
        if not_after
        else timezone.now() + ASSERTION_FALLBACK_LIFETIME,
    )
    request.session["saml_outstanding"] = outstanding
    identity, level = _identity_from(response)
    if not identity.get("pseudonym"):
        return refuse(request, _("Die Anmeldeantwort enthält keine Kennung."), log="no pseudonym")
    if not levels.meets(level, pending["level"]):
        return refuse(
            request, _("Das verlangte Vertrauensniveau wurde nicht erreicht."), log=f"level {level}"
        )
    if pending.get("force") and not _authenticated_recently(response):
        return refuse(
            request,
            _("Die erneute Anmeldung wurde vom Identitätsprovider nicht bestätigt."),
            log="ForceAuthn answered with an old authentication",
        )
    identity["level"] = level
    _cycle_broker_session(request)
    request.session["identity"] = identity
    _remember_saml_login(request, response)
    return _return_to_tenant(request, pending, identity)


def _posted_from_another_site(request: HttpRequest) -> bool:
    """The IdP's page (BundID's, on its own site) posted the answer here: browsers keep the
    SameSite=Lax session cookie, and with it the outstanding AuthnRequest, back on such a
    cross-site POST. Only once: an answer posted on from here that still comes without the
    cookie (cookies blocked) is refused. A browser that says the POST came from our own site
    (Sec-Fetch-Site) has no cookie to bring along, and is not asked to post again."""
    return (
        not request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        and request.POST.get(RESENT_FIELD) != "1"
        and request.headers.get("Sec-Fetch-Site", "cross-site") == "cross-site"
    )


def _post_again_from_here(request: HttpRequest, encoded: str) -> HttpResponse:
    """The same answer, posted on by itself from this site (a same-site POST carries the
    session cookie); nothing is read or stored before that. Without JavaScript the citizen
    presses "Weiter". The signature, InResponseTo and replay checks then run as for any answer;
    the page sets no cookie (it would replace the one that is to come along)."""
    logger.info("SAML answer posted cross-site without the session cookie: posted on from here")
    response = TemplateResponse(
        request,
        "identity/acs_post.html",
        {
            "action": request.path,
            "saml_response": encoded,
            "relay_state": request.POST.get("RelayState", ""),
            "resent_field": RESENT_FIELD,
        },
    )
    add_never_cache_headers(response)
    return response


def _cycle_broker_session(request: HttpRequest) -> None:
    """A new session key for a new login (no fixation), keeping the links of the login before
    it (a higher level, ForceAuthn) so that "Abmelden (überall)" still reaches them."""
    previous_key = request.session.session_key
    request.session.cycle_key()
    rekey_links(previous_key=previous_key, new_key=request.session.session_key)


def _remember_saml_login(request: HttpRequest, response) -> None:
    """Keep what Single Logout needs: the NameID and SessionIndex of this login, in the broker
    session (for "Abmelden (überall)") and by the NameID's hash (for the IdP's LogoutRequest,
    which carries no cookie of ours)."""
    name_id = response.name_id
    if name_id is None or not (name_id.text or "").strip():
        return
    request.session["saml_login"] = {"name_id": slo.name_id_record(name_id)}
    indexes = [s.session_index for s in response.assertion.authn_statement if s.session_index]
    SamlLogin.objects.create(
        broker_session_key=request.session.session_key,
        name_id_hash=slo.name_id_hash(name_id.text),
        session_index=(indexes[0] if indexes else "")[:200],
    )


def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Return from an OpenID Connect provider (IDENTITY_PROTOCOL=oidc)."""
    from kreisportal.identity import oidc

    pending = request.session.pop("oidc_pending", None)
    if pending is None or request.GET.get("state") != pending["state"]:
        return refuse(request, _("Diese Anmeldung wurde nicht hier begonnen."), log="oidc state")
    if request.GET.get("error"):
        return refuse(
            request, _("Die Anmeldung wurde abgebrochen."), log=request.GET["error"][:100]
        )
    try:
        identity, id_token = oidc.identity_from_code(
            code=request.GET.get("code", ""), pending=pending
        )
    except (oidc.OIDCError, Exception) as exc:  # noqa: BLE001 - network and protocol errors
        return refuse(request, _("Die Anmeldeantwort ist ungültig."), log=f"oidc: {exc}")
    broker_pending = pending["broker"]
    if not levels.meets(identity["level"], broker_pending["level"]):
        return refuse(request, _("Das verlangte Vertrauensniveau wurde nicht erreicht."))
    _cycle_broker_session(request)
    request.session["identity"] = identity
    request.session["oidc_login"] = {"id_token": id_token}  # the hint of "Abmelden (überall)"
    return _return_to_tenant(request, broker_pending, identity)


def metadata(request: HttpRequest) -> HttpResponse:
    return HttpResponse(saml.sp_metadata(), content_type="application/samlmetadata+xml")


# --- sandbox identity provider --------------------------------------------------------------


def _sandbox_enabled() -> None:
    if not settings.SAML_SANDBOX_IDP:
        raise Http404("Der Sandbox-Identitätsprovider ist ausgeschaltet.")


@require_http_methods(["GET", "POST"])
def sandbox_sso(request: HttpRequest) -> HttpResponse:
    _sandbox_enabled()
    idp = saml.sandbox_idp()
    if request.method == "GET":
        try:
            parsed = idp.parse_authn_request(
                request.GET.get("SAMLRequest", ""),
                BINDING_HTTP_REDIRECT,
                relay_state=request.GET.get("RelayState"),
                sigalg=request.GET.get("SigAlg"),
                signature=request.GET.get("Signature"),
            )
        except Exception as exc:  # noqa: BLE001
            return refuse(request, _("Ungültige Anmeldeanfrage."), log=f"idp: {exc}")
        message = parsed.message
        requested = "basic"
        if message.requested_authn_context is not None:
            refs = message.requested_authn_context.authn_context_class_ref
            requested = levels.BY_CLASS_REF.get(refs[0].text.strip(), "basic") if refs else "basic"
        force = str(message.force_authn).lower() in {"true", "1"}
        request.session["sandbox_request"] = {
            "xml": base64.b64encode(str(message).encode()).decode(),
            "level": requested,
            "relay_state": request.GET.get("RelayState", ""),
            "force": force,
        }
        personas = [
            {
                "key": key,
                "label": p["label"],
                "how": f"{levels.method(p['level'])}, {levels.LEVELS[p['level']][0]}",
                "allowed": levels.meets(p["level"], requested),
            }
            for key, p in PERSONAS.items()
        ]
        return TemplateResponse(
            request,
            "identity/sandbox_login.html",
            {
                "personas": personas,
                "requested": levels.describe(requested),
                "force": force,
                "display": _display_information(message),
                # the sandbox IdP's own session, which Single Logout ends (slo.sandbox_session)
                "idp_session": slo.sandbox_session(request),
            },
        )
    pending = request.session.pop("sandbox_request", None)
    if pending is not None and request.POST.get("abbrechen"):
        return _sandbox_cancelled(request, idp, pending)
    persona = PERSONAS.get(request.POST.get("persona", ""))
    if pending is None or persona is None:
        return refuse(request, _("Bitte starten Sie die Anmeldung erneut."))
    if not levels.meets(persona["level"], pending["level"]):
        return refuse(request, _("Diese Testperson erreicht das verlangte Vertrauensniveau nicht."))
    from saml2.samlp import authn_request_from_string

    authn_request = authn_request_from_string(base64.b64decode(pending["xml"]).decode())
    resp_args = idp.response_args(authn_request, [BINDING_HTTP_POST])
    oid_by_field = {field: oid for oid, field in saml.ATTRIBUTES.items()}
    class_ref = levels.LEVELS[persona["level"]][0]
    attributes = {**persona["attributes"], "assurance": class_ref}
    identity = {oid_by_field[k]: [v] for k, v in attributes.items() if v}
    # like BundID, each attribute carries the level it was established at: the e-mail address
    # is the citizen's own statement (NORMAL), the rest comes with the way of signing in
    own_level = levels.AKDB_TRUST_LEVEL[persona["level"]]
    idp.attribute_levels = {
        oid: "NORMAL" if field == "email" else own_level for field, oid in oid_by_field.items()
    }
    response = idp.create_authn_response(
        identity,
        userid=persona["attributes"]["pseudonym"],
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=persona["attributes"]["pseudonym"]),
        authn={"class_ref": class_ref, "authn_auth": saml.idp_entity_id()},
        sign_assertion=True,
        sign_response=True,
        **resp_args,
    )
    encoded = base64.b64encode(str(response).encode()).decode()
    answer = TemplateResponse(
        request,
        "identity/post_response.html",
        {
            "action": resp_args["destination"],
            "saml_response": encoded,
            "relay_state": pending["relay_state"],
        },
    )
    slo.start_sandbox_session(
        answer, name_id=persona["attributes"]["pseudonym"], label=persona["label"]
    )
    return answer


def _sandbox_cancelled(request: HttpRequest, idp, pending: dict) -> HttpResponse:
    """ "Abbrechen – zurück zum Portal": as a real IdP does, a signed SAML response with the
    status AuthnFailed, posted back to the portal (which returns the citizen to the tenant)."""
    from saml2.samlp import STATUS_AUTHN_FAILED, authn_request_from_string

    authn_request = authn_request_from_string(base64.b64decode(pending["xml"]).decode())
    resp_args = idp.response_args(authn_request, [BINDING_HTTP_POST])
    response = idp.create_error_response(
        resp_args["in_response_to"],
        resp_args["destination"],
        (STATUS_AUTHN_FAILED, "Die Anmeldung wurde abgebrochen."),
        sign=True,
    )
    return TemplateResponse(
        request,
        "identity/post_response.html",
        {
            "action": resp_args["destination"],
            "saml_response": base64.b64encode(str(response).encode()).decode(),
            "relay_state": pending["relay_state"],
            "cancelled": True,
        },
    )


def _cancelled_at_idp(request: HttpRequest, encoded: str) -> HttpResponse | None:
    """The IdP answered a request of this session with an error status (the citizen cancelled
    or could not sign in): back to the portal the sign-in started from, signed in as before.
    Nothing is granted from this message, so its InResponseTo is only looked up among this
    session's own outstanding requests."""
    from saml2.samlp import STATUS_SUCCESS, response_from_string

    try:
        message = response_from_string(base64.b64decode(encoded).decode())
    except Exception:  # noqa: BLE001 - not a SAML response at all
        return None
    if message is None or message.status is None:
        return None
    if message.status.status_code.value == STATUS_SUCCESS:
        return None
    outstanding = request.session.get("saml_outstanding", {})
    pending = outstanding.pop(message.in_response_to or "", None)
    if pending is None:
        return None
    request.session["saml_outstanding"] = outstanding
    tenant = Tenant.objects.portals().filter(slug=pending["tenant"]).first()
    if tenant is None:
        return None
    return HttpResponseRedirect(
        _tenant_url(request, tenant, "/konto/abgebrochen/", weiter=pending["next"])
    )


def _display_information(message) -> dict[str, str]:
    """OrganizationDisplayName and OnlineServiceId of the AKDB request extension."""
    found: dict[str, str] = {}
    stack = list(message.extensions.extension_elements) if message.extensions else []
    while stack:
        element = stack.pop()
        if element.tag in {"OrganizationDisplayName", "OnlineServiceId"} and element.text:
            found[element.tag] = element.text.strip()
        stack.extend(element.children or [])
    return found


def sandbox_metadata(request: HttpRequest) -> HttpResponse:
    _sandbox_enabled()
    from saml2.config import IdPConfig
    from saml2.metadata import entity_descriptor

    conf = IdPConfig().load(saml._idp_settings(None))
    return HttpResponse(str(entity_descriptor(conf)), content_type="application/samlmetadata+xml")
