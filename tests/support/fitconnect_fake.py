"""A local fake of FIT-Connect on loopback (a real HTTP server in a thread) for the tests: the
OAuth token endpoint, the Submission API v2 (destinations and their keys, announce, attachment
upload, submit, the case's event log, the service's JWKS) and the routing service with signed
destinations. It behaves like the receiving side: it decrypts what arrives with the
destination's private key and validates the metadata against the metadata schema (the subset
of metadata 2.1.0 the portal uses, written down below from the published structure) and the
SHA-512 hashes against the decrypted content."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jsonschema

from services.fitconnect import crypto

HASH = {
    "type": "object",
    "required": ["type", "content"],
    "properties": {
        "type": {"const": "sha512"},
        "content": {"type": "string", "pattern": "^[a-f0-9]{128}$"},
    },
    "additionalProperties": False,
}
METADATA_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["$schema", "contentStructure"],
    "properties": {
        "$schema": {
            "const": "https://schema.fitko.de/fit-connect/metadata/2.1.0/metadata.schema.json"
        },
        "contentStructure": {
            "type": "object",
            "required": ["attachments"],
            "properties": {
                "data": {
                    "type": "object",
                    "required": ["hash", "submissionSchema"],
                    "properties": {
                        "hash": HASH,
                        "submissionSchema": {
                            "type": "object",
                            "required": ["schemaUri", "mimeType"],
                            "properties": {
                                "schemaUri": {"type": "string", "minLength": 1},
                                "mimeType": {"enum": ["application/json", "application/xml"]},
                            },
                        },
                    },
                },
                "attachments": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["hash", "purpose", "mimeType", "attachmentId"],
                        "properties": {
                            "hash": HASH,
                            "purpose": {"enum": ["form", "attachment", "report"]},
                            "filename": {"type": "string", "maxLength": 255},
                            "description": {"type": "string", "maxLength": 255},
                            "mimeType": {"type": "string", "pattern": "^[-\\w.]+/[-\\w.+]+$"},
                            "attachmentId": {"type": "string", "format": "uuid"},
                        },
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
        "publicServiceType": {
            "type": "object",
            "required": ["identifier"],
            "properties": {
                "name": {"type": "string"},
                "identifier": {"type": "string", "pattern": "^urn:"},
            },
        },
        "replyChannel": {"type": "object"},
        "additionalReferenceInfo": {
            "type": "object",
            "properties": {
                "senderReference": {"type": "string"},
                "applicationDate": {"type": "string", "format": "date"},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}
EVENTS = "https://schema.fitko.de/fit-connect/events/"
_KEY_CACHE: dict[str, object] = {}


def cached_key(name: str, use: str):
    """4096-bit RSA keys take a moment: one per name for the whole test session."""
    if name not in _KEY_CACHE:
        _KEY_CACHE[name] = crypto.new_key_pair(kid=f"{name}-{uuid.uuid4().hex[:8]}", use=use)
    return _KEY_CACHE[name]


class FakeFitConnect:
    def __init__(self) -> None:
        self.client_id, self.client_secret = "portal-client", "portal-secret"
        self.service_key = cached_key("service-sig", "sig")
        self.portal_key = cached_key("portal-sig", "sig")
        self.destination_id = str(uuid.uuid4())
        self.dest_sig = cached_key("dest-sig", "sig")
        self.enc_keys = {k.key_id: k for k in [cached_key("dest-enc-1", "enc")]}
        self.current_kid = next(iter(self.enc_keys))
        self.published_kid_override: str | None = None  # publish a key under a wrong kid
        self.submissions: dict[str, dict] = {}
        self.token_requests = 0
        self.requests: list[tuple[str, str]] = []
        self.routes: list[dict] = []
        self.leika_area: tuple[str, str] = ("", "")
        self.route_signing_key = self.portal_key
        self.validate = True  # False: accept without decrypting (measures the sender only)
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.port = 0

    # --- control -----------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def rotate(self) -> None:
        """A new encryption key replaces the current one (the old one is withdrawn)."""
        key = cached_key("dest-enc-2", "enc")
        self.enc_keys = {key.key_id: key}
        self.current_kid = key.key_id

    def add_route(self, *, leika_key: str, area: str, signed_by=None, claims: dict | None = None):
        signed_by = signed_by or self.route_signing_key
        payload = {
            "submissionHost": f"127.0.0.1:{self.port}",
            "iss": f"{self.base}/portal",
            "services": [
                {
                    "gebietIDs": [
                        f"urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:{area}"
                    ],
                    "leistungIDs": [f"urn:de:fim:leika:leistung:{leika_key}"],
                }
            ],
            "destinationId": self.destination_id,
            "iat": int(time.time()),
            "jti": str(uuid.uuid4()),
            **(claims or {}),
        }
        self.routes.append(
            {
                "destinationId": self.destination_id,
                "destinationSignature": crypto.sign(payload, signed_by, typ="jwt"),
                "destinationName": "Ordnungsamt Musterstadt",
            }
        )

    def event(
        self, submission_id: str, name: str, *, issuer: str | None = None, key=None, detail=None
    ):
        record = self.submissions[submission_id]
        claims = {
            "jti": str(uuid.uuid4()),
            "iss": issuer or self.destination_id,
            "iat": int(time.time()),
            "sub": f"submission:{submission_id}",
            "txn": f"case:{record['caseId']}",
            "events": {f"{EVENTS}{name}": detail or {}},
        }
        record["events"].append(crypto.sign(claims, key or self.dest_sig, typ="secevent+jwt"))

    # --- receiving side ----------------------------------------------------------------------
    def receive(self, record: dict, body: dict) -> tuple[int, dict]:
        """Decrypt and validate a submitted submission as a receiver would."""
        if not self.validate:
            record["status"] = "submitted"
            return 200, {}
        try:
            parts = {"metadata": body["encryptedMetadata"], "data": body["encryptedData"]}
        except KeyError:
            return 422, {"detail": "encryptedMetadata/encryptedData fehlt"}
        decrypted = {}
        for name, token in [*parts.items(), *record["attachments"].items()]:
            kid = crypto.jwe_header(token).get("kid")
            key = self.enc_keys.get(kid)
            if key is None:
                return 422, {"detail": f"unbekannte Schlüssel-ID {kid}"}
            decrypted[name] = crypto.decrypt(token, key)
        metadata = json.loads(decrypted["metadata"])
        try:
            jsonschema.validate(
                metadata, METADATA_SCHEMA, format_checker=jsonschema.FormatChecker()
            )
        except jsonschema.ValidationError as exc:
            return 422, {"detail": f"Metadaten ungültig: {exc.message}"}
        structure = metadata["contentStructure"]
        if structure["data"]["hash"]["content"] != crypto.sha512_hex(decrypted["data"]):
            return 422, {"detail": "Hash der Fachdaten falsch"}
        described = {a["attachmentId"]: a for a in structure["attachments"]}
        if set(described) != set(record["announced"]):
            return 422, {"detail": "Anlagen der Metadaten != angekündigte"}
        for attachment_id in record["announced"]:
            if described[attachment_id]["hash"]["content"] != crypto.sha512_hex(
                decrypted[attachment_id]
            ):
                return 422, {"detail": f"Hash der Anlage {attachment_id} falsch"}
        record.update(status="submitted", metadata=metadata, data=json.loads(decrypted["data"]))
        record["decrypted"] = decrypted
        record["kids"] = {
            crypto.jwe_header(t)["kid"] for t in [*parts.values(), *record["attachments"].values()]
        }
        self.event(
            record["submissionId"], "submit-submission", issuer=self.base, key=self.service_key
        )
        return 200, {}


def _handler(fake: FakeFitConnect):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _json(self, status: int, body) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != "Bearer token-1":
                self._json(401, {"detail": "kein gültiges Token"})
                return False
            return True

        def do_POST(self):  # noqa: N802
            path = urlsplit(self.path).path
            body = self._body()
            fake.requests.append(("POST", path))
            if path == "/token":
                expected = base64.b64encode(
                    f"{fake.client_id}:{fake.client_secret}".encode()
                ).decode()
                if (
                    self.headers.get("Authorization") != f"Basic {expected}"
                    or b"grant_type=client_credentials" not in body
                ):
                    return self._json(401, {"error": "invalid_client"})
                fake.token_requests += 1
                return self._json(
                    200, {"access_token": "token-1", "expires_in": 1800, "token_type": "Bearer"}
                )
            if path == "/v2/submissions" and self._authorised():
                request = json.loads(body)
                if request.get("destinationId") != fake.destination_id:
                    return self._json(404, {"detail": "Zustellpunkt unbekannt"})
                with fake.lock:
                    submission_id = str(uuid.uuid4())
                    fake.submissions[submission_id] = {
                        "submissionId": submission_id,
                        "caseId": str(uuid.uuid4()),
                        "announced": list(request.get("announcedAttachments") or []),
                        "publicService": request.get("publicService"),
                        "attachments": {},
                        "status": "incomplete",
                        "events": [],
                    }
                record = fake.submissions[submission_id]
                return self._json(
                    201,
                    {
                        "submissionId": submission_id,
                        "caseId": record["caseId"],
                        "destinationId": fake.destination_id,
                    },
                )
            if path == "/v2/submissions":
                return None  # answered 401 above
            return self._json(404, {"detail": "unbekannt"})

        def do_PUT(self):  # noqa: N802
            path = urlsplit(self.path).path
            body = self._body()
            fake.requests.append(("PUT", path))
            if not self._authorised():
                return None
            parts = path.strip("/").split("/")
            if (
                len(parts) < 3
                or parts[:2] != ["v2", "submissions"]
                or parts[2] not in fake.submissions
            ):
                return self._json(404, {"detail": "unbekannt"})
            record = fake.submissions[parts[2]]
            if len(parts) == 5 and parts[3] == "attachments":
                if self.headers.get("Content-Type") != "application/jose":
                    return self._json(415, {"detail": "application/jose erwartet"})
                if parts[4] not in record["announced"]:
                    return self._json(404, {"detail": "Anlage nicht angekündigt"})
                if record["status"] != "incomplete":
                    return self._json(409, {"detail": "bereits eingereicht"})
                record["attachments"][parts[4]] = body.decode()
                self.send_response(204)
                self.end_headers()
                return None
            if record["status"] != "incomplete":
                return self._json(409, {"detail": "bereits eingereicht"})
            if set(record["announced"]) - set(record["attachments"]):
                return self._json(422, {"detail": "Anlagen fehlen"})
            status, answer = fake.receive(record, json.loads(body))
            return self._json(
                status if status != 200 else 202, answer or {"submissionId": parts[2]}
            )

        def do_GET(self):  # noqa: N802
            url = urlsplit(self.path)
            path = url.path
            fake.requests.append(("GET", path))
            if path == "/.well-known/jwks.json":
                return self._json(200, {"keys": [crypto.public_jwk(fake.service_key)]})
            if path == "/portal/jwks.json":
                return self._json(200, {"keys": [crypto.public_jwk(fake.portal_key)]})
            if path == "/routing/routes":
                query = parse_qs(url.query)
                routes = fake.routes if query.get("leikaKey") else []
                return self._json(
                    200,
                    {
                        "count": len(routes),
                        "offset": 0,
                        "totalCount": len(routes),
                        "routes": routes,
                    },
                )
            if not self._authorised():
                return None
            parts = path.strip("/").split("/")
            if parts[:2] == ["v2", "destinations"] and len(parts) >= 3:
                if parts[2] != fake.destination_id:
                    return self._json(404, {"detail": "Zustellpunkt unbekannt"})
                if len(parts) == 3:
                    return self._json(
                        200,
                        {
                            "destinationId": fake.destination_id,
                            "status": "active",
                            "encryptionKid": fake.current_kid,
                        },
                    )
                if len(parts) == 5 and parts[3] == "keys":
                    keys = {**fake.enc_keys, fake.dest_sig.key_id: fake.dest_sig}
                    key = keys.get(parts[4])
                    if key is None:
                        return self._json(404, {"detail": "Schlüssel unbekannt"})
                    public = crypto.public_jwk(key)
                    if fake.published_kid_override and parts[4] == fake.current_kid:
                        public["kid"] = fake.published_kid_override
                    return self._json(200, public)
            if (
                parts[:2] == ["v2", "submissions"]
                and len(parts) == 3
                and parts[2] in fake.submissions
            ):
                record = fake.submissions[parts[2]]
                return self._json(
                    200,
                    {
                        "submissionId": parts[2],
                        "caseId": record["caseId"],
                        "status": record["status"],
                    },
                )
            if parts[:2] == ["v2", "cases"] and len(parts) == 4 and parts[3] == "events":
                for record in fake.submissions.values():
                    if record["caseId"] == parts[2]:
                        return self._json(200, {"eventLog": list(record["events"])})
            return self._json(404, {"detail": "unbekannt"})

    return Handler
