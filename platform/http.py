"""Small HTTP helpers shared by views."""


def safe_local_path(value: str, default: str = "/konto/") -> str:
    """A path on this host to continue to; anything else (absolute URLs, //host) → default.

    Guards every `next`/`zurueck` parameter against open redirects.
    """
    value = value or ""
    return value if value.startswith("/") and not value.startswith("//") else default
