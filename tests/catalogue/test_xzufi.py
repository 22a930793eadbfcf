"""XZuFi 2.2 exchange: export per tenant (structure checked here, no official XSD at hand),
import of texts into the shared catalogue, round trip, the CLI and the harvesting URL."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings

from kreisportal.cli import main
from services.local.models import LocalService, Office
from services.models import Service
from services.xzufi import NAMESPACE
from services.xzufi.export import ars_of, build_export, export_page_count
from services.xzufi.importer import XzufiImportError, import_xzufi, parse_xzufi
from services.xzufi.modules import AGS_SCHEME, ARS_SCHEME, EXCHANGED_FIELDS, MODULES

NS = {"x": NAMESPACE}
LEIKA = "99050012104000"  # a service with texts that every demo municipality offers


def q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def catalogue_texts() -> dict[str, dict]:
    return {
        s["leika_key"]: {f: s[f] for f in EXCHANGED_FIELDS}
        for s in Service.objects.values("leika_key", *EXCHANGED_FIELDS)
    }


@pytest.fixture
def erkelenz_export(tenant, in_tenant):
    with in_tenant("erkelenz"):
        return build_export(tenant=tenant("erkelenz"))


def test_export_has_the_xzufi_structure(erkelenz_export, tenant, in_tenant):
    root = ET.fromstring(erkelenz_export)
    assert root.tag == q("transfer.operation.040101")
    assert root.get("xzufiVersion") == "2.2.0"
    assert erkelenz_export.startswith(b"<?xml")
    assert len(root.findall("x:nachrichtenkopf", NS)) == 1
    (write,) = root.findall("x:schreibe", NS)
    # every element of ours is in the XZuFi namespace, code children of code types unqualified
    for element in root.iter():
        assert element.tag.startswith(f"{{{NAMESPACE}}}") or element.tag == "code", element.tag

    services = write.findall("x:leistung", NS)
    assert len(services) == Service.objects.count()
    known_codes = {m.code for m in MODULES}
    for leistung in services:
        assert leistung.find("x:id", NS).text.startswith("L-")
        key = leistung.find("x:referenzLeiKa/code", NS).text
        assert len(key) == 14 and key.isdigit()
        modules = leistung.findall("x:modulText", NS)
        codes = [m.find("x:leikaTextmodul/code", NS).text for m in modules]
        assert "02" in codes, key  # the name, always
        assert set(codes) <= known_codes and len(codes) == len(set(codes))
        for modul in modules:
            assert modul.find("x:positionDarstellung", NS).text.isdigit()
            inhalte = modul.findall("x:inhalt", NS)
            assert inhalte and all(i.get("languageCode") in {"de", "en"} for i in inhalte)
            assert all((i.text or "").strip() for i in inhalte)

    sample = next(s for s in services if s.find("x:referenzLeiKa/code", NS).text == LEIKA)
    service = Service.objects.get(leika_key=LEIKA)
    by_code = {
        m.find("x:leikaTextmodul/code", NS).text: m for m in sample.findall("x:modulText", NS)
    }
    assert by_code["02"].find("x:inhalt[@languageCode='de']", NS).text == service.name
    assert by_code["04"].find("x:inhalt", NS).text == service.full_text

    units = write.findall("x:organisationseinheit", NS)
    erkelenz = tenant("erkelenz")
    with in_tenant("erkelenz"):
        offices = {str(o.id): o for o in Office.objects.all()}
        offered_self = set(
            LocalService.objects.filter(offered=True, responsibility="self").values_list(
                "service__leika_key", flat=True
            )
        )
        online = set(
            LocalService.objects.filter(offered=True)
            .exclude(online_url="")
            .values_list("service__leika_key", flat=True)
        )
    assert {u.find("x:id", NS).text for u in units} == {erkelenz.slug, *offices}
    responsible = set()
    for unit in units:
        assert unit.find("x:name/x:name", NS).text
        office = offices.get(unit.find("x:id", NS).text)
        if office is not None:
            assert unit.find("x:anschrift/x:strasse", NS).text == office.street
            assert unit.find("x:anschrift/x:postleitzahl", NS).text == office.postcode
            assert len(unit.findall("x:oeffnungszeiten/x:zeitraum", NS)) == len(
                office.opening_hours
            )
        for zustaendigkeit in unit.findall("x:zustaendigkeit", NS):
            assert zustaendigkeit.find("x:gebietID", NS).text == erkelenz.ags
            responsible.add(zustaendigkeit.find("x:leistungID", NS).text.removeprefix("L-"))
    assert responsible == offered_self and responsible
    assert any(u.find("x:anschrift", NS) is not None for u in units)

    onlinedienste = write.findall("x:onlinedienst", NS)
    assert {o.find("x:leistungID", NS).text.removeprefix("L-") for o in onlinedienste} == online
    for dienst in onlinedienste:
        assert dienst.find("x:link/x:typ/code", NS).text == "01"
        assert dienst.find("x:link/x:link", NS).text.startswith("http")


def test_parsed_export_equals_the_catalogue(erkelenz_export):
    parsed = parse_xzufi(erkelenz_export)
    expected = catalogue_texts()
    assert parsed.keys() == expected.keys()
    for key, values in parsed.items():
        # a module without text is not written: the field reads back as empty
        full = {f: expected[key][f] for f in EXCHANGED_FIELDS}
        assert {**{f: type(full[f])() for f in EXCHANGED_FIELDS}, **values} == full, key


def test_round_trip_into_an_empty_catalogue(erkelenz_export, in_tenant):
    before = catalogue_texts()
    with in_tenant("erkelenz"):
        local_before = list(LocalService.objects.order_by("id").values())
    # empty every exchanged text (services cannot be deleted: tenants refer to them)
    Service.objects.update(
        **{m.field: "" if m.kind == "text" else [] for m in MODULES if m.field != "name"},
        name="",
        synonyms=[],
    )
    report = import_xzufi(data=erkelenz_export)
    assert report.changed == len(before) and report.added == 0
    assert catalogue_texts() == before
    # idempotent: the same file again changes nothing
    again = import_xzufi(data=erkelenz_export)
    assert (again.added, again.changed, again.unchanged) == (0, 0, len(before))
    assert "0 neu, 0 geändert" in again.summary()
    with in_tenant("erkelenz"):
        assert list(LocalService.objects.order_by("id").values()) == local_before


def _document(leistungen: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<xzufi:transfer.operation.040101 xmlns:xzufi="{NAMESPACE}" xzufiVersion="2.2.0">'
        f"<xzufi:nachrichtenkopf/><xzufi:schreibe>{leistungen}</xzufi:schreibe>"
        f"</xzufi:transfer.operation.040101>"
    ).encode()


def _leistung(key: str, *modules: tuple[str, str, str]) -> str:
    texts = "".join(
        f"<xzufi:modulText><xzufi:leikaTextmodul><code>{code}</code></xzufi:leikaTextmodul>"
        f'<xzufi:inhalt languageCode="{lang}">{text}</xzufi:inhalt></xzufi:modulText>'
        for code, lang, text in modules
    )
    reference = f"<xzufi:referenzLeiKa><code>{key}</code></xzufi:referenzLeiKa>"
    return f"<xzufi:leistung>{reference}{texts}</xzufi:leistung>"


def test_import_adds_changes_per_module_and_language(db):
    service = Service.objects.get(leika_key=LEIKA)
    data = _document(
        _leistung(
            LEIKA,
            ("14", "de", "Neuer Kurztext"),
            ("02", "en", "New English name"),
            ("99", "de", "unbekannt"),
            ("04", "fr", "texte"),
        )
        + _leistung(
            "99999999999901",
            ("02", "de", "Neue Leistung"),
            ("05", "de", "&lt;ul&gt;&lt;li&gt;Ausweis&lt;/li&gt;&lt;/ul&gt;"),
        )
    )
    report = import_xzufi(data=data)
    assert (report.added, report.changed, report.unchanged) == (1, 1, 0)
    assert report.ignored_modules == {"99/de", "04/fr"}
    changed = Service.objects.get(leika_key=LEIKA)
    assert changed.short_text == "Neuer Kurztext" and changed.name_en == "New English name"
    # modules the file does not carry stay as they were
    assert changed.full_text == service.full_text and changed.name == service.name
    added = Service.objects.get(leika_key="99999999999901")
    assert added.name == "Neue Leistung" and added.documents == ["Ausweis"]


@pytest.mark.parametrize(
    ("data", "path"),
    [
        (b"<not xml", "kein wohlgeformtes XML"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "DOCTYPE"),
        (b"<transfer xmlns='urn:other'/>", "/transfer: kein XZuFi-2.2-Dokument"),
        (_document("").replace(b"<xzufi:schreibe></xzufi:schreibe>", b""), "/schreibe: Pflicht"),
        (
            _document(_leistung(LEIKA, ("14", "de", "ok")) + "<xzufi:leistung/>"),
            "/transfer.operation.040101/schreibe[1]/leistung[2]/referenzLeiKa: Pflichtelement",
        ),
        (
            _document(_leistung("123", ("02", "de", "x"))),
            "/schreibe[1]/leistung[1]/referenzLeiKa/code: LeiKa-Schlüssel '123'",
        ),
        (
            _document(_leistung(LEIKA, ("14", "", "x"))),
            "/leistung[1]/modulText[1]/inhalt[1]/@languageCode: Pflichtattribut fehlt",
        ),
        (
            _document(
                _leistung(LEIKA, ("14", "de", "x")) + _leistung("99999999999902", ("14", "de", "y"))
            ),
            "neue Leistung ohne Leistungsbezeichnung",
        ),
    ],
)
def test_malformed_input_names_the_element_and_imports_nothing(db, data, path):
    before = catalogue_texts()
    with pytest.raises(XzufiImportError, match=path.replace("[", r"\[").replace("(", r"\(")):
        import_xzufi(data=data)
    assert catalogue_texts() == before


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_export_and_import(capsys, db, tmp_path):
    target = tmp_path / "erkelenz.xml"
    code, out, _ = run(
        capsys, "catalogue", "export-xzufi", "--tenant", "erkelenz", "--output", str(target)
    )
    assert code == 0 and "XZuFi-Export erkelenz" in out and "MB" in out
    assert ET.parse(target).getroot().tag == q("transfer.operation.040101")
    code, out, _ = run(capsys, "catalogue", "import-xzufi", str(target))
    assert code == 0 and f"0 neu, 0 geändert, {Service.objects.count()} unverändert" in out

    code, _, err = run(capsys, "catalogue", "export-xzufi", "--tenant", "aachen")
    assert (
        code == 1 and err.strip() == "kreisportal: error: kein Mandant mit dem Kurznamen 'aachen'"
    )
    bad = tmp_path / "bad.xml"
    bad.write_bytes(_document(_leistung("123")))
    code, _, err = run(capsys, "catalogue", "import-xzufi", str(bad))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "leistung[1]/referenzLeiKa/code" in err and "nichts importiert" in err
    code, _, err = run(capsys, "catalogue", "import-xzufi", str(tmp_path / "missing.xml"))
    assert code == 1 and "Datei nicht gefunden" in err


def test_harvesting_url_on_the_tenant_host_only(client, db):
    response = client.get("/xzufi.xml", HTTP_HOST=f"erkelenz.{settings.BASE_DOMAIN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.find("x:nachrichtenkopf/x:absender", NS).get("kennung") == "erkelenz"
    assert (
        client.post("/xzufi.xml", HTTP_HOST=f"erkelenz.{settings.BASE_DOMAIN}").status_code == 405
    )
    assert client.get("/xzufi.xml", HTTP_HOST=settings.BASE_DOMAIN).status_code == 404


def test_cli_catalogue_import_is_still_the_management_command(capsys, db):
    code, out, _ = run(capsys, "catalogue", "rebuild-finder")
    assert code == 0 and "finder read model rebuilt" in out


# --- paged export, areas by AGS and ARS, the district's responsibilities, what is not imported


def _objects(document: bytes) -> list[str]:
    """The ids of the document's objects in order ("leistung:L-…", "organisationseinheit:…")."""
    write = ET.fromstring(document).find("x:schreibe", NS)
    return [f"{child.tag.split('}')[1]}:{child.find('x:id', NS).text}" for child in write]


def test_ars_of_municipalities_and_the_district():
    assert ars_of("05370004") == "053700004004"  # Erkelenz: verbandsfrei, Verband "0" + 004
    assert ars_of("05370") == "053700000000"  # the Kreis
    assert ars_of("") == "" and ars_of("0537x004") == ""


def test_paged_export_holds_every_object_once(erkelenz_export, tenant, in_tenant):
    everything = _objects(erkelenz_export)
    erkelenz = tenant("erkelenz")
    with in_tenant("erkelenz"):
        pages = export_page_count(page_size=2000)
        documents = [
            build_export(tenant=erkelenz, page=n, page_size=2000) for n in range(1, pages + 1)
        ]
        with pytest.raises(ValueError):
            build_export(tenant=erkelenz, page=0)
    assert pages == -(-len(everything) // 2000) and pages >= 3
    paged = [item for document in documents for item in _objects(document)]
    assert paged == everything
    assert all(len(_objects(d)) <= 2000 for d in documents)
    # each page is a complete document the importer reads
    assert sum(len(parse_xzufi(d)) for d in documents) == Service.objects.count()
    # the last page carries the organisational units and the online services
    assert any(item.startswith("organisationseinheit:") for item in _objects(documents[-1]))


def test_responsibilities_name_the_area_by_ags_and_ars(erkelenz_export):
    write = ET.fromstring(erkelenz_export).find("x:schreibe", NS)
    zustaendigkeiten = write.findall("x:organisationseinheit/x:zustaendigkeit", NS)
    assert zustaendigkeiten
    for zustaendigkeit in zustaendigkeiten:
        areas = {(g.get("schemeID"), g.text) for g in zustaendigkeit.findall("x:gebietID", NS)}
        assert areas == {(AGS_SCHEME, "05370004"), (ARS_SCHEME, "053700004004")}


def test_district_services_are_responsible_for_every_municipality(tenant, in_tenant):
    from tenants.models import Tenant

    municipalities = set(
        Tenant.objects.filter(kind=Tenant.Kind.MUNICIPALITY).values_list("ags", flat=True)
    )
    assert len(municipalities) == 10
    with in_tenant("kreis"):
        own = set(
            LocalService.objects.filter(offered=True, responsibility="self").values_list(
                "service__leika_key", flat=True
            )
        )
        document = build_export(tenant=tenant("kreis"))
    assert own
    write = ET.fromstring(document).find("x:schreibe", NS)
    zustaendigkeiten = write.findall("x:organisationseinheit/x:zustaendigkeit", NS)
    assert {z.find("x:leistungID", NS).text.removeprefix("L-") for z in zustaendigkeiten} == own
    for zustaendigkeit in zustaendigkeiten:
        ids = zustaendigkeit.findall("x:gebietID", NS)
        assert {g.text for g in ids if g.get("schemeID") == AGS_SCHEME} == municipalities
        assert {g.text for g in ids if g.get("schemeID") == ARS_SCHEME} == {
            ars_of(ags) for ags in municipalities
        }


def test_harvesting_url_pages(client, db, tenant, in_tenant):
    host = f"erkelenz.{settings.BASE_DOMAIN}"
    with in_tenant("erkelenz"):
        pages = export_page_count(page_size=2000)
    first = client.get("/xzufi.xml", {"seite": 1, "seitengroesse": 2000}, HTTP_HOST=host)
    assert first.status_code == 200 and first["X-Seiten"] == str(pages)
    assert '</xzufi.xml?seite=2&seitengroesse=2000>; rel="next"' in first["Link"]
    assert 'rel="prev"' not in first["Link"]
    assert len(_objects(first.content)) == 2000
    last = client.get("/xzufi.xml", {"seite": pages, "seitengroesse": 2000}, HTTP_HOST=host)
    assert last.status_code == 200 and 'rel="next"' not in last["Link"]
    assert "xzufi-erkelenz-00" in last["Content-Disposition"]
    beyond = client.get("/xzufi.xml", {"seite": pages + 1, "seitengroesse": 2000}, HTTP_HOST=host)
    assert beyond.status_code == 404 and "gibt es nicht" in beyond.json()["error"]
    for params in ({"seite": "abc"}, {"seite": "0"}, {"seite": 1, "seitengroesse": 999999}):
        refused = client.get("/xzufi.xml", params, HTTP_HOST=host)
        assert refused.status_code == 400 and refused.json()["error"], params


def test_cli_export_in_pages(capsys, db, tmp_path):
    target = tmp_path / "erkelenz.xml"
    code, out, _ = run(
        capsys, "catalogue", "export-xzufi", "--tenant", "erkelenz", "--output", str(target),
        "--page-size", "2000",
    )  # fmt: skip
    files = sorted(tmp_path.glob("erkelenz-*.xml"))
    assert code == 0 and f"{len(files)} Seiten" in out and len(files) >= 3
    assert files[0].name == "erkelenz-001.xml"
    assert sum(len(parse_xzufi(f.read_bytes())) for f in files) == Service.objects.count()
    code, _, err = run(
        capsys, "catalogue", "export-xzufi", "--tenant", "erkelenz", "--page-size", "10"
    )
    assert code == 1 and "braucht --output" in err


def test_units_and_online_services_are_reported_not_imported(tenant, in_tenant):
    with in_tenant("erkelenz"):
        offered = LocalService.objects.filter(offered=True).order_by("service_id").first()
        offered.online_url = "https://formulare.example/erkelenz/antrag"
        offered.save(update_fields=["online_url"])
        document = build_export(tenant=tenant("erkelenz"))
    write = ET.fromstring(document).find("x:schreibe", NS)
    units = len(write.findall("x:organisationseinheit", NS))
    online = len(write.findall("x:onlinedienst", NS))
    assert units and online
    with in_tenant("erkelenz"):
        offices_before = list(Office.objects.order_by("id").values())
        local_before = list(LocalService.objects.order_by("id").values())
    with in_tenant("gangelt"):
        gangelt_before = Office.objects.count()
    report = import_xzufi(data=document)
    assert report.not_imported == {"organisationseinheit": units, "onlinedienst": online}
    assert (
        f"nicht übernommen (pflegen die Redaktionen der Portale): {units} "
        f"Organisationseinheiten, {online} Onlinedienste" in report.summary()
    )
    with in_tenant("erkelenz"):
        assert list(Office.objects.order_by("id").values()) == offices_before
        assert list(LocalService.objects.order_by("id").values()) == local_before
    with in_tenant("gangelt"):
        assert Office.objects.count() == gangelt_before


def test_malformed_unit_names_its_path_and_imports_nothing(db):
    before = catalogue_texts()
    data = _document(
        _leistung(LEIKA, ("14", "de", "Geänderter Kurztext"))
        + "<xzufi:organisationseinheit><xzufi:name/></xzufi:organisationseinheit>"
    )
    with pytest.raises(XzufiImportError, match=r"schreibe\[1\]/organisationseinheit\[1\]/id"):
        import_xzufi(data=data)
    assert catalogue_texts() == before
