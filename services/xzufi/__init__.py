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
  ``leistungID`` and ``gebietID`` (the area by its AGS);
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
"""

NAMESPACE = "http://xoev.de/schemata/xzufi/2_2_0"
XZUFI_VERSION = "2.2.0"
