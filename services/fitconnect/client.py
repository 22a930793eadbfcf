"""HTTP clients of FIT-Connect: the Submission API v2 (sender side) with an OAuth 2 client
credentials token cached until shortly before it expires, and the routing service.

Errors are split by what the caller can do: `ApiUnavailable` (no answer, 5xx, 429: try again
later, nothing is lost) and `ApiRefused` (a 4xx naming the problem: retrying the same request
will not help). Bodies and tokens are never logged.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache

from services.fitconnect import crypto

logger = logging.getLogger(__name__)
TIMEOUT = (5, 60)  # connect, read (a 5 MB attachment on a slow line)
TOKEN_MARGIN = 30  # seconds before expiry a cached token is renewed
EVENT_URL = "https://schema.fitko.de/fit-connect/events/"
SET_TYP = "secevent+jwt"


class ApiUnavailable(Exception):
    """The remote side did not answer usefully now; the same request may succeed later."""


class ApiRefused(Exception):
    """The remote side refused the request (4xx); the message names status and problem."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Endpoints:
    token_url: str
    submission_api: str
    routing_api: str
    portal_jwks: str
    client_id: str
    client_secret: str


def configured_endpoints() -> Endpoints:
    return Endpoints(
        token_url=settings.FITCONNECT_TOKEN_URL,
        submission_api=settings.FITCONNECT_SUBMISSION_API.rstrip("/"),
        routing_api=settings.FITCONNECT_ROUTING_API.rstrip("/"),
        portal_jwks=settings.FITCONNECT_PORTAL_JWKS,
        client_id=settings.FITCONNECT_CLIENT_ID,
        client_secret=settings.FITCONNECT_CLIENT_SECRET,
    )


def _problem(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body.get("description") or "")[:200]
    return ""


def _check(response: requests.Response, step: str) -> requests.Response:
    if response.status_code >= 500 or response.status_code == 429:
        raise ApiUnavailable(f"{step}: HTTP {response.status_code}")
    if response.status_code >= 400:
        raise ApiRefused(
            f"{step}: HTTP {response.status_code} {_problem(response)}".strip(),
            response.status_code,
        )
    return response


class SubmissionApi:
    """The sender's view of the Submission API v2."""

    def __init__(self, endpoints: Endpoints | None = None) -> None:
        self.endpoints = endpoints or configured_endpoints()
        self.session = requests.Session()

    # --- OAuth 2 client credentials ---------------------------------------------------------
    def _token_cache_key(self) -> str:
        raw = f"{self.endpoints.token_url}|{self.endpoints.client_id}".encode()
        return "fitconnect-token:" + hashlib.sha256(raw).hexdigest()[:32]

    def token(self) -> str:
        cached = cache.get(self._token_cache_key())
        if cached:
            return cached
        if not self.endpoints.client_id or not self.endpoints.client_secret:
            raise ApiRefused("Kein OAuth-Client für FIT-Connect eingerichtet")
        try:
            response = self.session.post(
                self.endpoints.token_url,
                data={"grant_type": "client_credentials"},
                auth=(self.endpoints.client_id, self.endpoints.client_secret),
                timeout=TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ApiUnavailable(f"token: {exc.__class__.__name__}") from exc
        body = _check(response, "token").json()
        token = body.get("access_token")
        if not token:
            raise ApiRefused("token: keine access_token in der Antwort")
        lifetime = int(body.get("expires_in") or 300) - TOKEN_MARGIN
        if lifetime > 0:
            cache.set(self._token_cache_key(), token, lifetime)
        return token

    def _request(self, method: str, path: str, step: str, **kwargs) -> requests.Response:
        url = f"{self.endpoints.submission_api}{path}"
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=TIMEOUT, **kwargs
                )
            except requests.RequestException as exc:
                raise ApiUnavailable(f"{step}: {exc.__class__.__name__}") from exc
            if response.status_code == 401 and attempt == 1:
                cache.delete(self._token_cache_key())  # expired early or revoked: once more
                kwargs["headers"] = {k: v for k, v in headers.items() if k != "Authorization"}
                continue
            return _check(response, step)
        raise ApiRefused(f"{step}: HTTP 401")  # pragma: no cover - loop returns or raises

    # --- sender flow ------------------------------------------------------------------------
    def destination(self, destination_id: str) -> dict:
        return self._request("GET", f"/v2/destinations/{destination_id}", "destination").json()

    def destination_key(self, destination_id: str, kid: str) -> dict:
        return self._request(
            "GET", f"/v2/destinations/{destination_id}/keys/{kid}", "destination key"
        ).json()

    def destination_keys(self, destination_id: str) -> list[dict]:
        body = self._request("GET", f"/v2/destinations/{destination_id}/keys", "keys").json()
        return list(body.get("keys") or [])

    def create_submission(self, body: dict) -> dict:
        return self._request("POST", "/v2/submissions", "announce", json=body).json()

    def upload_attachment(self, submission_id: str, attachment_id: str, jwe: str) -> None:
        self._request(
            "PUT",
            f"/v2/submissions/{submission_id}/attachments/{attachment_id}",
            "attachment",
            data=jwe.encode(),
            headers={"Content-Type": "application/jose"},
        )

    def submit(self, submission_id: str, body: dict) -> None:
        self._request("PUT", f"/v2/submissions/{submission_id}", "submit", json=body)

    def submission(self, submission_id: str) -> dict:
        return self._request("GET", f"/v2/submissions/{submission_id}", "submission").json()

    def case_events(self, case_id: str) -> list[str]:
        body = self._request("GET", f"/v2/cases/{case_id}/events", "events").json()
        return list(body.get("eventLog") or [])

    # --- keys that sign events --------------------------------------------------------------
    def service_jwks(self) -> list[dict]:
        """The Submission API's own signing keys (events it issues: create, submit, notify)."""
        key = (
            "fitconnect-jwks:" + hashlib.sha256(self.endpoints.submission_api.encode()).hexdigest()
        )
        keys = cache.get(key)
        if keys is None:
            try:
                response = self.session.get(
                    f"{self.endpoints.submission_api}/.well-known/jwks.json", timeout=TIMEOUT
                )
            except requests.RequestException as exc:
                raise ApiUnavailable(f"jwks: {exc.__class__.__name__}") from exc
            keys = list(_check(response, "jwks").json().get("keys") or [])
            cache.set(key, keys, 3600)
        return keys

    def signing_keys_for(self, issuer: str, kid: str) -> list[dict]:
        """The keys an event of `issuer` may be signed with: the service's JWKS when the issuer
        is the Submission API (a URL), the destination's key `kid` when it is a destination."""
        if issuer.startswith("http"):
            if urlsplit(issuer).netloc != urlsplit(self.endpoints.submission_api).netloc:
                raise crypto.SignatureInvalid(f"fremder Aussteller {issuer!r}")
            return self.service_jwks()
        # a destination's signing key by its kid: kids are not reused, so it may be kept a while
        raw = f"{self.endpoints.submission_api}|{issuer}|{kid}".encode()
        key = "fitconnect-destkey:" + hashlib.sha256(raw).hexdigest()
        found = cache.get(key)
        if found is None:
            found = self.destination_key(issuer, kid)
            cache.set(key, found, 3600)
        return [found]


@dataclass(frozen=True)
class Route:
    destination_id: str
    name: str


class RoutingApi:
    """The routing service: which destination handles a LeiKa key in an area (ARS or AGS)."""

    def __init__(self, endpoints: Endpoints | None = None) -> None:
        self.endpoints = endpoints or configured_endpoints()
        self.session = requests.Session()

    def _portal_keys(self) -> list[dict]:
        key = (
            "fitconnect-portal-jwks:"
            + hashlib.sha256(self.endpoints.portal_jwks.encode()).hexdigest()
        )
        keys = cache.get(key)
        if keys is None:
            try:
                response = self.session.get(self.endpoints.portal_jwks, timeout=TIMEOUT)
            except requests.RequestException as exc:
                raise ApiUnavailable(f"portal jwks: {exc.__class__.__name__}") from exc
            keys = list(_check(response, "portal jwks").json().get("keys") or [])
            cache.set(key, keys, 3600)
        return keys

    def find(self, *, leika_key: str, ars: str = "", ags: str = "") -> Route:
        """The one destination for this service and area, its signature checked; ApiRefused
        when there is none (or more than one), SignatureInvalid when it is not signed right."""
        params = {"leikaKey": leika_key, **({"ars": ars} if ars else {"ags": ags})}
        try:
            response = self.session.get(
                f"{self.endpoints.routing_api}/routes", params=params, timeout=TIMEOUT
            )
        except requests.RequestException as exc:
            raise ApiUnavailable(f"routing: {exc.__class__.__name__}") from exc
        routes = _check(response, "routing").json().get("routes") or []
        if len(routes) != 1:
            raise ApiRefused(
                f"routing: {len(routes)} Zustellpunkte für Leistung {leika_key} im Gebiet "
                f"{ars or ags}",
                404,
            )
        route = routes[0]
        self._check_signature(route, leika_key=leika_key, area=ars or ags)
        return Route(
            destination_id=route["destinationId"],
            name=route.get("destinationName") or route.get("destinationShortName") or "",
        )

    def _check_signature(self, route: dict, *, leika_key: str, area: str) -> None:
        _header, claims = crypto.verify_jws(
            route.get("destinationSignature") or "", self._portal_keys()
        )
        if claims.get("destinationId") != route.get("destinationId"):
            raise crypto.SignatureInvalid("Signatur gilt für einen anderen Zustellpunkt")
        host = urlsplit(self.endpoints.submission_api).netloc
        if claims.get("submissionHost") and claims["submissionHost"] != host:
            raise crypto.SignatureInvalid("Signatur nennt einen anderen Zustelldienst")
        services = claims.get("services") or []
        leika = f"urn:de:fim:leika:leistung:{leika_key}"
        area_prefix = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:"
        for entry in services:
            areas = [a.removeprefix(area_prefix) for a in entry.get("gebietIDs") or []]
            if leika in (entry.get("leistungIDs") or []) and any(
                area.startswith(a) for a in areas if a
            ):
                return
        raise crypto.SignatureInvalid("Signatur deckt Leistung und Gebiet nicht ab")


def verify_event(token: str, api: SubmissionApi) -> dict:
    """The payload of a security event token from the event log, its signature verified against
    the key of its issuer; SignatureInvalid otherwise."""
    header, claims = crypto.unverified(token)
    keys = api.signing_keys_for(str(claims.get("iss") or ""), str(header.get("kid") or ""))
    _header, verified = crypto.verify_jws(token, keys, typ=SET_TYP)
    for claim in ("jti", "iss", "iat", "sub", "txn", "events"):
        if claim not in verified:
            raise crypto.SignatureInvalid(f"Claim {claim} fehlt")
    if not isinstance(verified["events"], dict) or len(verified["events"]) != 1:
        raise crypto.SignatureInvalid("genau ein Ereignis erwartet")
    return verified
