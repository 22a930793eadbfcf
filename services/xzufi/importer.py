"""Import of XZuFi 2.2 files into the shared catalogue (public schema).

Only the texts travel: per text module and language into the fields of `Service`
(services/xzufi/modules.py), synonyms from the terms in context. A module a file does not carry
leaves its field as it is, so a second import of the same file changes nothing. Tenants' local
data (offices, local services) is never read nor written. One transaction: a malformed file
gives one error naming the element path, and nothing is imported.

Organisational units, their responsibilities and online services in a delivery are checked
(each needs its ``id``; a malformed one is an error like any other) and *reported as not
imported*: they describe one authority's offices, hours and links, which each tenant's editors
maintain in their own portal (its local catalogue, its data), and a state delivery must not
overwrite them or guess which tenant a unit belongs to. The report names how many there were.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from django.db import transaction

from services.hooks import catalogue_changed
from services.models import LEIKA_KEY_PATTERN, Service
from services.search import refresh_search_columns
from services.xzufi import NAMESPACE
from services.xzufi.modules import (
    BY_CODE_AND_LANGUAGE,
    SYNONYM_LIMIT,
    ModuleValueError,
    from_inhalt,
)


class XzufiImportError(Exception):
    """The file cannot be imported; the message names the element path."""


@dataclass
class XzufiImportReport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    ignored_modules: set[str] = field(default_factory=set)
    # objects a delivery carries that stay with the tenants' editors: {"organisationseinheit": n}
    not_imported: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        text = f"{self.added} neu, {self.changed} geändert, {self.unchanged} unverändert"
        if self.ignored_modules:
            text += f"; nicht übernommene Textmodule: {', '.join(sorted(self.ignored_modules))}"
        if self.not_imported:
            counts = ", ".join(
                f"{count} {NOT_IMPORTED_LABELS[tag]}" for tag, count in self.not_imported.items()
            )
            text += f"; nicht übernommen (pflegen die Redaktionen der Portale): {counts}"
        return text


NOT_IMPORTED_LABELS = {
    "organisationseinheit": "Organisationseinheiten",
    "onlinedienst": "Onlinedienste",
}


def q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _refuse_dtd(data: bytes) -> None:
    """No document type declarations or entities: no entity expansion, no external fetches."""
    parser = expat.ParserCreate()

    def refuse(*_args):
        raise XzufiImportError("Dokumenttyp-Deklarationen (DOCTYPE/ENTITY) sind nicht erlaubt")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XzufiImportError(
            f"kein wohlgeformtes XML (Zeile {exc.lineno}, Spalte {exc.offset + 1}: "
            f"{expat.ErrorString(exc.code)})"
        ) from exc


def _one(parent: ET.Element, tag: str, path: str, *, required: bool = True) -> ET.Element | None:
    found = parent.findall(tag if tag == "code" else q(tag))
    if len(found) > 1:
        raise XzufiImportError(f"{path}/{tag}: Element mehrfach vorhanden, erwartet genau eines")
    if not found:
        if required:
            raise XzufiImportError(f"{path}/{tag}: Pflichtelement fehlt")
        return None
    return found[0]


def _text_of(parent: ET.Element, tag: str, path: str) -> str:
    element = _one(parent, tag, path)
    value = (element.text or "").strip()
    if not value:
        raise XzufiImportError(f"{path}/{tag}: Pflichtelement ist leer")
    return value


def parse_xzufi(data: bytes) -> dict[str, dict]:
    """{leika_key: {field: value}} of every leistung in the document; raises XzufiImportError."""
    return _parse(data, ignored=set())


def _check_not_imported(write: ET.Element, path: str, not_imported: dict[str, int]) -> None:
    """Organisational units and online services: well-formed (an id each), counted, not kept."""
    for tag in NOT_IMPORTED_LABELS:
        for index, element in enumerate(write.findall(q(tag)), start=1):
            _text_of(element, "id", f"{path}/{tag}[{index}]")
            not_imported[tag] = not_imported.get(tag, 0) + 1


def _parse(
    data: bytes, *, ignored: set[str], not_imported: dict[str, int] | None = None
) -> dict[str, dict]:
    _refuse_dtd(data)
    root = ET.fromstring(data)
    path = f"/{_local(root.tag)}"
    if not root.tag.startswith(f"{{{NAMESPACE}}}"):
        namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else "(keiner)"
        raise XzufiImportError(
            f"{path}: kein XZuFi-2.2-Dokument (Namensraum {namespace}, erwartet {NAMESPACE})"
        )
    version = root.get("xzufiVersion", "")
    if version and not version.startswith("2.2"):
        raise XzufiImportError(f"{path}/@xzufiVersion: Version {version} wird nicht unterstützt")
    services: dict[str, dict] = {}
    writes = root.findall(q("schreibe"))
    if not writes:
        raise XzufiImportError(f"{path}/schreibe: Pflichtelement fehlt")
    for w_index, write in enumerate(writes, start=1):
        w_path = f"{path}/schreibe[{w_index}]"
        _check_not_imported(write, w_path, {} if not_imported is None else not_imported)
        for l_index, element in enumerate(write.findall(q("leistung")), start=1):
            l_path = f"{w_path}/leistung[{l_index}]"
            key, values = _parse_leistung(element, l_path, ignored)
            if key in services and services[key] != values:
                raise XzufiImportError(
                    f"{l_path}/referenzLeiKa: Leistung {key} mehrfach mit verschiedenem Inhalt"
                )
            services[key] = values
    return services


def _parse_leistung(element: ET.Element, path: str, ignored: set[str]) -> tuple[str, dict]:
    reference = _one(element, "referenzLeiKa", path)
    key = _text_of(reference, "code", f"{path}/referenzLeiKa")
    if not re.match(LEIKA_KEY_PATTERN, key):
        raise XzufiImportError(
            f"{path}/referenzLeiKa/code: LeiKa-Schlüssel {key!r} ist nicht 14-stellig numerisch"
        )
    values: dict[str, object] = {}
    for m_index, modul in enumerate(element.findall(q("modulText")), start=1):
        m_path = f"{path}/modulText[{m_index}]"
        code = _text_of(_one(modul, "leikaTextmodul", m_path), "code", f"{m_path}/leikaTextmodul")
        for i_index, inhalt in enumerate(modul.findall(q("inhalt")), start=1):
            i_path = f"{m_path}/inhalt[{i_index}]"
            language = (inhalt.get("languageCode") or "").strip().lower()
            if not language:
                raise XzufiImportError(f"{i_path}/@languageCode: Pflichtattribut fehlt")
            module = BY_CODE_AND_LANGUAGE.get((code, language))
            if module is None:
                ignored.add(f"{code}/{language}")
                continue
            if module.field in values:
                raise XzufiImportError(f"{i_path}: Textmodul {code} ({language}) mehrfach")
            text = (inhalt.text or "").strip()
            if module.limit and len(text) > module.limit:
                raise XzufiImportError(f"{i_path}: länger als {module.limit} Zeichen")
            try:
                values[module.field] = from_inhalt(module, text)
            except ModuleValueError as exc:
                raise XzufiImportError(f"{i_path}: {exc}") from exc
    terms = _one(element, "modulBegriffImKontext", path, required=False)
    if terms is not None:
        words = []
        t_path = f"{path}/modulBegriffImKontext"
        for b_index, term in enumerate(terms.findall(q("begriffImKontext")), start=1):
            word_element = _one(term, "begriff", f"{t_path}/begriffImKontext[{b_index}]")
            word = (word_element.text or "").strip()
            if word_element.get("languageCode", "de") != "de" or not word:
                continue
            if len(word) > SYNONYM_LIMIT:
                raise XzufiImportError(
                    f"{t_path}/begriffImKontext[{b_index}]/begriff: "
                    f"länger als {SYNONYM_LIMIT} Zeichen"
                )
            words.append(word)
        values["synonyms"] = words
    return key, values


def read_file(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise XzufiImportError(f"{path}: Datei nicht gefunden") from exc
    except OSError as exc:
        raise XzufiImportError(f"{path}: nicht lesbar ({exc.strerror})") from exc


@transaction.atomic
def import_xzufi(*, data: bytes) -> XzufiImportReport:
    """Texts of every leistung in `data` into the shared catalogue (added/changed/unchanged)."""
    report = XzufiImportReport()
    services = _parse(data, ignored=report.ignored_modules, not_imported=report.not_imported)
    existing = {s.leika_key: s for s in Service.objects.filter(leika_key__in=services)}
    to_create, to_update, fields = [], [], set()
    for key, values in services.items():
        service = existing.get(key)
        if service is None:
            if not values.get("name"):
                raise XzufiImportError(
                    f"leistung {key}: neue Leistung ohne Leistungsbezeichnung "
                    "(modulText mit leikaTextmodul/code 02, languageCode de)"
                )
            to_create.append(Service(leika_key=key, **values))
            report.added += 1
            continue
        changed = [name for name, value in values.items() if getattr(service, name) != value]
        if not changed:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(service, name, values[name])
        fields.update(changed)
        to_update.append(service)
        report.changed += 1
    Service.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        Service.objects.bulk_update(to_update, sorted(fields), batch_size=500)
    if to_create or to_update:
        refresh_search_columns()
        transaction.on_commit(lambda: catalogue_changed.send())
    return report
