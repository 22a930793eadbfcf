"""Which field of the shared catalogue travels in which XZuFi text module, and how a value is
written into an ``inhalt`` and read back from one (see the package docstring for the sources)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

LEIKA_LIST_URI = "urn:de:fim:leika:leistung"
TEXTMODULE_LIST_URI = "urn:de:fim:leika:textmodul"
LINKTYPE_LIST_URI = "urn:xoev-de:fim:codeliste:onlinedienstlinktyp"
AGS_SCHEME = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags"
ARS_SCHEME = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs"


@dataclass(frozen=True)
class Module:
    code: str
    field: str
    language: str
    kind: str  # "text", "list" (list of strings) or "links" (list of {"title", "url"})
    limit: int = 0


MODULES: tuple[Module, ...] = (
    Module("02", "name", "de", "text", 400),
    Module("02", "name_en", "en", "text", 300),
    Module("14", "short_text", "de", "text"),
    Module("04", "full_text", "de", "text"),
    Module("06", "prerequisites", "de", "list"),
    Module("05", "documents", "de", "list"),
    Module("07", "fees", "de", "text"),
    Module("10", "deadlines", "de", "text"),
    Module("08", "procedure", "de", "list"),
    Module("18", "legal_links", "de", "links"),
    Module("12", "hints", "de", "text"),
)
BY_CODE_AND_LANGUAGE = {(m.code, m.language): m for m in MODULES}
# the fields the exchange carries (besides the key); synonyms travel as terms in context
EXCHANGED_FIELDS = (*(m.field for m in MODULES), "synonyms")
SYNONYM_LIMIT = 120

_ITEM = re.compile(r"<li>(.*?)</li>", re.S)
_LINK = re.compile(r'^<a href="([^"]*)">(.*)</a>$', re.S)


def empty_value(module: Module) -> object:
    return "" if module.kind == "text" else []


def to_inhalt(module: Module, value: object) -> str:
    """The text of the ``inhalt`` element; '' when there is nothing to say."""
    if module.kind == "text":
        return str(value or "")
    items = list(value or [])
    if not items:
        return ""
    if module.kind == "list":
        rendered = [html.escape(str(item), quote=False) for item in items]
    else:
        rendered = []
        for link in items:
            title = html.escape(str(link.get("title", "")), quote=False)
            url = link.get("url")
            rendered.append(f'<a href="{html.escape(url)}">{title}</a>' if url else title)
    return "<ul>" + "".join(f"<li>{item}</li>" for item in rendered) + "</ul>"


class ModuleValueError(ValueError):
    """The inhalt of a module cannot be read as the module's kind."""


def from_inhalt(module: Module, text: str) -> object:
    if module.kind == "text":
        return text
    text = text.strip()
    if not text:
        return []
    if not (text.startswith("<ul>") and text.endswith("</ul>")):
        # a plain text where we expect a list: one item per non-empty line
        lines = [line.strip() for line in re.sub(r"<[^>]+>", "\n", text).splitlines()]
        items = [html.unescape(line) for line in lines if line]
    else:
        items = [item for item in _ITEM.findall(text)]
        if module.kind == "list":
            items = [html.unescape(item) for item in items]
    if module.kind == "list":
        return items
    links = []
    for item in items:
        match = _LINK.match(item)
        if match:
            links.append({"title": html.unescape(match[2]), "url": html.unescape(match[1])})
        else:
            links.append({"title": html.unescape(item)})
    return links
