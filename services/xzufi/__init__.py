"""XZuFi 2.2 exchange of the catalogue: export per tenant, import into the shared catalogue.

Structure followed
------------------
No official XSD was reachable. The element structure follows what public XZuFi 2.2 consumers read
from real PVOG / state editorial system deliveries, looked up with the `search` tool (corpus
`code`, queries "xzufi 2_2_0 Leistung Textmodul leikaTextmodul Modultext Organisationseinheit
Zustaendigkeit Onlinedienst" and the exact string "leikaTextmodul"): a Python PVOG dump parser
(ElementTree, namespace prefix ``xzufi22``) and several TypeScript readers of the PVOG REST
representation of a Leistung. We learned the shape from them and wrote our own code:

- root element in the namespace ``http://xoev.de/schemata/xzufi/2_2_0`` with the attribute
  ``xzufiVersion`` ("2.2.0"), one ``nachrichtenkopf`` and a ``schreibe`` holding the objects;
- ``leistung``: ``id`` (with ``schemeAgencyID``), ``referenzLeiKa/code`` (the 14-digit key; code
  children of XÖV code types are *unqualified*), repeated ``modulText`` each with
  ``leikaTextmodul/code``, ``positionDarstellung`` and one ``inhalt`` per language
  (``languageCode`` attribute), synonyms in ``modulBegriffImKontext/begriffImKontext/begriff``;
- ``organisationseinheit``: ``id``, ``name/name``, repeated ``zustaendigkeit`` with
  ``leistungID`` and repeated ``gebietID`` — each area twice, by its AGS (``schemeID`` the
  destatis AGS list) and by its 12-digit ARS (Regionalschlüssel, ``schemeID``
  ``urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs``, named by analogy with the
  destatis "bundesland" list found in public code, not checked against XRepository). NRW's
  municipalities belong to no Gemeindeverband, so ARS = Kreis + "0" + Gemeindekennziffer twice
  (Erkelenz 05370004 → 053700004004). A municipality's responsibilities name its own area; the
  district's (Kreis Heinsberg's own services) name every municipality of the Kreis;
- ``onlinedienst``: ``id``, ``bezeichnung``, ``link`` with ``typ/code`` (code list
  ``urn:xoev-de:fim:codeliste:onlinedienstlinktyp``, 01) and ``link``.

LeiKa text module codes (code list "LeiKa-Textmodul"): 02 Leistungsbezeichnung is confirmed by
the public readers (they take the name from it); the others are the numbering of the FIM
Stammtext modules as we know it (04 Volltext, 05 Erforderliche Unterlagen, 06 Voraussetzungen,
07 Kosten, 08 Verfahrensablauf, 10 Fristen, 12 Hinweise, 14 Kurztext, 18 Rechtsgrundlagen) and
were not checked against the official code list. Simplifications of our own, not taken from a
source: the address (``anschrift``: ``strasse``, ``postleitzahl``, ``ort``), the contacts
(``kommunikation`` with ``kanal/code`` 01 telephone, 02 e-mail, ``kennung``) and the opening
hours (``oeffnungszeiten/zeitraum`` with ``wochentag/code`` 1–7, ``beginn``, ``ende``) of an
organisational unit; list-like text modules (documents, prerequisites, procedure, legal basis)
are HTML lists (``<ul><li>…</li></ul>``) inside ``inhalt``, as editorial systems deliver them.

Paging (our decision, no source): the objects — Leistungen by LeiKa key, then the
organisational units, then the online services — are numbered in that order; page N of size S
holds objects (N-1)·S to N·S-1 and is a complete document of its own (`build_export(page=…)`,
`kreisportal catalogue export-xzufi --page-size S --output F` writes F-001.xml, F-002.xml, …,
`/xzufi.xml?seite=N&seitengroesse=S` links the pages in the HTTP `Link` header).

Import (our decision): only the texts of Leistungen go into the shared catalogue. Organisational
units (with their responsibilities) and online services in a delivery are checked for an ``id``
and reported as "nicht übernommen": they are one authority's offices, hours and links, which the
tenants' editors keep in their own portal; a state delivery neither overwrites tenants' local
data nor guesses which tenant a unit belongs to.
"""

NAMESPACE = "http://xoev.de/schemata/xzufi/2_2_0"
XZUFI_VERSION = "2.2.0"
