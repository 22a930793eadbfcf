"""Service content in English and Dutch (issue 17/20): the data files in services/content/
point at real services and carry the key texts; service pages and search results show them
when the citizen chose that UI language, and the German official name marked lang="de"."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from services.catalogue_import import NAMES_EN_FILE, TEXTS_FILE, default_catalogue_file
from services.translations import TEXT_FILES, service_translation

BASE = settings.BASE_DOMAIN
PASSPORT = "99085001012000"  # Reisepass Ausstellung: translated in both languages
UNTRANSLATED = "99001009004001"  # Sperrmüll … persönliche Abgabe: English name only


def _entries(path) -> dict:
    return {k: v for k, v in json.loads(path.read_text()).items() if not k.startswith("_")}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_translated_texts_point_at_services_and_are_complete(language):
    catalogue = {row["leika_key"] for row in json.loads(default_catalogue_file().read_text())}
    entries = _entries(TEXT_FILES[language])
    assert len(entries) >= 50
    assert set(entries) <= catalogue
    # the 50 services with German key texts are the ones translated
    assert set(_entries(TEXTS_FILE)) <= set(entries)
    for key, entry in entries.items():
        assert entry["short_text"].strip() and entry["fees"].strip(), key
        if language == "nl":
            assert entry["name"].strip(), key
        else:  # the English name lives in names_en.json (imported into Service.name_en)
            assert key in _entries(NAMES_EN_FILE), key


def test_translation_follows_the_ui_language():
    assert service_translation(PASSPORT, name_en="Passport application", language="de") is None
    english = service_translation(PASSPORT, name_en="Passport application", language="en")
    assert english.name == "Passport application" and "EUR 70.00" in english.fees
    dutch = service_translation(PASSPORT, language="nl")
    assert dutch.name == "Paspoort aanvragen" and dutch.short_text.startswith("Voor reizen")
    assert service_translation("99999999999999", language="nl") is None


def _get(client, path, language, **params):
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path, params, HTTP_HOST=f"erkelenz.{BASE}")
    assert response.status_code == 200
    return response.content.decode()


def test_service_page_in_english_shows_english_name_and_texts(client, db):
    html = _get(client, f"/leistungen/{PASSPORT}/", "en")
    assert "<h1>Passport application</h1>" in html
    assert "Amtliche Bezeichnung" in html or "Official name" in html
    assert '<span lang="de">Reisepass Ausstellung</span>' in html
    assert '<p class="lead">For travel to many countries outside the EU' in html
    assert "EUR 32.00 for express service" in html
    assert "<title>Passport application –" in html


def test_service_page_in_dutch_shows_dutch_name_and_texts(client, db):
    html = _get(client, f"/leistungen/{PASSPORT}/", "nl")
    assert "<h1>Paspoort aanvragen</h1>" in html
    assert '<span lang="de">Reisepass Ausstellung</span>' in html
    assert "Voor reizen naar veel landen buiten de EU" in html and "spoedprocedure" in html


def test_service_page_in_german_is_unchanged(client, db):
    html = _get(client, f"/leistungen/{PASSPORT}/", None)
    assert "<h1>Reisepass Ausstellung</h1>" in html
    assert "official-name" not in html and "Passport application" not in html


def test_untranslated_content_stays_german_and_is_marked(client, db):
    # an English name (heading) but no English texts
    html = _get(client, f"/leistungen/{UNTRANSLATED}/", "en")
    assert "<h1>Bulky waste drop-off</h1>" in html
    assert '<span lang="de">Sperrmüll Entsorgung durch persönliche Abgabe</span>' in html
    # no English name at all: the German heading is marked as German
    html = _get(client, "/leistungen/99102002000000/", "en")
    assert '<h1 lang="de">Steuerfreibeträge</h1>' in html and "official-name" not in html


def test_search_results_in_english_show_english_names_first(client, db):
    html = _get(client, "/leistungen/", "en", q="passport")
    first = html.split('<ol class="service-list"', 1)[1].split("</li>", 1)[0]
    assert ">Passport application</a><br>" in first
    assert '<span lang="de" class="name-de">Reisepass Ausstellung</span>' in first
    german = _get(client.__class__(), "/leistungen/", None, q="passport")
    first_de = german.split('<ol class="service-list"', 1)[1].split("</li>", 1)[0]
    assert ">Reisepass Ausstellung</a>" in first_de and 'lang="en"' in first_de
