"""SAML 2.0 Single Logout (SLO) with pysaml2: the messages of the service provider and of the
sandbox identity provider, over the two front-channel bindings (HTTP-Redirect, HTTP-POST).

Every message that changes something is signed and checked here: pysaml2 checks a signature in
the XML when one is there but does not insist on one for a service provider, and it never checks
the query-string signature of the Redirect binding on a LogoutResponse. So:
- Redirect binding: `SigAlg` and `Signature` must be present and verify against the sender's
  certificate from its metadata (`_check_redirect_signature`);
- POST binding: the XML must carry a signature, which pysaml2 then verifies;
- the issuer must be the one partner we expect (otherwise pysaml2 would fall back to a key inside
  the message itself).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.response import LogoutResponse, StatusError
from saml2.s_utils import UnsupportedBinding
from saml2.saml import NameID
from saml2.samlp import STATUS_SUCCESS
from saml2.sigver import verify_redirect_signature

from kreisportal.identity import saml

SIGALG = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST = "http://www.w3.org/2001/04/xmlenc#sha256"
BINDINGS = (BINDING_HTTP_REDIRECT, BINDING_HTTP_POST)  # in order of preference


class SloRefused(Exception):
    """A logout message was refused (unsigned, forged, unexpected); nothing was changed."""


class NoSingleLogout(Exception):
    """The partner's metadata names no SingleLogoutService we can use."""


@dataclass(frozen=True)
class Outgoing:
    """A SAML message on its way through the browser: with the Redirect binding `location` is
    the whole signed URL; with the POST binding it is the form's action and `field`/`value` the
    form's content."""

    binding: str
    location: str
    field: str = ""
    value: str = ""
    relay_state: str = ""


@dataclass(frozen=True)
class Incoming:
    """A SAML message as it reached one of our SLO endpoints."""

    binding: str
    kind: str  # "SAMLRequest" or "SAMLResponse"
    encoded: str
    relay_state: str | None
    sigalg: str | None
    signature: str | None


def incoming(request: HttpRequest) -> Incoming | None:
    """The SLO message of this request (GET: Redirect binding, POST: POST binding), or None."""
    data = request.GET if request.method == "GET" else request.POST
    binding = BINDING_HTTP_REDIRECT if request.method == "GET" else BINDING_HTTP_POST
    for kind in ("SAMLRequest", "SAMLResponse"):
        if data.get(kind):
            return Incoming(
                binding=binding,
                kind=kind,
                encoded=data[kind],
                relay_state=data.get("RelayState"),
                sigalg=data.get("SigAlg") if binding == BINDING_HTTP_REDIRECT else None,
                signature=data.get("Signature") if binding == BINDING_HTTP_REDIRECT else None,
            )
    return None


def name_id_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode()).hexdigest()


def name_id_record(name_id: NameID) -> dict:
    """What the broker session keeps of the login's NameID to ask the IdP for the logout."""
    return {
        "text": name_id.text,
        "format": name_id.format or "",
        "name_qualifier": name_id.name_qualifier or "",
        "sp_name_qualifier": name_id.sp_name_qualifier or "",
    }


def _name_id(record: dict) -> NameID:
    return NameID(
        text=record["text"],
        format=record.get("format") or None,
        name_qualifier=record.get("name_qualifier") or None,
        sp_name_qualifier=record.get("sp_name_qualifier") or None,
    )


def _slo_endpoint(entity, entity_id: str, typ: str) -> tuple[str, str]:
    """(binding, location) of the partner's SingleLogoutService, Redirect preferred."""
    try:  # {binding: [endpoint, …]} of every binding the partner offers
        offered = entity.metadata.single_logout_service(entity_id, None, typ=typ) or {}
    except UnsupportedBinding:
        offered = {}
    for binding in BINDINGS:
        for service in offered.get(binding, []):
            if service.get("location"):
                return binding, service["location"]
    raise NoSingleLogout(entity_id)


def _outgoing(entity, binding: str, xml: str, location: str, *, response: bool) -> Outgoing:
    """Put a message on its binding. Redirect: signed in the query string (the XML was built
    unsigned); POST: the XML was signed when it was built."""
    if binding == BINDING_HTTP_REDIRECT:
        info = entity.apply_binding(
            binding, xml, location, "", response=response, sign=True, sigalg=SIGALG
        )
        return Outgoing(binding=binding, location=dict(info["headers"])["Location"])
    return Outgoing(
        binding=binding,
        location=location,
        field="SAMLResponse" if response else "SAMLRequest",
        value=base64.b64encode(xml.encode()).decode(),
    )


def _check_redirect_signature(entity, message: Incoming, issuer: str) -> None:
    if not (message.sigalg and message.signature):
        raise SloRefused("unsigned (Redirect binding without Signature)")
    signed = {message.kind: message.encoded, "SigAlg": message.sigalg}
    if message.relay_state is not None:
        signed["RelayState"] = message.relay_state
    signed["Signature"] = message.signature
    certs = entity.metadata.certs(issuer, "any", "signing")
    try:
        valid = any(
            verify_redirect_signature(signed, entity.sec.sec_backend, cert) for _, cert in certs
        )
    except Exception as exc:  # noqa: BLE001 - unknown algorithm, broken base64, …
        raise SloRefused(f"redirect signature: {exc.__class__.__name__}") from exc
    if not valid:
        raise SloRefused("redirect signature does not verify")


def _parse_request(entity, message: Incoming, *, issuer: str):
    """A verified LogoutRequest from `issuer` (pysaml2's parsed request)."""
    if message.binding == BINDING_HTTP_REDIRECT:
        _check_redirect_signature(entity, message, issuer)
    try:
        parsed = entity.parse_logout_request(
            message.encoded,
            message.binding,
            relay_state=message.relay_state,
            sigalg=message.sigalg,
            signature=message.signature,
        )
    except Exception as exc:  # noqa: BLE001 - pysaml2 raises many kinds; all mean "refused"
        raise SloRefused(f"{exc.__class__.__name__}: {exc}") from exc
    if parsed is None or parsed.message is None:
        raise SloRefused("not a LogoutRequest")
    if message.binding == BINDING_HTTP_POST and parsed.message.signature is None:
        raise SloRefused("unsigned (POST binding without XML signature)")
    sender = (parsed.message.issuer.text or "").strip() if parsed.message.issuer else ""
    if sender != issuer:
        raise SloRefused(f"LogoutRequest from {sender!r}")
    if parsed.message.name_id is None or not (parsed.message.name_id.text or "").strip():
        raise SloRefused("LogoutRequest without NameID")
    return parsed


@dataclass(frozen=True)
class LogoutAnswer:
    """A verified LogoutResponse: to which request, and whether the partner succeeded."""

    in_response_to: str
    success: bool
    status: str


def _parse_response(entity, message: Incoming, *, issuer: str, endpoint: str) -> LogoutAnswer:
    if message.binding == BINDING_HTTP_REDIRECT:
        _check_redirect_signature(entity, message, issuer)
    response = LogoutResponse(entity.sec, return_addrs=[endpoint], timeslack=30)
    # POST binding: a signature in the XML is required (a forged one fails in loads())
    response.require_signature = message.binding == BINDING_HTTP_POST
    try:
        xml = entity.unravel(message.encoded, message.binding, "SAMLResponse")
        response.loads(xml, False, origxml=xml)
    except Exception as exc:  # noqa: BLE001 - bad encoding, bad or missing signature
        raise SloRefused(f"{exc.__class__.__name__}: {exc}") from exc
    if response.response is None or response.issuer() != issuer:
        raise SloRefused(f"LogoutResponse from {response.issuer() if response.response else '-'}")
    status_text = ""
    try:
        success = bool(response.verify())  # destination, issue instant, status
    except StatusError as exc:
        success, status_text = False, str(exc).splitlines()[-1][:200]
    else:
        if not success:
            raise SloRefused("LogoutResponse for another destination or out of time")
    code = response.response.status.status_code.value if response.response.status else ""
    return LogoutAnswer(
        in_response_to=response.in_response_to or "",
        success=success and code == STATUS_SUCCESS,
        status=status_text or code,
    )


def _logout_response(entity, parsed, *, binding: str, status=None) -> Outgoing:
    """A signed LogoutResponse to `parsed` (a verified LogoutRequest), back over `binding` or,
    if the partner offers no endpoint for it, the other one."""
    bindings = [binding] + [b for b in BINDINGS if b != binding]
    for candidate in bindings:
        try:
            args = entity.response_args(parsed.message, [candidate])
        except Exception:  # noqa: BLE001, S112 - no endpoint for this binding: try the next
            continue
        if not args.get("destination"):
            continue
        response = entity.create_logout_response(
            parsed.message,
            bindings=[candidate],
            status=status,
            sign=candidate == BINDING_HTTP_POST,
            sign_alg=SIGALG,
            digest_alg=DIGEST,
        )
        return _outgoing(entity, candidate, str(response), args["destination"], response=True)
    raise NoSingleLogout(parsed.message.issuer.text)


# --- the service provider --------------------------------------------------------------------


def sp_logout_request(*, name_id: dict, session_indexes: list[str]) -> tuple[str, Outgoing]:
    """(request id, the signed LogoutRequest to the IdP) for the login `name_id` (as kept by
    `name_id_record`) with its SessionIndex values. NoSingleLogout if the IdP offers none."""
    client = saml.sp_client()
    idp = saml.idp_entity_id()
    binding, location = _slo_endpoint(client, idp, "idpsso")
    request_id, request = client.create_logout_request(
        location,
        idp,
        name_id=_name_id(name_id),
        session_indexes=[index for index in session_indexes if index] or None,
        reason="urn:oasis:names:tc:SAML:2.0:logout:user",
        sign=binding == BINDING_HTTP_POST,
        sign_alg=SIGALG,
        digest_alg=DIGEST,
    )
    return request_id, _outgoing(client, binding, str(request), location, response=False)


def sp_parse_logout_response(message: Incoming) -> LogoutAnswer:
    client = saml.sp_client()
    return _parse_response(client, message, issuer=saml.idp_entity_id(), endpoint=saml.sp_slo_url())


def sp_parse_logout_request(message: Incoming):
    """The IdP's verified LogoutRequest (IdP-initiated logout); SloRefused otherwise."""
    return _parse_request(saml.sp_client(), message, issuer=saml.idp_entity_id())


def sp_logout_response(parsed, *, binding: str) -> Outgoing:
    """The SP's signed answer (Success) to the IdP's LogoutRequest."""
    return _logout_response(saml.sp_client(), parsed, binding=binding)


# --- the sandbox identity provider ------------------------------------------------------------

# The sandbox IdP's own session: a signed cookie on its own path, apart from the broker's
# session (both live on the public host), so that ending one leaves the other to its protocol.
SANDBOX_COOKIE = "kp_sandbox_idp"
SANDBOX_PATH = "/sandbox-idp/"
SANDBOX_SALT = "kreisportal.identity.sandbox-idp"


def sandbox_session(request: HttpRequest) -> dict | None:
    """The sandbox IdP's session of this browser ({"name_id", "label"}), if any."""
    value = request.COOKIES.get(SANDBOX_COOKIE)
    if not value:
        return None
    try:
        return json.loads(signing.loads(value, salt=SANDBOX_SALT))
    except (signing.BadSignature, ValueError):
        return None


def start_sandbox_session(response: HttpResponse, *, name_id: str, label: str) -> None:
    response.set_cookie(
        SANDBOX_COOKIE,
        signing.dumps(json.dumps({"name_id": name_id, "label": label}), salt=SANDBOX_SALT),
        path=SANDBOX_PATH,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def idp_parse_logout_request(message: Incoming):
    return _parse_request(saml.sandbox_idp(), message, issuer=saml.sp_entity_id())


def idp_logout_response(parsed, *, binding: str, known: bool) -> Outgoing:
    """The sandbox IdP's signed answer: Success, or UnknownPrincipal when the request names
    someone other than the person signed in here (whose session then stays)."""
    from saml2.s_utils import status_message_factory
    from saml2.samlp import STATUS_UNKNOWN_PRINCIPAL

    status = (
        None
        if known
        else status_message_factory(
            "Diese Person ist hier nicht angemeldet.", STATUS_UNKNOWN_PRINCIPAL
        )
    )
    return _logout_response(saml.sandbox_idp(), parsed, binding=binding, status=status)
