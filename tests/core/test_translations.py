"""The UI catalogues (platform/locale): English and Dutch complete for what citizens read,
the placeholders of every translation the same as in the German msgid, the compiled .mo files
in step with the .po files, and the coverage figures per language printed with the run."""

from __future__ import annotations

import re

import polib
import pytest
from django.conf import settings

from tests.support.translation_coverage import LOCALE, coverage, is_citizen_facing, languages

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%(?:\.\d+)?[sdf]|\{\{ ?\w+ ?\}\}")


def test_every_ui_language_but_german_has_a_catalogue():
    others = {code for code, _ in settings.LANGUAGES} - {settings.LANGUAGE_CODE}
    assert others == {"en", "nl"} and set(languages()) == others


@pytest.mark.parametrize("language", ["en", "nl"])
def test_citizen_facing_strings_are_all_translated(language, benchmark_report):
    figures = coverage(language)
    benchmark_report("translation coverage " + figures.line())
    assert figures.citizen_total > 300  # the citizen templates, views and forms are marked
    assert figures.citizen_missing == [], figures.citizen_missing[:20]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_translations_keep_placeholders_and_markup(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    broken = []
    for entry in catalogue.translated_entries():
        pairs = (
            [(entry.msgid, entry.msgstr)]
            if not entry.msgid_plural
            else [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        )
        for source, text in pairs:
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                broken.append((source, text))
            if sorted(re.findall(r"</?\w+", source)) != sorted(re.findall(r"</?\w+", text)):
                broken.append((source, text))
        assert "fuzzy" not in entry.flags, entry.msgid
    assert not broken, broken[:10]


@pytest.mark.parametrize("language", ["en", "nl"])
def test_compiled_catalogue_matches_the_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(folder / "django.mo"))}
    source = {
        (e.msgctxt, e.msgid): e.msgstr
        for e in polib.pofile(str(folder / "django.po")).translated_entries()
        if not e.msgid_plural
    }
    stale = {key for key, text in source.items() if compiled.get(key) != text}
    assert not stale, f"run compilemessages: {sorted(stale)[:5]}"


def test_citizen_facing_sources_are_told_apart_from_the_admin():
    assert is_citizen_facing("services/templates/services/detail.html")
    assert is_citizen_facing("services/appointments/views.py")
    assert not is_citizen_facing("services/templates/services/admin/search_report.html")
    assert not is_citizen_facing("services/applications/wagtail_hooks.py")
    assert not is_citizen_facing("services/applications/models.py")
