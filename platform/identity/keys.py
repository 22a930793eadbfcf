"""Signing keys of the SP and the sandbox IdP: from configuration (SAML_SP_KEY_FILE and
SAML_SP_CERT_FILE), else generated once under .kreisportal/saml/.

Key rollover (README): publish the new certificate in the SP metadata next to the old one, let
the IdP fetch it, switch the key files, remove the old certificate after the IdP's cache time.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings


def _generate(key_path: Path, cert_path: Path, common_name: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def key_pair(role: str) -> tuple[str, str]:
    """(key file, cert file) for "sp" or "idp"."""
    if role == "sp" and settings.SAML_SP_KEY_FILE and settings.SAML_SP_CERT_FILE:
        return settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE
    folder = Path(settings.KREISPORTAL_HOME) / "saml"
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / f"{role}.key", folder / f"{role}.crt"
    if not key_path.exists() or not cert_path.exists():
        _generate(key_path, cert_path, f"Kreisportal {role.upper()}")
    return str(key_path), str(cert_path)
