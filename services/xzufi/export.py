"""XZuFi 2.2 export of one tenant: the catalogue's services with their texts, the tenant's
offices as organisational units with their responsibilities (service × the tenant's AGS), and
its online services. Call it in the tenant's schema (``tenant_context``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from django.db import connection

from services.local.models import LocalService, Office, Responsibility
from services.models import Service
from services.xzufi import NAMESPACE, XZUFI_VERSION
from services.xzufi.modules import (
    AGS_SCHEME,
    LEIKA_LIST_URI,
    LINKTYPE_LIST_URI,
    MODULES,
    TEXTMODULE_LIST_URI,
    to_inhalt,
)

ROOT_TAG = "transfer.operation.040101"
ID_AGENCY = "kreisportal"
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


def _organisationseinheit(
    parent: ET.Element, *, unit_id: str, name: str, office: Office | None, keys: list[str], ags: str
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
        if ags:
            _sub(responsibility, "gebietID", ags, schemeID=AGS_SCHEME)


def build_export(*, tenant) -> bytes:
    """The XZuFi 2.2 document of `tenant` (the current schema must be the tenant's)."""
    root = ET.Element(q(ROOT_TAG), {"xzufiVersion": XZUFI_VERSION, "produkt": "Kreisportal"})
    head = _sub(root, "nachrichtenkopf")
    _sub(head, "erstellungszeitpunkt", datetime.now(UTC).isoformat(timespec="seconds"))
    _sub(head, "absender", tenant.name, kennung=tenant.slug)
    write = _sub(root, "schreibe")

    for service in Service.objects.order_by("leika_key").only("leika_key", *_service_fields()):
        _leistung(write, service)

    local = list(
        LocalService.objects.filter(offered=True)
        .select_related("service")
        .only("service__leika_key", "office_id", "responsibility", "online_url", "service__name")
        .order_by("service__leika_key")
    )
    by_office: dict[object, list[str]] = {}
    for item in local:
        if item.responsibility == Responsibility.SELF:
            by_office.setdefault(item.office_id, []).append(item.service.leika_key)
    # the administration itself holds what no office is named for
    _organisationseinheit(
        write,
        unit_id=tenant.slug,
        name=tenant.name,
        office=None,
        keys=by_office.get(None, []),
        ags=tenant.ags,
    )
    for office in Office.objects.order_by("name", "id"):
        _organisationseinheit(
            write,
            unit_id=str(office.id),
            name=office.name,
            office=office,
            keys=by_office.get(office.id, []),
            ags=tenant.ags,
        )
    for item in local:
        if not item.online_url:
            continue
        online = _sub(write, "onlinedienst")
        _sub(
            online,
            "id",
            f"OD-{item.service.leika_key}",
            schemeAgencyID=f"{ID_AGENCY}:{tenant.slug}",
        )
        _sub(online, "bezeichnung", item.service.name, languageCode="de")
        link = _sub(online, "link")
        _code(link, "typ", "01", LINKTYPE_LIST_URI)
        _sub(link, "link", item.online_url)
        _sub(online, "leistungID", service_id(item.service.leika_key), schemeAgencyID=ID_AGENCY)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _service_fields() -> list[str]:
    return sorted({m.field for m in MODULES} | {"synonyms"})
