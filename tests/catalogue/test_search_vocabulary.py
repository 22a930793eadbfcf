"""The search vocabulary files (services/content/names_en.json, everyday_de.json,
synonyms_de.json) point at real services, and query understanding does what it promises."""

from __future__ import annotations

import json

import pytest

from services.catalogue_import import EVERYDAY_FILE, NAMES_EN_FILE, default_catalogue_file
from services.query import build_terms, content_words
from services.search import search_services


def _catalogue_keys() -> set[str]:
    return {row["leika_key"] for row in json.loads(default_catalogue_file().read_text())}


def _entries(path) -> dict:
    return {k: v for k, v in json.loads(path.read_text()).items() if not k.startswith("_")}


def test_english_names_cover_300_services_of_the_catalogue():
    names = _entries(NAMES_EN_FILE)
    assert len(names) >= 300
    assert set(names) <= _catalogue_keys()
    for key, entry in names.items():
        assert entry["name"].strip(), key
        assert all(isinstance(a, str) and a.strip() for a in entry.get("also", [])), key


def test_everyday_words_point_at_existing_services():
    everyday = _entries(EVERYDAY_FILE)
    assert len(everyday) >= 100
    assert set(everyday) <= _catalogue_keys()
    assert all(words and all(w.strip() for w in words) for words in everyday.values())


def test_import_stores_english_name_and_aliases(db):
    from services.models import Service

    service = Service.objects.get(leika_key="99001009004002")
    assert service.name_en == "Bulky waste collection"
    assert "Sofa entsorgen" in service.aliases and "bulky waste pickup" in service.aliases


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("wie lange dauert ein reisepass", ["reisepass"]),
        ("wo melde ich meinen Hund an", ["anmelden", "hund"]),
        ("melde mein Gewerbe ab", ["abmelden", "gewerbe"]),
        ("how do I get a passport", ["passport"]),
        ("was", ["was"]),  # only stop words: keep them rather than search for nothing
    ],
)
def test_stop_words_go_and_separable_verbs_join(raw, words):
    assert sorted(content_words(raw)) == sorted(words)


def test_object_nouns_weigh_more_than_action_verbs(db):
    terms = {t.word: t.weight for t in build_terms(["hund", "anmelden"], {})}
    assert terms["hund"] > terms["anmelden"]


def test_split_compound_is_joined_and_joined_one_split(db):
    joined = build_terms(["hunde", "steuer"], {})
    assert [t.word for t in joined] == ["hundesteuer"]
    split = build_terms(["wohnsitzanmeldung"], {})
    assert any("'wohnsitz':*" in alt and "'anmeldung':*" in alt for alt in split[0].alternatives)


def test_unknown_extra_word_falls_back_to_the_known_ones(in_tenant):
    with in_tenant("erkelenz"):
        result = search_services("Hundesteuer Xylofonklang")
    assert result.hits and result.hits[0].name.startswith("Hundesteuer")
    assert result.partial and result.unmatched == ["xylofonklang"]


def test_object_beats_verb(in_tenant):
    with in_tenant("erkelenz"):
        hits = search_services("Hund anmelden", limit=3).hits
    assert all("Hund" in hit.name for hit in hits[:2]), [h.name for h in hits]


def test_english_query_does_not_fall_for_false_friends(in_tenant):
    with in_tenant("erkelenz"):
        assert search_services("dog tax", limit=1).hits[0].leika_key.startswith("99102013")
        names = [h.name for h in search_services("marriage certificate", limit=3).hits]
    assert names[0].startswith("Eheurkunde"), names


def test_nothing_known_gives_a_suggestion_and_the_nearest_services(in_tenant):
    with in_tenant("erkelenz"):
        result = search_services("Persnalauswais")
    assert result.suggestion and result.hits


def test_head_of_an_unknown_compound_also_matches_longer_catalogue_compounds(db):
    # "Anhängerkennzeichen" is no catalogue word: it splits into anhänger & kennzeichen, and the
    # head "kennzeichen" also matches the catalogue's "Kraftfahrzeugkennzeichen …"
    (term,) = build_terms(["anhängerkennzeichen"], {})
    split = next(a for a in term.alternatives if a.startswith("(('anhänger':*) & ("))
    assert "'kennzeichen':*" in split and "'kraftfahrzeugkennzeichen':*" in split


def test_colloquial_names_of_plates_and_the_childrens_passport(db):
    assert search_services("Kinderpass").hits[0].leika_key == "99085003012000"
    assert search_services("Überführungskennzeichen").hits[0].leika_key == "99036009069003"


def test_a_typo_that_is_a_catalogue_word_too_is_corrected_when_nothing_fits(db):
    from services.search import _edits1

    assert {"gewerbe", "gewebe"} & _edits1("gewebe") == {"gewerbe"}
    assert "hund" in _edits1("hnud") and "gewerbes" not in _edits1("gewebe")
    # "Gewebe" is a word of the catalogue, but no Gewebe service is "angemeldet": Gewerbe is
    result = search_services("Gewebe anmelden")
    assert result.hits[0].leika_key == "99050012104000" and result.hits[0].exact
    assert result.suggestion == "gewerbe anmelden"
    # where the real word fits every word, it stays
    assert search_services("Einfuhr von Gewebe").hits[0].leika_key == "99005006000000"
