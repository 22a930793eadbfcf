"""Import of the LeiKa catalogue (shared/data/leika/services.json) and our German texts.

Idempotent: a second run changes nothing and says so. One transaction: a malformed file or row
gives a clear error naming the row and imports nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from kreisportal.text import german_slugify
from services.hooks import catalogue_changed
from services.models import LEIKA_KEY_PATTERN, LifeSituation, Service, Topic
from services.responsibility import default_level
from services.search import refresh_search_columns

TEXTS_FILE = Path(__file__).resolve().parent / "content" / "texts_de.json"
NAMES_EN_FILE = Path(__file__).resolve().parent / "content" / "names_en.json"
EVERYDAY_FILE = Path(__file__).resolve().parent / "content" / "everyday_de.json"
TEXT_FIELDS = (
    "short_text",
    "full_text",
    "prerequisites",
    "documents",
    "fees",
    "fee_cents",
    "deadlines",
    "procedure",
    "hints",
    "synonyms",
)
_CATALOGUE_FIELDS = (
    "name",
    "topic_id",
    "life_situation_id",
    "ozg_service",
    "ozg_id",
    "leika_type",
    "authority_type",
    "legal_basis",
    "laws",
    "law_shortcuts",
    "source",
    "default_level",
    "name_en",
    "aliases",
)


class CatalogueImportError(Exception):
    """The file cannot be imported; the message names the file and row."""


@dataclass
class ImportReport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    described: int = 0
    skipped_rows: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.added} added, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.skipped} skipped; {self.described} services with description texts"
        )
        if not self.added and not self.changed:
            text += " — nothing to do, the catalogue is up to date"
        return text


def default_catalogue_file() -> Path:
    return Path(settings.SHARED_DATA_DIR) / "leika" / "services.json"


def _load_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogueImportError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise CatalogueImportError(f"{path}: not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise CatalogueImportError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc


def _text(row: dict, key: str, where: str, *, required: bool = False, limit: int = 0) -> str:
    value = row.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise CatalogueImportError(
            f"{where}: field '{key}' must be text, got {type(value).__name__}"
        )
    value = str(value).strip()
    if required and not value:
        raise CatalogueImportError(f"{where}: field '{key}' is missing or empty")
    if limit and len(value) > limit:
        raise CatalogueImportError(f"{where}: field '{key}' is longer than {limit} characters")
    return value


def parse_rows(path: Path) -> tuple[list[dict], list[str]]:
    """Validated rows (one per key) and the descriptions of skipped duplicate rows."""
    data = _load_json(path)
    if not isinstance(data, list):
        raise CatalogueImportError(f"{path}: expected a JSON list of services")
    rows: dict[str, dict] = {}
    skipped: list[str] = []
    for index, raw in enumerate(data, start=1):
        where = f"{path.name}, row {index}"
        if not isinstance(raw, dict):
            raise CatalogueImportError(f"{where}: expected an object, got {type(raw).__name__}")
        key = _text(raw, "leika_key", where, required=True)
        where = f"{where} (leika_key {key})"
        if not re.match(LEIKA_KEY_PATTERN, key):
            raise CatalogueImportError(f"{where}: leika_key must be 14 digits")
        row = {
            "leika_key": key,
            "name": _text(raw, "name", where, required=True, limit=400),
            "topic": _text(raw, "themenfeld", where, limit=120),
            "life_situation": _text(raw, "lebenslage", where, limit=120),
            "ozg_service": _text(raw, "ozg_leistung", where, limit=300),
            "ozg_id": _text(raw, "ozg_id", where, limit=20),
            "leika_type": _text(raw, "leika_typ", where, limit=20),
            "authority_type": _text(raw, "authority_type", where, limit=200),
            "legal_basis": _text(raw, "legal_basis", where),
            "laws": _text(raw, "laws", where),
            "law_shortcuts": _text(raw, "law_shortcuts", where),
            "source": _text(raw, "source_url_or_repo_path", where, limit=300),
        }
        if key in rows:
            if rows[key] != row:
                raise CatalogueImportError(f"{where}: duplicate leika_key with different content")
            skipped.append(f"row {index}: duplicate of leika_key {key}")
            continue
        rows[key] = row
    return list(rows.values()), skipped


def _lookup(model, names: set[str]) -> dict[str, int]:
    existing = {obj.name: obj.pk for obj in model.objects.filter(name__in=names)}
    for name in sorted(names - existing.keys()):
        slug = german_slugify(name.replace("&", "und")) or "x"
        base, n = slug, 2
        while model.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        existing[name] = model.objects.create(name=name, slug=slug).pk
    return existing


def load_texts(path: Path = TEXTS_FILE) -> dict[str, dict]:
    if not path.exists():
        return {}
    data = _load_json(path)
    if not isinstance(data, dict):
        raise CatalogueImportError(f"{path}: expected an object keyed by leika_key")
    return {key: value for key, value in data.items() if not key.startswith("_")}


def load_vocabulary(
    names_path: Path = NAMES_EN_FILE, everyday_path: Path = EVERYDAY_FILE
) -> dict[str, dict]:
    """English name and search aliases (everyday German, English) per leika_key."""
    vocabulary: dict[str, dict] = {}
    for path, kind in ((names_path, "en"), (everyday_path, "de")):
        if not path.exists():
            continue
        data = _load_json(path)
        if not isinstance(data, dict):
            raise CatalogueImportError(f"{path}: expected an object keyed by leika_key")
        for key, entry in data.items():
            if key.startswith("_"):
                continue
            where = f"{path.name}, leika_key {key}"
            item = vocabulary.setdefault(key, {"name_en": "", "aliases": []})
            if kind == "en":
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    raise CatalogueImportError(f'{where}: expected {{"name": …, "also": […]}}')
                item["name_en"] = entry["name"].strip()[:300]
                words = [entry["name"], *entry.get("also", [])]
            else:
                if not isinstance(entry, list):
                    raise CatalogueImportError(f"{where}: expected a list of words")
                words = entry
            if not all(isinstance(w, str) and 0 < len(w.strip()) <= 200 for w in words):
                raise CatalogueImportError(f"{where}: each entry must be text of 1–200 characters")
            item["aliases"] = list(dict.fromkeys([*item["aliases"], *(w.strip() for w in words)]))
    return vocabulary


def _text_values(entry: dict) -> dict:
    values = {name: entry.get(name) for name in TEXT_FIELDS}
    for name in ("prerequisites", "documents", "procedure", "synonyms"):
        values[name] = list(values[name] or [])
    for name in ("short_text", "full_text", "fees", "deadlines", "hints"):
        values[name] = values[name] or ""
    values["legal_links"] = list(entry.get("legal_basis") or [])
    return values


@transaction.atomic
def import_catalogue(path: Path | None = None, texts_path: Path = TEXTS_FILE) -> ImportReport:
    path = Path(path) if path else default_catalogue_file()
    rows, skipped = parse_rows(path)
    texts = load_texts(texts_path)
    vocabulary = load_vocabulary()
    report = ImportReport(skipped=len(skipped), skipped_rows=skipped)

    topics = _lookup(Topic, {r["topic"] for r in rows if r["topic"]})
    situations = _lookup(LifeSituation, {r["life_situation"] for r in rows if r["life_situation"]})
    existing = {s.leika_key: s for s in Service.objects.all()}

    to_create, to_update = [], []
    for row in rows:
        values = {
            "name": row["name"],
            "topic_id": topics.get(row["topic"]),
            "life_situation_id": situations.get(row["life_situation"]),
            "ozg_service": row["ozg_service"],
            "ozg_id": row["ozg_id"],
            "leika_type": row["leika_type"],
            "authority_type": row["authority_type"],
            "legal_basis": row["legal_basis"],
            "laws": row["laws"],
            "law_shortcuts": row["law_shortcuts"],
            "source": row["source"],
            "default_level": default_level(
                name=row["name"], leika_type=row["leika_type"], ozg_service=row["ozg_service"]
            ),
            "name_en": vocabulary.get(row["leika_key"], {}).get("name_en", ""),
            "aliases": vocabulary.get(row["leika_key"], {}).get("aliases", []),
        }
        if row["leika_key"] in texts:
            values.update(_text_values(texts[row["leika_key"]]))
        service = existing.get(row["leika_key"])
        if service is None:
            to_create.append(Service(leika_key=row["leika_key"], **values))
            report.added += 1
            continue
        if any(getattr(service, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(service, name, value)
            to_update.append(service)
            report.changed += 1
        else:
            report.unchanged += 1

    known_keys = {r["leika_key"] for r in rows} | existing.keys()
    for source, keyed in ((texts_path.name, texts), ("names_en.json/everyday_de.json", vocabulary)):
        unknown_keys = sorted(set(keyed) - known_keys)
        if unknown_keys:
            raise CatalogueImportError(
                f"{source}: texts for unknown leika_key(s) {', '.join(unknown_keys[:5])}"
            )
    Service.objects.bulk_create(to_create, batch_size=1000)
    fields = [*_CATALOGUE_FIELDS, *TEXT_FIELDS, "legal_links"]
    Service.objects.bulk_update(to_update, fields, batch_size=500)
    if to_create or to_update:
        refresh_search_columns()
        transaction.on_commit(lambda: catalogue_changed.send())
    report.described = Service.objects.exclude(full_text="").count()
    return report
