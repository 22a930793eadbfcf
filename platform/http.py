"""Small HTTP helpers shared by views."""

from __future__ import annotations

import uuid


def safe_local_path(value: str, default: str = "/konto/") -> str:
    """A path on this host to continue to; anything else (absolute URLs, //host, /\\host,
    control characters) → default.

    Guards every `next`/`zurueck` parameter against open redirects.
    """
    value = value or ""
    if (
        not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(char) < 32 or ord(char) == 127 for char in value)
    ):
        return default
    return value


def parse_uuid(value: object) -> uuid.UUID | None:
    """The UUID a URL or form names, or None for anything else (callers answer 404)."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or len(value) > 36:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def parse_number(value: object, *, max_digits: int = 18) -> int | None:
    """A non-negative whole number typed in ASCII digits, or None.

    `str.isdigit()` alone is not enough: "²" or Arabic-Indic digits pass it and then `int()`
    or the database refuses them.
    """
    if not isinstance(value, str) or not value or len(value) > max_digits:
        return None
    return int(value) if value.isascii() and value.isdigit() else None
