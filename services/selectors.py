"""Reads on the catalogue. In a tenant's schema the local extension is joined in; on the public
host (no local tables) only the shared part is read."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.text import slugify

from services.local.models import LocalService, Office
from services.models import LifeSituation, Service, Topic, initial_of
from tenants import selectors as tenant_selectors
from tenants.models import Tenant
from tenants.selectors import in_tenant_schema

LETTERS = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#"]


def access_service(leika_key: str) -> Service:
    """The service the citizen names by its 14-digit key; 404 for anything else (a longer
    string that merely starts with a key included)."""
    key = str(leika_key)
    if not (len(key) == 14 and key.isascii() and key.isdigit()):
        raise Http404("Leistung nicht gefunden")
    service = (
        Service.objects.select_related("topic", "life_situation").filter(leika_key=key).first()
    )
    if service is None:
        raise Http404("Leistung nicht gefunden")
    return service


def service_exists(leika_key: str) -> bool:
    key = str(leika_key)
    return (
        len(key) == 14
        and key.isascii()
        and key.isdigit()
        and Service.objects.filter(leika_key=key).exists()
    )


def local_part(service: Service) -> LocalService | None:
    if not in_tenant_schema():
        return None
    return (
        LocalService.objects.select_related("office", "application_form")
        .filter(service=service)
        .first()
    )


def online_application(local: LocalService | None):
    """The tenant's own active online application form for the service, if any."""
    form = getattr(local, "application_form", None) if local is not None else None
    return form if form is not None and form.active else None


def with_offered(queryset: QuerySet[Service]) -> QuerySet[Service]:
    if not in_tenant_schema():
        return queryset
    offered = LocalService.objects.filter(service=OuterRef("pk"), offered=True)
    return queryset.annotate(offered=Exists(offered))


def services_by_initial(letter: str) -> QuerySet[Service]:
    letter = letter.upper()
    if letter not in LETTERS:
        raise Http404("Unbekannter Buchstabe")
    if letter == "#":
        queryset = Service.objects.exclude(name__iregex=r"^[a-zäöü]")
    else:
        umlaut = {"A": "Ä", "O": "Ö", "U": "Ü"}.get(letter, "")
        pattern = f"^[{letter}{letter.lower()}{umlaut}{umlaut.lower()}]"
        queryset = Service.objects.filter(name__regex=pattern)
    return with_offered(queryset.only("leika_key", "name", "short_text").order_by("name"))


def access_topic(slug: str) -> Topic:
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        raise Http404("Thema nicht gefunden")
    return topic


def _renamed(model, slug: str):
    """The row whose slug was made without transliteration before (migration 0004:
    "eheschlieung" is now "eheschliessung"), so that old links redirect."""
    if not slug or model.objects.filter(slug=slug).exists():
        return None
    for row in model.objects.only("name", "slug"):
        if slugify(row.name.replace("&", "und")) == slug and row.slug != slug:
            return row
    return None


def renamed_topic(slug: str) -> Topic | None:
    return _renamed(Topic, slug)


def renamed_life_situation(slug: str) -> LifeSituation | None:
    return _renamed(LifeSituation, slug)


def access_life_situation(slug: str) -> LifeSituation:
    situation = LifeSituation.objects.filter(slug=slug).first()
    if situation is None:
        raise Http404("Lebenslage nicht gefunden")
    return situation


def services_in(**filters) -> QuerySet[Service]:
    return with_offered(
        Service.objects.filter(**filters).only("leika_key", "name", "short_text").order_by("name")
    )


def portal_url(tenant: Tenant, *, scheme: str, port: str, path: str = "/") -> str:
    return tenant_selectors.portal_url(tenant, path, scheme=scheme, port=port)


def district_tenant() -> Tenant | None:
    return Tenant.objects.district()


def offices() -> QuerySet[Office]:
    return Office.objects.order_by("name")


__all__ = ["LETTERS", "initial_of"]
