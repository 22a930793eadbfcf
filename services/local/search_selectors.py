"""Reads of the search analytics across tenants: the district-wide view for the district's
editors (services/local/search_admin.py). Counters and normalised words only, as in each
tenant's own statistics; one statement over all portals' schemas, summed per query with the
portals named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection

from tenants.models import Tenant

LIST_LENGTH = 100

# which rows each list shows and in which order (the aggregate's column names)
_LISTS = {
    "not_found": ("empty + partial > 0", "empty + partial DESC, searches DESC, query"),
    "no_click": ("empty = 0 AND partial = 0 AND clicks = 0", "searches DESC, query"),
    "top": ("TRUE", "searches DESC, query"),
}


@dataclass(frozen=True)
class DistrictSearchStat:
    query: str
    searches: int
    empty: int
    partial: int
    clicks: int
    last_seen: date
    portals: str  # "Erkelenz (3), Gangelt (1)": where the query was searched, how often


def district_search_stats(limit: int = LIST_LENGTH) -> dict[str, list[DistrictSearchStat]]:
    """The editors' three lists (not found, found but no click, most searched) summed over
    every portal of the district."""
    tenants = list(Tenant.objects.portals().order_by("name").values_list("name", "schema_name"))
    if not tenants:
        return {name: [] for name in _LISTS}
    quote = connection.ops.quote_name
    union = " UNION ALL ".join(
        f"SELECT %s AS portal, query, searches, empty, partial, clicks, last_seen"
        f" FROM {quote(schema)}.services_local_searchquerystat"
        for _, schema in tenants
    )
    names = [name for name, _ in tenants]
    lists = {}
    with connection.cursor() as cursor:
        for name, (where, order) in _LISTS.items():
            cursor.execute(
                f"""
                SELECT query, searches, empty, partial, clicks, last_seen, portals FROM (
                  SELECT query, SUM(searches) AS searches, SUM(empty) AS empty,
                         SUM(partial) AS partial, SUM(clicks) AS clicks,
                         MAX(last_seen) AS last_seen,
                         string_agg(portal || ' (' || searches || ')', ', '
                                    ORDER BY searches DESC, portal) AS portals
                  FROM ({union}) AS per_portal GROUP BY query
                ) AS summed WHERE {where} ORDER BY {order} LIMIT %s
                """,
                [*names, limit],
            )
            lists[name] = [DistrictSearchStat(*row) for row in cursor.fetchall()]
    return lists
