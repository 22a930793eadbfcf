"""The OpenID Connect client beside SAML: a fake provider at the HTTP boundary (discovery,
token and JWKS endpoints on loopback, RS256-signed ID tokens as the OIDC spec defines them)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings

from kreisportal.identity.models import TenantSession
from tests.support.sso import Browser, query

BASE = django_settings.BASE_DOMAIN
ERKELENZ = f"erkelenz.{BASE}:8000"
HEINSBERG = f"heinsberg.{BASE}:8000"


class FakeProvider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.issuer = ""
        self.supports_logout = False  # an end_session_endpoint in the discovery document
        self.last_id_token = ""

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    def issue_code(
        self,
        *,
        nonce: str,
        challenge: str,
        key=None,
        audience: str = "kreisportal",
        acr: str = "http://eidas.europa.eu/LoA/substantial",
    ) -> str:
        code = secrets.token_urlsafe(16)
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": audience,
            "sub": "oidc-person-42",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "acr": acr,
            "given_name": "Olga",
            "family_name": "Offen",
            "email": "olga@oidc.example",
        }
        token = jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": "k1"})
        self.codes[code] = {"id_token": token, "challenge": challenge}
        self.last_id_token = token
        return code


def _handler(provider: FakeProvider):
    class Handler(BaseHTTPRequestHandler):
        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            if self.path == "/.well-known/openid-configuration":
                document = {
                    "issuer": provider.issuer,
                    "authorization_endpoint": f"{provider.issuer}/authorize",
                    "token_endpoint": f"{provider.issuer}/token",
                    "jwks_uri": f"{provider.issuer}/jwks",
                }
                if provider.supports_logout:
                    document["end_session_endpoint"] = f"{provider.issuer}/logout"
                self._json(200, document)
            elif self.path == "/jwks":
                self._json(200, provider.jwks())
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self):  # noqa: N802
            form = {
                k: v[0]
                for k, v in parse_qs(
                    self.rfile.read(int(self.headers["Content-Length"])).decode()
                ).items()
            }
            grant = provider.codes.pop(form.get("code", ""), None)
            verifier_hash = (
                base64.urlsafe_b64encode(
                    hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                )
                .rstrip(b"=")
                .decode()
            )
            if grant is None or grant["challenge"] != verifier_hash:
                self._json(400, {"error": "invalid_grant"})
            else:
                self._json(
                    200,
                    {"access_token": "x", "token_type": "Bearer", "id_token": grant["id_token"]},
                )

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    server = HTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.issuer = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.IDENTITY_PROTOCOL = "oidc"
    settings.OIDC_ISSUER = fake.issuer
    settings.OIDC_CLIENT_ID = "kreisportal"
    settings.OIDC_CLIENT_SECRET = "geheim"
    yield fake
    server.shutdown()


def _authorize(browser: Browser) -> dict:
    start = browser.get(f"http://{ERKELENZ}/konto/anmelden/?next=/konto/&level=substantial")
    to_provider = browser.get(start["Location"])
    assert to_provider.status_code == 302
    params = query(to_provider["Location"])
    assert params["code_challenge_method"] == "S256" and params["client_id"] == "kreisportal"
    return params


def test_sign_in_through_an_oidc_provider(db, provider, in_tenant):
    browser = Browser()
    params = _authorize(browser)
    code = provider.issue_code(nonce=params["nonce"], challenge=params["code_challenge"])
    back = browser.get(f"http://{BASE}:8000/oidc/callback/?code={code}&state={params['state']}")
    assert back.status_code == 302 and "/konto/rueckkehr/" in back["Location"]
    assert browser.get(back["Location"]).status_code == 302
    assert "Olga Offen" in browser.get(f"http://{ERKELENZ}/konto/").content.decode()


@pytest.mark.parametrize("fault", ["nonce", "signature", "audience", "state", "level"])
def test_bad_oidc_answers_are_refused(db, provider, fault, caplog):
    browser = Browser()
    params = _authorize(browser)
    kwargs = {"nonce": params["nonce"], "challenge": params["code_challenge"]}
    if fault == "nonce":
        kwargs["nonce"] = "another-nonce"
    elif fault == "signature":
        kwargs["key"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif fault == "audience":
        kwargs["audience"] = "someone-else"
    elif fault == "level":
        kwargs["acr"] = "http://eidas.europa.eu/LoA/low"
    code = provider.issue_code(**kwargs)
    state = "forged-state" if fault == "state" else params["state"]
    response = browser.get(f"http://{BASE}:8000/oidc/callback/?code={code}&state={state}")
    assert response.status_code == 400
    assert any("login refused" in r.getMessage() for r in caplog.records)
    assert browser.get(f"http://{ERKELENZ}/konto/").status_code == 302


def _signed_in_through_oidc(provider: FakeProvider) -> Browser:
    browser = Browser()
    params = _authorize(browser)
    code = provider.issue_code(nonce=params["nonce"], challenge=params["code_challenge"])
    back = browser.get(f"http://{BASE}:8000/oidc/callback/?code={code}&state={params['state']}")
    browser.get(back["Location"])
    assert browser.get(f"http://{ERKELENZ}/konto/").status_code == 200
    return browser


def _sign_out_everywhere(browser: Browser):
    out = browser.post(f"http://{ERKELENZ}/konto/abmelden/", {})
    return browser.get(out["Location"])


def _step_up_at_heinsberg(browser: Browser, provider: FakeProvider):
    """Heinsberg asks for the higher level: the provider again (a new broker session key);
    returns the callback's answer."""
    start = browser.get(f"http://{HEINSBERG}/konto/anmelden/?next=/konto/&level=high")
    to_provider = browser.get(start["Location"])
    assert to_provider.status_code == 302 and "/authorize" in to_provider["Location"]
    again = query(to_provider["Location"])
    code = provider.issue_code(
        nonce=again["nonce"],
        challenge=again["code_challenge"],
        acr="http://eidas.europa.eu/LoA/high",
    )
    return browser.get(f"http://{BASE}:8000/oidc/callback/?code={code}&state={again['state']}")


def test_sign_out_everywhere_reaches_a_portal_opened_before_a_step_up(db, provider):
    """A login again at a higher level cycles the broker's session key; the tenant session
    opened before it must still end with "Abmelden (überall)" (OIDC, as SAML)."""
    browser = _signed_in_through_oidc(provider)
    first_key = browser.client(f"{BASE}:8000").cookies[django_settings.SESSION_COOKIE_NAME].value
    back = _step_up_at_heinsberg(browser, provider)
    assert back.status_code == 302 and "/konto/rueckkehr/" in back["Location"]
    browser.get(back["Location"])
    assert browser.get(f"http://{HEINSBERG}/konto/").status_code == 200
    new_key = browser.client(f"{BASE}:8000").cookies[django_settings.SESSION_COOKIE_NAME].value
    assert new_key != first_key
    assert not TenantSession.objects.filter(broker_session_key=first_key).exists()
    assert TenantSession.objects.filter(broker_session_key=new_key).count() == 2
    # "Abmelden (überall)" at Heinsberg ends the Erkelenz session too
    out = browser.post(f"http://{HEINSBERG}/konto/abmelden/", {})
    assert out.status_code == 302 and "proof=" in out["Location"]
    done = browser.get(out["Location"])
    # no SAML login to end at the IdP: the broker's own page says so (not its confirmation)
    assert done.status_code == 200 and 'action="/auth/logout/"' not in done.content.decode()
    assert browser.get(f"http://{ERKELENZ}/konto/").status_code == 302
    assert browser.get(f"http://{HEINSBERG}/konto/").status_code == 302
    assert not TenantSession.objects.filter(broker_session_key=new_key).exists()


def _posted_form(response) -> tuple[str, dict[str, str]]:
    html = response.content.decode()
    action = re.search(r'<form method="post" action="([^"]+)" data-auto-submit>', html).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    return action, fields


@pytest.fixture
def provider_with_logout(provider):
    from kreisportal.identity import oidc

    provider.supports_logout = True
    oidc.discovery.cache_clear()
    yield provider
    oidc.discovery.cache_clear()


def test_sign_out_everywhere_ends_the_providers_session_too(db, provider_with_logout, caplog):
    """OpenID Connect RP-Initiated Logout 1.0: the broker posts the login's ID token as hint
    to the provider's end_session_endpoint (a form, so the token is in no URL); the provider's
    redirect back with our state, in the browser that started it and once, is shown as what it
    is: the request arrived."""
    provider = provider_with_logout
    browser = _signed_in_through_oidc(provider)
    to_provider = _sign_out_everywhere(browser)
    assert to_provider.status_code == 200 and "no-store" in to_provider["Cache-Control"]
    action, sent = _posted_form(to_provider)
    assert action == f"{provider.issuer}/logout"
    assert sent["id_token_hint"] == provider.last_id_token
    assert sent["client_id"] == "kreisportal" and len(sent["state"]) >= 20
    redirect = f"{django_settings.PUBLIC_URL.rstrip('/')}/oidc/abgemeldet/"
    assert sent["post_logout_redirect_uri"] == redirect
    assert provider.last_id_token not in action
    assert not any(provider.last_id_token in r.getMessage() for r in caplog.records)
    # the portals' sessions ended before the citizen left for the provider
    assert browser.get(f"http://{ERKELENZ}/konto/").status_code == 302
    # a state sent to another browser is no answer to this one's logout
    stranger = Browser()
    foreign = stranger.get(f"http://{BASE}:8000/oidc/abgemeldet/?state={sent['state']}")
    assert foreign.status_code == 400
    returned = browser.get(f"http://{BASE}:8000/oidc/abgemeldet/?state={sent['state']}")
    page = returned.content.decode()
    # what the provider's redirect proves: the request arrived (it may have asked the
    # citizen and let them stay signed in there), no more
    assert returned.status_code == 200
    assert "Der Identitätsanbieter hat die Abmeldung erhalten" in page
    assert "beim Identitätsanbieter abgemeldet" not in page
    assert f'href="http://{ERKELENZ}/"' in page  # back to the portal the citizen came from
    # once only, and never for a state this server did not send
    again = browser.get(f"http://{BASE}:8000/oidc/abgemeldet/?state={sent['state']}")
    forged = browser.get(f"http://{BASE}:8000/oidc/abgemeldet/?state=erfunden-1234567890")
    assert again.status_code == forged.status_code == 400


def test_a_step_up_login_hands_the_newest_id_token_to_the_logout(db, provider_with_logout):
    provider = provider_with_logout
    browser = _signed_in_through_oidc(provider)
    first_token = provider.last_id_token
    browser.get(_step_up_at_heinsberg(browser, provider)["Location"])
    assert provider.last_id_token != first_token
    _, sent = _posted_form(_sign_out_everywhere(browser))
    assert sent["id_token_hint"] == provider.last_id_token


def test_a_provider_without_logout_or_out_of_reach_is_not_asked_and_the_page_says_so(
    db, provider, settings
):
    from kreisportal.identity import oidc

    oidc.discovery.cache_clear()
    browser = _signed_in_through_oidc(provider)  # its discovery names no end_session_endpoint
    done = _sign_out_everywhere(browser)
    assert done.status_code == 200
    assert "Der Identitätsanbieter wurde nicht benachrichtigt" in done.content.decode()
    assert browser.get(f"http://{ERKELENZ}/konto/").status_code == 302
    # the provider's discovery out of reach at the moment of the logout
    other = _signed_in_through_oidc(provider)
    oidc.discovery.cache_clear()
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens there
    try:
        unreachable = _sign_out_everywhere(other)
    finally:
        oidc.discovery.cache_clear()
    assert unreachable.status_code == 200
    assert "Der Identitätsanbieter wurde nicht benachrichtigt" in unreachable.content.decode()
    assert other.get(f"http://{ERKELENZ}/konto/").status_code == 302
