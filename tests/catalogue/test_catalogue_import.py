"""`kreisportal catalogue import`: idempotent, one transaction, clear errors naming the row."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from services.catalogue_import import CatalogueImportError, import_catalogue
from services.models import LifeSituation, Service, Topic


def test_full_file_is_imported_once(db):
    assert Service.objects.count() == 4813
    assert Topic.objects.count() == 14  # 14 named topics; 16 rows have none
    assert LifeSituation.objects.count() == 55  # 55 named; some rows have none
    service = Service.objects.get(leika_key="99102013000000")
    assert service.name == "Hundesteuer"
    assert service.topic.name and service.life_situation.name == "Tierhaltung"


def test_second_run_changes_nothing_and_says_so(db, capsys):
    before = list(Service.objects.order_by("pk").values_list("pk", "name", "search_terms"))
    call_command("catalogue", "import")
    out = capsys.readouterr().out
    assert "0 added, 0 changed, 4813 unchanged, 0 skipped" in out
    assert "nothing to do" in out
    assert list(Service.objects.order_by("pk").values_list("pk", "name", "search_terms")) == before


def _write(tmp_path, rows) -> str:
    path = tmp_path / "services.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return str(path)


ROW = {
    "leika_key": "99008001012000",
    "name": "Personalausweis Ausstellung",
    "lebenslage": "Querschnitt Bürger",
    "themenfeld": "Querschnitt",
    "ozg_leistung": "Personalausweis",
    "leika_typ": "2/3",
}


def test_changes_and_additions_are_reported(db, tmp_path):
    rows = [
        {**ROW, "name": "Personalausweis Ausstellung (neu benannt)"},
        {"leika_key": "99999999999901", "name": "Testleistung Musterantrag", "leika_typ": "5"},
        {"leika_key": "99999999999901", "name": "Testleistung Musterantrag", "leika_typ": "5"},
    ]
    report = import_catalogue(_write(tmp_path, rows))
    assert (report.added, report.changed, report.skipped) == (1, 1, 1)
    assert Service.objects.get(leika_key="99008001012000").name.endswith("(neu benannt)")
    assert Service.objects.get(leika_key="99999999999901").default_level == "municipality"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not valid JSON (line 1"),
        (json.dumps({"a": 1}), "expected a JSON list"),
        (
            json.dumps([ROW, {"leika_key": "12345", "name": "X"}]),
            "row 2 (leika_key 12345): leika_key must be 14 digits",
        ),
        (
            json.dumps([ROW, {"leika_key": "99999999999902", "name": ""}]),
            "row 2 (leika_key 99999999999902): field 'name' is missing",
        ),
        (json.dumps([ROW, {"name": "ohne Schlüssel"}]), "row 2: field 'leika_key' is missing"),
        (json.dumps([ROW, "text"]), "row 2: expected an object"),
        (
            json.dumps([ROW, {**ROW, "name": "anders"}]),
            "row 2 (leika_key 99008001012000): duplicate leika_key with different content",
        ),
        (
            json.dumps([ROW, {"leika_key": "99999999999903", "name": ["Liste"]}]),
            "field 'name' must be text",
        ),
    ],
)
def test_malformed_files_import_nothing(db, tmp_path, content, message):
    path = tmp_path / "services.json"
    path.write_text(content, encoding="utf-8")
    before = Service.objects.get(leika_key="99008001012000").name
    with pytest.raises(CatalogueImportError) as exc:
        import_catalogue(path)
    assert message in str(exc.value)
    assert Service.objects.get(leika_key="99008001012000").name == before
    assert not Service.objects.filter(leika_key__startswith="999999999999").exists()


def test_command_exits_with_one_readable_line(db, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("catalogue", "import", str(tmp_path / "missing.json"))
    assert "import failed, nothing imported" in str(exc.value) and "file not found" in str(
        exc.value
    )


def test_a_service_that_tenants_refer_to_cannot_be_deleted(db):
    from django.db import IntegrityError, connection, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Service.objects.filter(leika_key="99102013000000").delete()
    assert Service.objects.filter(leika_key="99102013000000").exists()
