"""The cryptography FIT-Connect prescribes, through jwcrypto (no hand-written crypto):

- everything sent to a destination is a compact JWE, `RSA-OAEP-256` key wrapping and `A256GCM`
  content encryption, with the `kid` of the destination's encryption key in the header;
- destinations (routing) and security event tokens are signed `PS512` (JWS).

A destination's key is checked before anything is encrypted for it: an RSA key of at least
4096 bits meant for wrapping keys (`key_ops` wrapKey, `alg` RSA-OAEP-256), and when it carries a
certificate chain (`x5c`) the certificate must hold the same key. Validating that chain up to
the administration's PKI root needs the root certificates of the production PKI; it is not
done here (see the README of this app).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography import x509
from jwcrypto import jwe, jwk, jws
from jwcrypto.common import JWException

KEY_ALG = "RSA-OAEP-256"
CONTENT_ENC = "A256GCM"
SIGNING_ALG = "PS512"
MIN_RSA_BITS = 4096


class KeyRefused(Exception):
    """A destination key that must not be used; the message names the reason."""


class SignatureInvalid(Exception):
    """A JWS whose signature, header or key does not check out."""


def sha512_hex(data: bytes) -> str:
    return hashlib.sha512(data).hexdigest()


def _modulus_bits(key: dict) -> int:
    n = key.get("n", "")
    raw = base64.urlsafe_b64decode(n + "=" * (-len(n) % 4))
    return int.from_bytes(raw, "big").bit_length()


def check_encryption_key(key: dict, *, kid: str | None = None) -> jwk.JWK:
    """The destination's public encryption key as a JWK, or KeyRefused naming what is wrong."""
    if kid is not None and key.get("kid") != kid:
        raise KeyRefused(f"Schlüssel-ID {key.get('kid')!r} statt {kid!r}")
    if key.get("kty") != "RSA":
        raise KeyRefused(f"Schlüsseltyp {key.get('kty')!r} statt RSA")
    if key.get("alg") != KEY_ALG:
        raise KeyRefused(f"Algorithmus {key.get('alg')!r} statt {KEY_ALG}")
    if "wrapKey" not in (key.get("key_ops") or []):
        raise KeyRefused("Schlüssel ist nicht zum Verschlüsseln bestimmt (key_ops ohne wrapKey)")
    if "d" in key:
        raise KeyRefused("privater Schlüssel statt eines öffentlichen")
    if _modulus_bits(key) < MIN_RSA_BITS:
        raise KeyRefused(f"RSA-Schlüssel kürzer als {MIN_RSA_BITS} Bit")
    try:
        public = jwk.JWK(**key)
    except (JWException, ValueError, TypeError) as exc:
        raise KeyRefused(f"kein gültiger JWK ({exc.__class__.__name__})") from exc
    if key.get("x5c"):
        _check_certificate_holds_key(key["x5c"][0], public)
    return public


def _check_certificate_holds_key(cert_b64: str, public: jwk.JWK) -> None:
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(cert_b64))
    except ValueError as exc:
        raise KeyRefused("Zertifikat (x5c) nicht lesbar") from exc
    from_cert = jwk.JWK.from_pyca(certificate.public_key())
    if from_cert.thumbprint() != public.thumbprint():
        raise KeyRefused("Zertifikat (x5c) gehört nicht zu diesem Schlüssel")


def encrypt(payload: bytes, key: jwk.JWK, *, content_type: str = "") -> str:
    """Compact JWE of `payload` for `key` (RSA-OAEP-256 + A256GCM, the key's kid)."""
    header: dict[str, Any] = {"alg": KEY_ALG, "enc": CONTENT_ENC, "kid": key.key_id}
    if content_type:
        header["cty"] = content_type
    token = jwe.JWE(payload, protected=json.dumps(header))
    token.add_recipient(key)
    return token.serialize(compact=True)


def jwe_header(compact: str) -> dict:
    """The protected header of a compact JWE (without decrypting)."""
    return _b64json(compact.split(".", 1)[0])


def _b64json(segment: str) -> dict:
    value = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    if not isinstance(value, dict):
        raise ValueError("kein JSON-Objekt")
    return value


def unverified(compact: str) -> tuple[dict, dict]:
    """(header, payload) of a compact JWS before its signature is checked: only to find the key
    it must be checked with."""
    parts = compact.split(".")
    if len(parts) != 3:
        raise SignatureInvalid("keine kompakte JWS")
    try:
        return _b64json(parts[0]), _b64json(parts[1])
    except ValueError as exc:
        raise SignatureInvalid("JWS nicht lesbar") from exc


def decrypt(compact: str, private_key: jwk.JWK) -> bytes:
    """What a receiver does (the sandbox back office, the tests' fake API)."""
    header = jwe_header(compact)
    if header.get("alg") != KEY_ALG or header.get("enc") != CONTENT_ENC:
        raise ValueError(f"JWE mit {header.get('alg')}/{header.get('enc')}")
    if header.get("kid") != private_key.key_id:
        raise ValueError(f"JWE für Schlüssel {header.get('kid')!r}, nicht {private_key.key_id!r}")
    token = jwe.JWE()
    token.deserialize(compact, key=private_key)
    return token.payload


def verify_jws(compact: str, keys: list[dict], *, typ: str | None = None) -> tuple[dict, dict]:
    """(header, payload) of a PS512-signed compact JWS whose `kid` is among `keys`."""
    try:
        token = jws.JWS()
        token.deserialize(compact)
        header = token.jose_header
    except (JWException, ValueError) as exc:
        raise SignatureInvalid(f"keine gültige JWS ({exc.__class__.__name__})") from exc
    if header.get("alg") != SIGNING_ALG:
        raise SignatureInvalid(f"Signaturalgorithmus {header.get('alg')!r} statt {SIGNING_ALG}")
    if typ is not None and header.get("typ") != typ:
        raise SignatureInvalid(f"typ {header.get('typ')!r} statt {typ!r}")
    kid = header.get("kid")
    key = next((k for k in keys if k.get("kid") == kid), None)
    if key is None:
        raise SignatureInvalid(f"unbekannte Schlüssel-ID {kid!r}")
    if key.get("kty") != "RSA" or "d" in key:
        raise SignatureInvalid("Signaturschlüssel ist kein öffentlicher RSA-Schlüssel")
    try:
        token.verify(jwk.JWK(**key), alg=SIGNING_ALG)
    except (JWException, ValueError) as exc:
        raise SignatureInvalid("Signatur ungültig") from exc
    try:
        payload = json.loads(token.payload)
    except ValueError as exc:
        raise SignatureInvalid("Inhalt der JWS ist kein JSON") from exc
    return header, payload


def sign(payload: dict, private_key: jwk.JWK, *, typ: str) -> str:
    """A PS512 compact JWS (the sandbox back office's events; the tests' fakes)."""
    token = jws.JWS(json.dumps(payload).encode())
    token.add_signature(
        private_key,
        alg=SIGNING_ALG,
        protected=json.dumps({"alg": SIGNING_ALG, "typ": typ, "kid": private_key.key_id}),
    )
    return token.serialize(compact=True)


def new_key_pair(*, kid: str, use: str) -> jwk.JWK:
    """A 4096-bit RSA key for the sandbox (use "enc" or "sig")."""
    alg = KEY_ALG if use == "enc" else SIGNING_ALG
    key = jwk.JWK.generate(kty="RSA", size=MIN_RSA_BITS, kid=kid, alg=alg, use=use)
    return key


def public_jwk(private_key: jwk.JWK) -> dict:
    """The public half as FIT-Connect publishes it (with key_ops)."""
    public = private_key.export_public(as_dict=True)
    public["key_ops"] = ["wrapKey"] if public.get("alg") == KEY_ALG else ["verify"]
    return public
