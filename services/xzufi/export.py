"""XZuFi 2.2 export of one tenant: the catalogue's services with their texts, the tenant's
offices as organisational units with their responsibilities (service × area, by AGS and ARS:
a municipality's own area; for the district every municipality of the Kreis), and its online
services. Call it in the tenant's schema (``tenant_context``).

Paged: the objects (Leistungen by LeiKa key, then the organisational units, then the online
services) are numbered in that order and page N of size S holds objects (N-1)·S … N·S-1, each
page a complete document of its own; `export_page_count` says how many pages there are."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from math import ceil

from django.db import connection

from services.local.models import LocalService, Office, Responsibility
from services.models import Service
from services.xzufi import NAMESPACE, XZUFI_VERSION
from services.xzufi.modules import (
    AGS_SCHEME,
    ARS_SCHEME,
    LEIKA_LIST_URI,
    LINKTYPE_LIST_URI,
    MODULES,
    TEXTMODULE_LIST_URI,
    to_inhalt,
)

ROOT_TAG = "transfer.operation.040101"
ID_AGENCY = "kreisportal"
DEFAULT_PAGE_SIZE = 1000
ET.register_namespace("xzufi", NAMESPACE)


def q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, q(tag), attrs)
    if text is not None:
        element.text = text
    return element


def _code(parent: ET.Element, tag: str, code: str, list_uri: str) -> ET.Element:
    element = _sub(parent, tag, listURI=list_uri)
    ET.SubElement(element, "code").text = code  # XÖV code children are unqualified
    return element


def service_id(leika_key: str) -> str:
    return f"L-{leika_key}"


def _leistung(parent: ET.Element, service: Service) -> None:
    element = _sub(parent, "leistung")
    _sub(element, "id", service_id(service.leika_key), schemeAgencyID=ID_AGENCY)
    _code(element, "referenzLeiKa", service.leika_key, LEIKA_LIST_URI)
    by_code: dict[str, list[tuple[str, str]]] = {}
    for module in MODULES:
        text = to_inhalt(module, getattr(service, module.field))
        if text:
            by_code.setdefault(module.code, []).append((module.language, text))
    for position, (code, texts) in enumerate(by_code.items(), start=1):
        modul = _sub(element, "modulText")
        _code(modul, "leikaTextmodul", code, TEXTMODULE_LIST_URI)
        _sub(modul, "positionDarstellung", str(position))
        for language, text in texts:
            _sub(modul, "inhalt", text, languageCode=language)
    if service.synonyms:
        terms = _sub(element, "modulBegriffImKontext")
        for word in service.synonyms:
            _sub(_sub(terms, "begriffImKontext"), "begriff", word, languageCode="de")


def ars_of(ags: str) -> str:
    """The 12-digit Amtlicher Regionalschlüssel of a municipality without a Gemeindeverband (all
    of NRW's: Verbandsschlüssel "0" + the Gemeindekennziffer) or of a Kreis (5-digit key, rest
    zeros); "" for anything else."""
    if len(ags) == 8 and ags.isdigit():
        return f"{ags[:5]}0{ags[5:]}{ags[5:]}"
    if len(ags) == 5 and ags.isdigit():
        return f"{ags}0000000"
    return ""


@dataclass(frozen=True)
class Area:
    ags: str
    ars: str


def responsibility_areas(tenant) -> list[Area]:
    """Where the tenant's own services apply: a municipality's area, or for the district the
    areas of all its municipalities (the district's services serve the whole Kreis)."""
    from tenants.models import Tenant

    if tenant.kind == Tenant.Kind.DISTRICT:
        municipalities = Tenant.objects.filter(kind=Tenant.Kind.MUNICIPALITY).exclude(ags="")
        keys = sorted(municipalities.values_list("ags", flat=True))
    else:
        keys = [tenant.ags] if tenant.ags else []
    return [Area(ags=key, ars=ars_of(key)) for key in keys]


def _organisationseinheit(
    parent: ET.Element,
    *,
    unit_id: str,
    name: str,
    office: Office | None,
    keys: list[str],
    areas: list[Area],
) -> None:
    element = _sub(parent, "organisationseinheit")
    _sub(element, "id", unit_id, schemeAgencyID=f"{ID_AGENCY}:{connection.schema_name}")
    _sub(_sub(element, "name"), "name", name, languageCode="de")
    if office is not None:
        address = _sub(element, "anschrift")
        _sub(address, "strasse", office.street)
        _sub(address, "postleitzahl", office.postcode)
        _sub(address, "ort", office.city)
        for channel, value in (("01", office.phone), ("02", office.email)):
            if value:
                contact = _sub(element, "kommunikation")
                _code(contact, "kanal", channel, "urn:xoev-de:fim:codeliste:kommunikationskanal")
                _sub(contact, "kennung", value)
        if office.opening_hours:
            hours = _sub(element, "oeffnungszeiten")
            for slot in sorted(office.opening_hours, key=lambda s: (s["weekday"], s["opens"])):
                span = _sub(hours, "zeitraum")
                _code(span, "wochentag", str(int(slot["weekday"]) + 1), "urn:de:xoev:wochentag")
                _sub(span, "beginn", slot["opens"])
                _sub(span, "ende", slot["closes"])
        if office.appointment_url:
            _sub(element, "terminvereinbarung", office.appointment_url)
    for key in keys:
        responsibility = _sub(element, "zustaendigkeit")
        _sub(responsibility, "leistungID", service_id(key), schemeAgencyID=ID_AGENCY)
        for area in areas:  # each area by its AGS and its ARS
            _sub(responsibility, "gebietID", area.ags, schemeID=AGS_SCHEME)
            if area.ars:
                _sub(responsibility, "gebietID", area.ars, schemeID=ARS_SCHEME)


def _onlinedienst(parent: ET.Element, item: LocalService, tenant) -> None:
    online = _sub(parent, "onlinedienst")
    _sub(online, "id", f"OD-{item.service.leika_key}", schemeAgencyID=f"{ID_AGENCY}:{tenant.slug}")
    _sub(online, "bezeichnung", item.service.name, languageCode="de")
    link = _sub(online, "link")
    _code(link, "typ", "01", LINKTYPE_LIST_URI)
    _sub(link, "link", item.online_url)
    _sub(online, "leistungID", service_id(item.service.leika_key), schemeAgencyID=ID_AGENCY)


def _local_services() -> list[LocalService]:
    return list(
        LocalService.objects.filter(offered=True)
        .select_related("service")
        .only("service__leika_key", "office_id", "responsibility", "online_url", "service__name")
        .order_by("service__leika_key")
    )


def export_page_count(*, page_size: int) -> int:
    """How many pages of `page_size` objects the current tenant's export has (at least 1)."""
    total = (
        Service.objects.count()
        + 1  # the administration itself
        + Office.objects.count()
        + LocalService.objects.filter(offered=True).exclude(online_url="").count()
    )
    return max(1, ceil(total / page_size))


def build_export(*, tenant, page: int | None = None, page_size: int = DEFAULT_PAGE_SIZE) -> bytes:
    """The XZuFi 2.2 document of `tenant` (the current schema must be the tenant's): all of it,
    or only page `page` (from 1) of `page_size` objects."""
    if page is not None and (page < 1 or page_size < 1):
        raise ValueError("page and page_size start at 1")
    start, stop = (0, None) if page is None else ((page - 1) * page_size, page * page_size)

    def window(count: int) -> slice:
        """The part of the next `count` objects that falls on the page; advances the cursor."""
        nonlocal start, stop
        part = slice(max(start, 0), count if stop is None else max(min(stop, count), 0))
        start -= count
        stop = None if stop is None else stop - count
        return part

    root = ET.Element(q(ROOT_TAG), {"xzufiVersion": XZUFI_VERSION, "produkt": "Kreisportal"})
    head = _sub(root, "nachrichtenkopf")
    _sub(head, "erstellungszeitpunkt", datetime.now(UTC).isoformat(timespec="seconds"))
    _sub(head, "absender", tenant.name, kennung=tenant.slug)
    write = _sub(root, "schreibe")

    services = window(Service.objects.count())
    if services.start < services.stop:
        ordered = Service.objects.order_by("leika_key").only("leika_key", *_service_fields())
        for service in ordered[services.start : services.stop]:
            _leistung(write, service)

    local = _local_services()
    by_office: dict[object, list[str]] = {}
    for item in local:
        if item.responsibility == Responsibility.SELF:
            by_office.setdefault(item.office_id, []).append(item.service.leika_key)
    areas = responsibility_areas(tenant)
    # the administration itself holds what no office is named for
    units: list[tuple[str, str, Office | None]] = [(tenant.slug, tenant.name, None)]
    units += [(str(o.id), o.name, o) for o in Office.objects.order_by("name", "id")]
    for unit_id, name, office in units[window(len(units))]:
        _organisationseinheit(
            write,
            unit_id=unit_id,
            name=name,
            office=office,
            keys=by_office.get(office.id if office else None, []),
            areas=areas,
        )
    online = [item for item in local if item.online_url]
    for item in online[window(len(online))]:
        _onlinedienst(write, item, tenant)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _service_fields() -> list[str]:
    return sorted({m.field for m in MODULES} | {"synonyms"})
