"""The client secret at rest: encrypted with a key derived from SECRET_KEY (Fernet, i.e.
AES-128-CBC with HMAC-SHA256). A new SECRET_KEY makes stored secrets unreadable: the IT team
then enters the client secret again (the sign-in says so instead of failing obscurely)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"kreisportal staff directory client secret"


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def decrypt_secret(stored: str) -> str | None:
    """The plain secret, "" when none is stored, None when it cannot be read (new SECRET_KEY)."""
    if not stored:
        return ""
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        return None
