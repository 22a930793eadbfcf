"""Reads for the online offer of the current tenant's services: the application form of the
service object (services.online) and the set of services a citizen can do online, for the
search's "online" badge and its filter "nur online erledigen"."""

from __future__ import annotations

from django.db.models import Q

from services.local.models import LocalService, OnlineLevel
from services.models import Service
from services.online import internal_path, is_own_host_url, object_entry_key, object_prefix
from services.selectors import in_tenant_schema


def object_application_form(service: Service, own_form=None):
    """(form, borrowed): the service's own active form, else the active form on the bare entry
    of its Leistungsobjekt ("Hundesteuer Festsetzung" → the form of "Hundesteuer")."""
    if own_form is not None or not in_tenant_schema():
        return own_form, False
    entry = object_entry_key(service.leika_key)
    if entry == service.leika_key:
        return None, False
    local = (
        LocalService.objects.select_related("application_form")
        .filter(service__leika_key=entry)
        .first()
    )
    form = getattr(local, "application_form", None) if local is not None else None
    return (form, True) if form is not None and form.active else (None, False)


class OnlineKeys:
    """`key in online_keys()`: whether this tenant offers the service online — its own key, or
    its Leistungsobjekt has a form on the bare entry."""

    def __init__(self, keys: set[str], object_prefixes: set[str]) -> None:
        self.keys = keys
        self.object_prefixes = object_prefixes

    def __contains__(self, leika_key: object) -> bool:
        key = str(leika_key)
        return key in self.keys or object_prefix(key) in self.object_prefixes

    def __bool__(self) -> bool:
        return bool(self.keys or self.object_prefixes)


def online_keys() -> OnlineKeys:
    """The services this tenant offers online, read in one query (none on the public host)."""
    keys: set[str] = set()
    prefixes: set[str] = set()
    if not in_tenant_schema():
        return OnlineKeys(keys, prefixes)
    rows = LocalService.objects.filter(
        Q(application_form__active=True) | ~Q(online_level=OnlineLevel.INFORMATION)
    ).values_list("service__leika_key", "online_url", "online_level", "application_form__active")
    for key, url, level, form_active in rows:
        if form_active:
            keys.add(key)
            if object_entry_key(key) == key:
                prefixes.add(object_prefix(key))
        elif level != OnlineLevel.INFORMATION and (
            internal_path(key) or (url and not is_own_host_url(url))
        ):
            keys.add(key)
    return OnlineKeys(keys, prefixes)
