"""Where "Online beantragen" leads: generated from the portal's own routes, never from a stored
absolute URL of the portal itself.

Three kinds of online offer, in this order:
1. the tenant's own online application form (services.applications, 1:1 with a LocalService):
   the route `application-form` with the form's slug;
2. a service the portal runs itself (the automated cadastral extract): the route named in
   `INTERNAL_SERVICES`, on the tenant kinds that serve it;
3. an external online service an editor entered (`LocalService.online_url`): used as it is,
   unless it points at one of the portal's own hosts (a host name changes, a route does not;
   such a stored URL was the dead `https://kreis.localhost/` of issue 20).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class InternalService:
    route: str  # URL name in the tenant URL conf
    tenant_kinds: frozenset[str]  # tenant kinds whose host serves the route


_CADASTRE = InternalService(route="cadastre-search", tenant_kinds=frozenset({"district"}))

# LeiKa key → the portal's own online service for it
INTERNAL_SERVICES: dict[str, InternalService] = {
    "99012007033000": _CADASTRE,  # Liegenschaftskarte Auszug
    "99012005033000": _CADASTRE,  # Liegenschaftsbuch Auszug
}

INFORMATION_ONLY = "information"


def is_own_host_url(url: str) -> bool:
    """Whether `url` points at the portal itself (the base domain or any host below it)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    base = settings.BASE_DOMAIN
    return bool(host) and (host == base or host.endswith(f".{base}"))


def internal_path(leika_key: str, tenant_kind: str | None = None) -> str:
    """Path of the portal's own online service for this LeiKa key on a tenant of this kind
    (default: the current tenant), '' when there is none."""
    internal = INTERNAL_SERVICES.get(str(leika_key))
    if tenant_kind is None:
        tenant_kind = getattr(getattr(connection, "tenant", None), "kind", "")
    if internal is None or tenant_kind not in internal.tenant_kinds:
        return ""
    try:
        return reverse(internal.route)
    except NoReverseMatch:  # the public URL conf has no tenant routes
        return ""


def online_link(*, leika_key: str, local, application_form=None) -> str:
    """The href of "Online beantragen" for this tenant's service, '' when there is none."""
    if application_form is not None:
        return application_form.entry_url
    if local is None or local.online_level == INFORMATION_ONLY:
        return ""
    path = internal_path(leika_key)
    if path:
        return path
    url = local.online_url or ""
    if url and not is_own_host_url(url):
        return url
    return ""


# --- the same service object (issue 20, finding 2) ---------------------------------------------
# A LeiKa key is 99 · Leistungsgruppierung (3) · Kennung (3) · Verrichtung (3) · Detail (3): the
# first 8 digits name the Leistungsobjekt ("99102013" Hundesteuer), the rest what is done with it
# ("…002000" Festsetzung, "…010000" Befreiung). The entry whose last six digits are 0 is the
# object itself ("Hundesteuer", 99102013000000). A form attached to that bare entry is the
# object's form and is offered on every entry of the object without a form of its own; a form
# attached to one Verrichtung ("Gewerbe Anmeldung") stays on that entry (an Abmeldung is not
# an Anmeldung).
OBJECT_DIGITS = 8


def object_prefix(leika_key: str) -> str:
    return str(leika_key)[:OBJECT_DIGITS]


def object_entry_key(leika_key: str) -> str:
    """The key of the bare Leistungsobjekt entry of this service."""
    return object_prefix(leika_key) + "0" * (14 - OBJECT_DIGITS)
