"""Service content in English and Dutch for the citizens' UI in those languages.

The catalogue is German (LeiKa, FIM). For the most-used services we keep reviewable data files
in services/content/: names_en.json (English names, imported into `Service.name_en` for the
search), texts_en.json (English short description and fees note) and texts_nl.json (Dutch name,
short description and fees note). Pages in English or Dutch show these where they exist and the
German text, marked lang="de", where they do not (the UI strings around them are translated
through gettext by the i18n work; this module is only about service *content*).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

CONTENT_DIR = Path(__file__).resolve().parent / "content"
TEXT_FILES = {"en": CONTENT_DIR / "texts_en.json", "nl": CONTENT_DIR / "texts_nl.json"}


@dataclass(frozen=True)
class ServiceTranslation:
    """A service's content in `language`; empty fields mean "show the German text"."""

    language: str
    name: str = ""
    short_text: str = ""
    fees: str = ""


@cache
def translated_texts(language: str) -> dict[str, dict]:
    """The entries of the language's data file by LeiKa key (read once per process)."""
    path = TEXT_FILES.get(language)
    if path is None:
        return {}
    entries = json.loads(path.read_text(encoding="utf-8"))
    return {key: value for key, value in entries.items() if not key.startswith("_")}


def ui_language() -> str:
    """The UI language as a bare code: "de", "en" or "nl"."""
    return (get_language() or "de").split("-")[0]


def service_translation(
    leika_key: str, *, name_en: str = "", language: str | None = None
) -> ServiceTranslation | None:
    """The service's content in the UI language (or `language`), None when the UI is German
    or nothing of this service is translated. `name_en` is the imported English name."""
    language = language or ui_language()
    if language not in TEXT_FILES:
        return None
    entry = translated_texts(language).get(leika_key, {})
    name = name_en if language == "en" else entry.get("name", "")
    if not (name or entry):
        return None
    return ServiceTranslation(
        language=language,
        name=name,
        short_text=entry.get("short_text", ""),
        fees=entry.get("fees", ""),
    )
