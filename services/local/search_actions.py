"""Writes of the search analytics and the editors' local search words (tenant schema)."""

from __future__ import annotations

from django.db import connection, transaction

from services.local.models import LocalSynonym
from services.models import Service
from services.query import words_of

MAX_TERM_LENGTH = 120


def normalise_query(raw: str) -> str:
    """Lower case, words only, single spaces: "  Wo ist der  Wertstoffhof?" → "wo ist der
    wertstoffhof". The same search typed differently counts once."""
    return " ".join(words_of(raw))[:200]


def do_record_search(*, query: str, total: int, partial: bool) -> None:
    """Count one citizen search (one statement, no personal data)."""
    normalised = normalise_query(query)
    if not normalised:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO services_local_searchquerystat
              (query, searches, empty, partial, last_total, clicks, last_seen)
            VALUES (%(q)s, 1, %(empty)s, %(partial)s, %(total)s, 0, CURRENT_DATE)
            ON CONFLICT (query) DO UPDATE SET
              searches = services_local_searchquerystat.searches + 1,
              empty = services_local_searchquerystat.empty + EXCLUDED.empty,
              partial = services_local_searchquerystat.partial + EXCLUDED.partial,
              last_total = EXCLUDED.last_total,
              last_seen = CURRENT_DATE
            """,
            {
                "q": normalised,
                "empty": int(total == 0),
                "partial": int(total > 0 and partial),
                "total": total,
            },
        )


def do_record_click(*, query: str) -> bool:
    """Count that a results page of this (normalised) query led to a click on a result; only a
    query the portal has counted as searched, and never more clicks than searches (a citizen
    who goes back and opens a second result still counts once per search, roughly). Returns
    whether a counter changed."""
    normalised = normalise_query(query)
    if not normalised:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE services_local_searchquerystat SET clicks = clicks + 1"
            " WHERE query = %s AND clicks < searches",
            [normalised],
        )
        return cursor.rowcount == 1


class SynonymError(ValueError):
    """The editor's input cannot become a local search word; the message says why."""


@transaction.atomic
def do_add_local_synonym(*, term: str, leika_key: str) -> LocalSynonym:
    """Add a local search word for a catalogue service; it takes effect at once, here only."""
    term = " ".join(words_of(term))
    if not term:
        raise SynonymError("Bitte einen Suchbegriff angeben.")
    if len(term) > MAX_TERM_LENGTH:
        raise SynonymError(f"Der Suchbegriff darf höchstens {MAX_TERM_LENGTH} Zeichen haben.")
    service = Service.objects.filter(leika_key=leika_key).first()
    if service is None:
        raise SynonymError("Bitte eine Leistung aus dem Katalog wählen.")
    synonym, _ = LocalSynonym.objects.get_or_create(term=term, service=service)
    return synonym


@transaction.atomic
def do_remove_local_synonym(*, synonym: LocalSynonym) -> None:
    synonym.delete()
