"""A fake OpenID Connect directory (a municipality's Keycloak/AD FS) on loopback: a real HTTP
server serving discovery, JWKS, the authorize endpoint (redirects straight back with a code,
as a directory does after the person signed in) and the token endpoint (client_secret_basic,
PKCE S256, redirect_uri checked), issuing RS256 ID tokens. Knobs let a test make it misbehave."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

REALM = "/realms/verwaltung"


def _path(raw: str) -> tuple[str, str]:
    parts = urlsplit(raw)
    return parts.path.removeprefix(REALM), parts.query


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class FakeDirectory:
    client_id: str
    client_secret: str
    issuer: str = ""
    key: object = field(default_factory=_new_key)
    # the person who "signs in" at the directory
    person: dict = field(default_factory=dict)
    # the directory refuses the sign-in (person disabled there)
    refuse: bool = False
    # overrides of ID token claims (e.g. {"aud": "other"}, {"exp": past}), or another key
    token_claims: dict = field(default_factory=dict)
    signing_key: object | None = None
    # the issuer the discovery document names (a directory answering for another issuer)
    discovery_issuer: str = ""
    codes: dict = field(default_factory=dict)
    token_requests: int = 0
    # RP-initiated logout: whether discovery names an end_session_endpoint, and what it got
    offers_logout: bool = True
    logouts: list = field(default_factory=list)
    issued_id_tokens: list = field(default_factory=list)

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "dir-1", "use": "sig", "alg": "RS256"}]}

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.person,
            **self.token_claims,
        }
        token = jwt.encode(
            claims, self.signing_key or self.key, algorithm="RS256", headers={"kid": "dir-1"}
        )
        self.issued_id_tokens.append(token)
        return token


def _handler(directory: FakeDirectory):
    class Handler(BaseHTTPRequestHandler):
        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, url: str) -> None:
            self.send_response(302)
            self.send_header("Location", url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):  # noqa: N802
            path, query_string = _path(self.path)
            if path == "/.well-known/openid-configuration":
                logout = (
                    {"end_session_endpoint": f"{directory.issuer}/logout"}
                    if directory.offers_logout
                    else {}
                )
                self._json(
                    200,
                    {
                        **logout,
                        "issuer": directory.discovery_issuer or directory.issuer,
                        "authorization_endpoint": f"{directory.issuer}/authorize",
                        "token_endpoint": f"{directory.issuer}/token",
                        "jwks_uri": f"{directory.issuer}/jwks",
                        "response_types_supported": ["code"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "code_challenge_methods_supported": ["S256"],
                    },
                )
            elif path == "/jwks":
                self._json(200, directory.jwks())
            elif path == "/authorize":
                params = {k: v[0] for k, v in parse_qs(query_string).items()}
                back = params.get("redirect_uri", "")
                if params.get("client_id") != directory.client_id or not back:
                    self._json(400, {"error": "invalid_request"})
                elif directory.refuse:
                    query = {"error": "access_denied", "state": params.get("state", "")}
                    self._redirect(f"{back}?{urlencode(query)}")
                else:
                    code = secrets.token_urlsafe(16)
                    directory.codes[code] = params
                    self._redirect(f"{back}?{urlencode({'code': code, 'state': params['state']})}")
            elif path == "/logout" and directory.offers_logout:
                params = {k: v[0] for k, v in parse_qs(query_string).items()}
                directory.logouts.append(params)
                back = params.get("post_logout_redirect_uri", "")
                if back:
                    self._redirect(back)
                else:
                    self._json(200, {"signed_out": True})
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self):  # noqa: N802
            if _path(self.path)[0] != "/token":
                return self._json(404, {"error": "not_found"})
            directory.token_requests += 1
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            expected = base64.b64encode(
                f"{directory.client_id}:{directory.client_secret}".encode()
            ).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                return self._json(401, {"error": "invalid_client"})
            asked = directory.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                .rstrip(b"=")
                .decode()
            )
            if (
                asked is None
                or asked.get("code_challenge_method") != "S256"
                or asked.get("code_challenge") != challenge
                or asked.get("redirect_uri") != form.get("redirect_uri")
            ):
                return self._json(400, {"error": "invalid_grant"})
            return self._json(
                200,
                {
                    "access_token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "expires_in": 300,
                    "id_token": directory.id_token(asked.get("nonce", "")),
                },
            )

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def fake_directory(
    *, client_id: str, client_secret: str, host: str = "127.0.0.1"
) -> Iterator[FakeDirectory]:
    """Serve a fake directory on loopback; `host` is the name in its issuer URL ("localhost"
    for a browser: the portal's development CSP lets forms end there)."""
    directory = FakeDirectory(client_id=client_id, client_secret=client_secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(directory))
    directory.issuer = f"http://{host}:{server.server_port}{REALM}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield directory
    finally:
        server.shutdown()
        server.server_close()
