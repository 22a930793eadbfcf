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


def online_keys() -> set[str]:
    """LeiKa keys of the services this tenant offers online (an empty set on the public host)."""
    if not in_tenant_schema():
        return set()
    keys: set[str] = set()
    object_forms: set[str] = set()
    with_forms = LocalService.objects.filter(application_form__active=True).values_list(
        "service__leika_key", flat=True
    )
    for key in with_forms:
        keys.add(key)
        if object_entry_key(key) == key:
            object_forms.add(object_prefix(key))
    if object_forms:
        siblings = Q()
        for prefix in object_forms:
            siblings |= Q(leika_key__startswith=prefix)
        keys.update(Service.objects.filter(siblings).values_list("leika_key", flat=True))
    linked = LocalService.objects.exclude(online_level=OnlineLevel.INFORMATION).values_list(
        "service__leika_key", "online_url"
    )
    for key, url in linked:
        if internal_path(key) or (url and not is_own_host_url(url)):
            keys.add(key)
    return keys
