"""Catalogue search: PostgreSQL full text (`german`: stemming, compounds by prefix) plus
`pg_trgm` word similarity (typos), synonyms, ranked, the tenant's offered services first, and a
"did you mean" from the catalogue's own vocabulary. No external search server.

Queries per search: one for the results (two when no service contains every word and the
search widens to any word), plus one per misspelt word (at most MAX_WORDS) for the suggestion.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name

SYNONYMS_FILE = Path(__file__).resolve().parent / "content" / "synonyms_de.json"
MAX_WORDS = 6
MAX_QUERY_LENGTH = 200
SUGGESTION_THRESHOLD = 0.45
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchHit:
    id: int
    leika_key: str
    name: str
    short_text: str
    offered: bool | None
    exact: bool  # every word found (full text) rather than only a similar spelling
    score: float


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit]
    total: int
    suggestion: str = ""


def query_words(raw: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(raw or "") if len(w) >= 2][:MAX_WORDS]


@lru_cache(maxsize=1)
def everyday_synonyms() -> dict[str, tuple[str, ...]]:
    data = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in data.items() if not k.startswith("_")}


def _tsquery(words: list[str], operator: str) -> str:
    """Each word with its everyday alternatives, stemmed by the german configuration and
    matched as prefix, so "Hunde" (stem "hund") finds "Hundesteuer" (lexeme "hundesteu")."""
    synonyms = everyday_synonyms()
    groups = []
    for word in words:
        alternatives = [word, *synonyms.get(word, ())]
        groups.append("(" + " | ".join(f"'{alt}':*" for alt in alternatives) + ")")
    return f" {operator} ".join(groups)


def refresh_search_columns() -> None:
    """Recompute search vector, trigram terms and vocabulary for the whole catalogue."""
    with connection.cursor() as cursor:
        # The values are computed in a subquery kept apart by `OFFSET 0`: Citus (deploy/SCALING.md)
        # refuses STABLE functions such as unaccent() over columns in an UPDATE of a reference
        # table, but accepts an UPDATE from a subquery it can evaluate first. Same result here.
        cursor.execute(
            """
            UPDATE services_service s SET
              search_vector = computed.search_vector,
              search_terms = computed.search_terms,
              has_description = computed.has_description
            FROM (
              SELECT s2.id,
                setweight(to_tsvector('german', s2.name), 'A')
                || setweight(to_tsvector('german', array_to_string(s2.synonyms, ' ')), 'A')
                || setweight(to_tsvector('german', s2.ozg_service), 'B')
                || setweight(to_tsvector('german', coalesce(ls.name, '')), 'C')
                || setweight(to_tsvector('german', s2.short_text), 'D') AS search_vector,
                public.unaccent(lower(
                  s2.name || ' ' || replace(s2.name, ' ', '') || ' '
                  || array_to_string(s2.synonyms, ' ') || ' '
                  || replace(array_to_string(s2.synonyms, ' | '), ' ', '')
                )) AS search_terms,
                s2.full_text <> '' AS has_description
              FROM services_service s2
              LEFT JOIN services_lifesituation ls ON ls.id = s2.life_situation_id
              OFFSET 0
            ) computed
            WHERE s.id = computed.id
            """
        )
        cursor.execute("DELETE FROM services_searchword")
        cursor.execute(
            """
            INSERT INTO services_searchword (word, frequency)
            SELECT w, count(*) FROM (
              SELECT regexp_split_to_table(
                lower(name || ' ' || array_to_string(synonyms, ' ')), '[^[:alpha:]]+') AS w
              FROM services_service
            ) words
            WHERE length(w) >= 3 AND length(w) <= 80
            GROUP BY w
            """
        )
    # Fresh statistics, or the planner misjudges the trigram index on a just-loaded table.
    # After commit: Citus cannot ANALYZE a reference table in a transaction that has written it.
    transaction.on_commit(_analyze_search_tables)


def _analyze_search_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE services_service")
        cursor.execute("ANALYZE services_searchword")


def _in_tenant_schema() -> bool:
    return connection.schema_name != get_public_schema_name()


def _run(words: list[str], raw: str, operator: str, limit: int, offset: int) -> tuple[list, int]:
    with_local = _in_tenant_schema()
    offered = "coalesce(ls.offered, false)" if with_local else "NULL::boolean"
    local_join = (
        "LEFT JOIN services_local_localservice ls ON ls.service_id = s.id" if with_local else ""
    )
    sql = f"""
        WITH matches AS (
          SELECT s.id, s.leika_key, s.name, s.short_text, {offered} AS offered,
            s.search_vector @@ to_tsquery('german', %(tsq)s) AS fts_hit,
            (CASE WHEN s.search_vector @@ to_tsquery('german', %(tsq)s)
                  THEN 1.0 + ts_rank_cd(s.search_vector, to_tsquery('german', %(tsq)s), 1)
                  ELSE 0 END)
            + public.word_similarity(public.unaccent(lower(%(raw)s)), s.search_terms)
            + CASE WHEN s.has_description THEN 0.6 ELSE 0 END
            + 0.3 / (1 + length(s.name) / 25.0) AS score
          FROM services_service s {local_join}
          -- both conditions are served by GIN indexes (BitmapOr); `%%>` uses the database's
          -- pg_trgm.word_similarity_threshold (migration services.0002)
          WHERE s.search_vector @@ to_tsquery('german', %(tsq)s)
             OR s.search_terms OPERATOR(public.%%>) public.unaccent(lower(%(raw)s))
        )
        SELECT id, leika_key, name, short_text, offered, fts_hit, score, count(*) OVER () AS total
        FROM matches
        -- relevance tiers first (all words found > similar spelling only), then the tenant's
        -- offered services, then the score
        ORDER BY fts_hit DESC, offered DESC NULLS LAST, score DESC, name
        LIMIT %(limit)s OFFSET %(offset)s
    """
    params = {
        "tsq": _tsquery(words, operator),
        "raw": raw,
        "limit": limit,
        "offset": offset,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total = rows[0][7] if rows else 0
    return [SearchHit(*row[:7]) for row in rows], total


def suggest(words: list[str]) -> str:
    """The query with each unknown word replaced by the most similar catalogue word."""
    corrected, changed = [], False
    with connection.cursor() as cursor:
        for word in words:
            cursor.execute(
                """
                SELECT word, public.similarity(word, %(w)s) AS sim FROM services_searchword
                WHERE word OPERATOR(public.%%) %(w)s OR word = %(w)s
                ORDER BY (word = %(w)s) DESC, sim DESC, frequency DESC LIMIT 1
                """,
                {"w": word},
            )
            row = cursor.fetchone()
            if row and row[0] != word and row[1] >= SUGGESTION_THRESHOLD:
                corrected.append(row[0])
                changed = True
            else:
                corrected.append(word)
    return " ".join(corrected) if changed else ""


def search_services(raw: str, *, limit: int = 20, offset: int = 0) -> SearchResult:
    raw = (raw or "").strip()[:MAX_QUERY_LENGTH]
    words = query_words(raw)
    if not words:
        return SearchResult(query=raw, hits=[], total=0)
    hits, total = _run(words, raw, "&", limit, offset)
    if total == 0 and len(words) > 1:
        hits, total = _run(words, raw, "|", limit, offset)
    suggestion = ""
    if not any(hit.exact for hit in hits):  # only similar spellings found: offer a correction
        suggestion = suggest(words)
    return SearchResult(query=raw, hits=hits, total=total, suggestion=suggestion)
