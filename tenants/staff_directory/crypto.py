"""The client secret at rest: encrypted with a key derived from SECRET_KEY (Fernet, i.e.
AES-128-CBC with HMAC-SHA256). Secrets written under a key now listed in SECRET_KEY_FALLBACKS
stay readable; after a new SECRET_KEY without the old one as fallback they are unreadable, and
the IT team enters the client secret again (admin and sign-in say so instead of failing)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"kreisportal staff directory client secret"


def _fernet_for(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> MultiFernet:
    """Encrypts with the current key, decrypts with it or any fallback key."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(key) for key in keys])


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
