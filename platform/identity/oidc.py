"""Generic OpenID Connect client for the broker (authorization code flow with PKCE), for
identity providers that speak OIDC instead of SAML. Configured by OIDC_ISSUER, OIDC_CLIENT_ID,
OIDC_CLIENT_SECRET; selected with IDENTITY_PROTOCOL=oidc."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from functools import lru_cache

import jwt
import requests
from django.conf import settings
from django.utils.http import urlencode

from kreisportal.identity.levels import LEVELS

TIMEOUT = 10
# a binding step's re-authentication must be this recent (seconds, auth_time of the ID token)
FORCED_MAX_AGE = 300
# acr values an OIDC provider may send, mapped to our levels (eIDAS / STORK style)
ACR_LEVELS = {
    **{class_ref: name for name, (class_ref, _, _) in LEVELS.items()},
    "http://eidas.europa.eu/LoA/low": "basic",
    "http://eidas.europa.eu/LoA/substantial": "substantial",
    "http://eidas.europa.eu/LoA/high": "high",
}


class OIDCError(Exception):
    pass


@lru_cache(maxsize=4)
def discovery(issuer: str) -> dict:
    response = requests.get(
        f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=TIMEOUT
    )
    response.raise_for_status()
    return response.json()


def redirect_uri() -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}/oidc/callback/"


def authorization_url(*, level: str, force: bool = False) -> tuple[str, dict]:
    """(URL to send the browser to, state to keep in the broker session). `force`: a binding
    step, the provider authenticates again (prompt=login, max_age=0; auth_time checked)."""
    config = discovery(settings.OIDC_ISSUER)
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    pending = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": verifier,
        "level": level,
        "force": force,
    }
    params = {
        "response_type": "code",
        "client_id": settings.OIDC_CLIENT_ID,
        "redirect_uri": redirect_uri(),
        "scope": "openid profile email address",
        "state": pending["state"],
        "nonce": pending["nonce"],
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "acr_values": LEVELS[level][0],
    }
    if force:
        params.update(prompt="login", max_age="0")
    return f"{config['authorization_endpoint']}?{urlencode(params)}", pending


def post_logout_redirect_uri() -> str:
    """Where the provider sends the citizen after ending its session (register it there)."""
    return f"{settings.PUBLIC_URL.rstrip('/')}/oidc/abgemeldet/"


def end_session_request(*, id_token: str, state: str) -> tuple[str, dict[str, str]] | None:
    """OpenID Connect RP-Initiated Logout 1.0: the provider's end_session_endpoint and the
    parameters for it, the ID token of the login as hint; None when its discovery document
    names no such endpoint. Sent as a form POST (§2: providers take GET and POST): the ID token
    carries the citizen's name and address, and a URL would keep it in the browser's history
    and in access logs."""
    endpoint = discovery(settings.OIDC_ISSUER).get("end_session_endpoint")
    if not endpoint:
        return None
    params = {
        "post_logout_redirect_uri": post_logout_redirect_uri(),
        "client_id": settings.OIDC_CLIENT_ID,
        "state": state,
    }
    if id_token:
        params["id_token_hint"] = id_token
    return endpoint, params


def identity_from_code(*, code: str, pending: dict) -> tuple[dict, str]:
    """Exchange the code, verify the ID token (signature, issuer, audience, expiry, nonce).
    Returns the identity and the ID token itself (the hint of a later logout)."""
    config = discovery(settings.OIDC_ISSUER)
    response = requests.post(
        config["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri(),
            "code_verifier": pending["verifier"],
            "client_id": settings.OIDC_CLIENT_ID,
            "client_secret": settings.OIDC_CLIENT_SECRET,
        },
        timeout=TIMEOUT,
    )
    if response.status_code != 200:
        raise OIDCError(f"token endpoint answered {response.status_code}")
    id_token = response.json().get("id_token", "")
    try:
        signing_key = jwt.PyJWKClient(config["jwks_uri"]).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            signing_key.key,
            algorithms=["RS256", "ES256"],
            audience=settings.OIDC_CLIENT_ID,
            issuer=config["issuer"],
            options={"require": ["exp", "iat", "sub", "nonce"]},
        )
    except jwt.PyJWTError as exc:
        raise OIDCError(f"ID token refused: {exc}") from exc
    if claims.get("nonce") != pending["nonce"]:
        raise OIDCError("ID token refused: nonce does not match")
    if pending.get("force"):
        auth_time = claims.get("auth_time")
        if not isinstance(auth_time, int | float) or time.time() - auth_time > FORCED_MAX_AGE:
            raise OIDCError("ID token refused: no fresh authentication for the binding step")
    address = claims.get("address") or {}
    identity = {
        "pseudonym": f"oidc:{claims['sub']}",
        "given_name": claims.get("given_name", ""),
        "family_name": claims.get("family_name", ""),
        "birth_date": claims.get("birthdate", ""),
        "email": claims.get("email", ""),
        "street": address.get("street_address", ""),
        "postal_code": address.get("postal_code", ""),
        "locality": address.get("locality", ""),
        "level": ACR_LEVELS.get(claims.get("acr", ""), "basic"),
    }
    return identity, id_token
