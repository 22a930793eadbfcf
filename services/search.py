"""Catalogue search: PostgreSQL full text (`german`: stemming, compounds by prefix) plus
`pg_trgm` similarity (typos), everyday German and English names, ranked by how much of the
query a service matches, and a "did you mean" from the catalogue's own vocabulary. No external
search server. Query understanding (stop words, separable verbs, weights, compounds, typos) is
in services/query.py.

Ranking: the share of the query's weighted terms a service contains comes first (every word
found > the object noun found > only the verb found), then relevance (full-text rank, spelling
similarity, a described main service, a short name); that the tenant offers the service is a
small bonus among comparable matches, never a trump.

Queries per search: one for the results; one more when the query has unknown words (their
nearest catalogue words, in one statement, which also give the "did you mean"); only when
nothing at all matched, one per word for a suggestion and one for what it finds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection, transaction

from services import query as understanding
from tenants.selectors import in_tenant_schema

MAX_QUERY_LENGTH = 200
SUGGESTION_THRESHOLD = 0.45
CORRECTION_THRESHOLD = 0.4
OFFERED_BONUS = 0.08


@dataclass(frozen=True)
class SearchHit:
    id: int
    leika_key: str
    name: str
    short_text: str
    offered: bool | None
    exact: bool  # every word found (full text) rather than only some or a similar spelling
    score: float
    name_en: str = ""


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit]
    total: int
    suggestion: str = ""
    # words no service contains (the hits match the others): shown as "nicht gefunden"
    unmatched: list[str] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        return bool(self.hits) and not self.hits[0].exact


def query_words(raw: str) -> list[str]:
    return understanding.content_words(raw)


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
                || setweight(to_tsvector('german', array_to_string(s2.aliases, ' ')), 'A')
                || setweight(to_tsvector('german', s2.ozg_service), 'B')
                || setweight(to_tsvector('german', coalesce(ls.name, '')), 'C')
                || setweight(to_tsvector('german', s2.short_text), 'D') AS search_vector,
                public.unaccent(lower(
                  s2.name || ' ' || replace(s2.name, ' ', '') || ' '
                  || array_to_string(s2.synonyms || s2.aliases, ' ') || ' '
                  || replace(array_to_string(s2.synonyms || s2.aliases, ' | '), ' ', '')
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
                lower(name || ' ' || array_to_string(synonyms || aliases, ' ')),
                '[^[:alpha:]]+') AS w
              FROM services_service
            ) words
            WHERE length(w) >= 3 AND length(w) <= 80
            GROUP BY w
            """
        )
    # Fresh statistics, or the planner misjudges the trigram index on a just-loaded table.
    # After commit: Citus cannot ANALYZE a reference table in a transaction that has written it.
    transaction.on_commit(_analyze_search_tables)
    understanding.forget_vocabulary()


def _analyze_search_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE services_service")
        cursor.execute("ANALYZE services_searchword")


def corrections_for(words: list[str]) -> dict[str, str]:
    """The nearest catalogue word for each unknown word (one statement for all of them)."""
    unknown = understanding.unknown_words(words)
    if not unknown:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT w, (SELECT word FROM services_searchword
                       WHERE word OPERATOR(public.%%) w
                         AND public.similarity(word, w) >= %(threshold)s
                       ORDER BY public.similarity(word, w) DESC, frequency DESC, word
                       LIMIT 1)
            FROM unnest(%(words)s::text[]) AS w
            """,
            {"words": unknown, "threshold": CORRECTION_THRESHOLD},
        )
        return {word: best for word, best in cursor.fetchall() if best}


_LETTERS = "abcdefghijklmnopqrstuvwxyzäöüß"


def _edits1(word: str) -> set[str]:
    """Every string one edit away from `word` (Norvig's spelling corrector, German letters)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return (deletes | swaps | replaces | inserts) - {word}


def real_word_corrections(words: list[str]) -> dict[str, str]:
    """Typos that are words of the catalogue too ("Gewebe anmelden" meant Gewerbe): for each
    object word, the most frequent catalogue word one edit away if it is at least twice as
    frequent. Asked only when not every word matched, used only if then every word does. The
    neighbours come from the in-memory vocabulary; one indexed look-up for their frequencies."""
    vocab = understanding.vocabulary()
    near = {
        w: [e for e in _edits1(w) if e in vocab]
        for w in words
        if len(w) >= 5
        and not w.isdigit()
        and understanding._weight(w) == understanding.WEIGHT_OBJECT
    }
    near = {w: found for w, found in near.items() if found}
    if not near:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, frequency FROM services_searchword WHERE word = ANY(%s)",
            [[*near, *(e for found in near.values() for e in found)]],
        )
        frequency = dict(cursor.fetchall())
    fixed = {}
    for word, found in near.items():
        best = max(found, key=lambda e: (frequency.get(e, 0), e))
        if frequency.get(best, 0) >= 2 * max(frequency.get(word, 0), 1):
            fixed[word] = best
    return fixed


def _run(
    terms, trigram_text: str, limit: int, offset: int, *, by_spelling: bool = True
) -> tuple[list, int, list[str]]:
    with_local = in_tenant_schema()
    offered = "coalesce(ls.offered, false)" if with_local else "NULL::boolean"
    # in a tenant, the editors' local search words count like the service's own name there
    vector = (
        "(s.search_vector || coalesce(syn.vector, ''::tsvector))"
        if with_local
        else ("s.search_vector")
    )
    params: dict = {"trgm": trigram_text, "limit": limit, "offset": offset}
    coverage, found = [], []
    for n, term in enumerate(terms):
        params[f"q{n}"] = term.tsquery()
        params[f"w{n}"] = term.weight
        found.append(f"{vector} @@ to_tsquery('german', %(q{n})s)")
        coverage.append(f"CASE WHEN {found[-1]} THEN %(w{n})s ELSE 0 END")
    # candidates come from the object words; verbs and generic words only rank them (else
    # "beantragen" would fetch every service with "Erteilung" in its name)
    objects = [t for t in terms if t.weight >= understanding.WEIGHT_OBJECT] or terms
    params["any"] = " | ".join(term.tsquery() for term in objects)
    params["total_weight"] = sum(term.weight for term in terms)
    # similar spellings (trigram index) are candidates only when a word is unknown and has no
    # correction, or when the words alone found nothing: for known words they only add
    # hundreds of weak rows and time
    spelling = "OR s.search_terms OPERATOR(public.%%>) %(trgm)s" if by_spelling else ""
    if with_local:
        local_ctes = """
          syn AS (
            SELECT service_id,
              setweight(to_tsvector('german', string_agg(term, ' ')), 'A') AS vector
            FROM services_local_localsynonym GROUP BY service_id
          ),"""
        local_candidates = (
            "UNION SELECT service_id FROM syn WHERE syn.vector @@ to_tsquery('german', %(any)s)"
        )
        local_joins = (
            "LEFT JOIN syn ON syn.service_id = s.id "
            "LEFT JOIN services_local_localservice ls ON ls.service_id = s.id"
        )
    else:
        local_ctes = local_candidates = local_joins = ""
    sql = f"""
        WITH {local_ctes}
        candidates AS (
          -- both conditions are served by GIN indexes (BitmapOr); `%%>` uses the database's
          -- pg_trgm.word_similarity_threshold (migration services.0002)
          SELECT s.id FROM services_service s
          WHERE s.search_vector @@ to_tsquery('german', %(any)s) {spelling}
          {local_candidates}
        ),
        matches AS (
          SELECT s.id, s.leika_key, s.name, s.short_text, s.name_en, {offered} AS offered,
            ({" + ".join(coverage)}) / %(total_weight)s AS coverage,
            ARRAY[{", ".join(found)}] AS found,
            ts_rank_cd({vector}, to_tsquery('german', %(any)s), 1)
            + public.word_similarity(%(trgm)s, s.search_terms)
            + CASE WHEN s.has_description THEN 0.35 ELSE 0 END
            + 0.6 / (1 + length(s.name) / 25.0) AS relevance
          FROM candidates c JOIN services_service s ON s.id = c.id {local_joins}
        )
        SELECT id, leika_key, name, short_text, offered, coverage >= 0.999 AS exact,
          coverage + relevance / 10 + CASE WHEN offered THEN {OFFERED_BONUS} ELSE 0 END AS score,
          name_en, found, count(*) OVER () AS total
        FROM matches
        -- the share of the query matched first (in steps of a tenth), then relevance with the
        -- tenant's offer as a small bonus among comparable matches
        ORDER BY round(coverage::numeric, 1) DESC, score DESC, name
        LIMIT %(limit)s OFFSET %(offset)s
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total = rows[0][9] if rows else 0
    # the words the best hit lacks (when it lacks any): shown to the citizen
    unmatched = [t.word for t, ok in zip(terms, rows[0][8], strict=True) if not ok] if rows else []
    return [SearchHit(*row[:8]) for row in rows], total, unmatched


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
    corrections = corrections_for(words)
    terms = understanding.build_terms(words, corrections)
    trigram_text = " ".join(corrections.get(w, w) for w in words)
    unknown = any(w not in corrections for w in understanding.unknown_words(words))
    hits, total, unmatched = _run(terms, trigram_text, limit, offset, by_spelling=unknown)
    if not hits and not unknown:
        hits, total, unmatched = _run(terms, trigram_text, limit, offset)
    suggestion = ""
    if corrections:
        suggestion = " ".join(corrections.get(w, w) for w in words)
    if hits and unmatched and offset == 0:
        # not every word matched: perhaps a typo that is itself a catalogue word
        fixed = real_word_corrections(words)
        if fixed:
            retry_words = [fixed.get(w, w) for w in words]
            retry = _run(
                understanding.build_terms(retry_words, {}), " ".join(retry_words), limit, offset
            )
            if retry[0] and retry[0][0].exact:
                hits, total, unmatched = retry
                suggestion = " ".join(retry_words)
    if not hits:  # nothing at all: show what the nearest catalogue words find
        suggestion = suggestion or suggest(words)
    if not hits and suggestion:
        words = query_words(suggestion)
        terms = understanding.build_terms(words, {})
        hits, total, unmatched = _run(terms, suggestion, limit, offset)
    return SearchResult(
        query=raw, hits=hits, total=total, suggestion=suggestion, unmatched=unmatched
    )
