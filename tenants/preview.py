"""The IT team's preview of a portal in preparation: a signed, expiring link from the tenant
administration opens the tenant's host and leaves a signed cookie valid for that tenant only."""

from __future__ import annotations

from django.core import signing

from tenants.models import Tenant

PREVIEW_PATH = "/vorschau/"
PREVIEW_COOKIE = "kp_preview"
LINK_MAX_AGE = 15 * 60  # the link from the admin: to be opened at once
COOKIE_MAX_AGE = 8 * 60 * 60  # the preview itself: one working day
_SALT = "kreisportal.tenant-preview"


def preview_link_token(tenant: Tenant) -> str:
    return signing.dumps({"tenant": tenant.slug, "use": "link"}, salt=_SALT)


def preview_cookie_value(tenant: Tenant) -> str:
    return signing.dumps({"tenant": tenant.slug, "use": "cookie"}, salt=_SALT)


def _valid(value: str | None, tenant: Tenant, use: str, max_age: int) -> bool:
    if not value:
        return False
    try:
        data = signing.loads(value, salt=_SALT, max_age=max_age)
    except signing.BadSignature:
        return False
    return data == {"tenant": tenant.slug, "use": use}


def link_token_valid(token: str | None, tenant: Tenant) -> bool:
    return _valid(token, tenant, "link", LINK_MAX_AGE)


def cookie_valid(value: str | None, tenant: Tenant) -> bool:
    return _valid(value, tenant, "cookie", COOKIE_MAX_AGE)
