"""Findability and latency of the catalogue search on the evaluation set
(tests/data/search_queries.json): top-1 / top-5 / empty per kind, for all queries and for the
held-out part never looked at while tuning, and the server-side p95. Prints figures only."""

from __future__ import annotations

import pytest

from services.search import search_services
from tests.support.search_eval import KINDS, evaluate, load_queries, p95

pytestmark = pytest.mark.benchmark


@pytest.mark.parametrize("slug", ["erkelenz", "kreis"])
def test_search_quality(in_tenant, slug, benchmark_report):
    with in_tenant(slug):
        evaluate(load_queries(), search_services)  # warm caches once
        lines = [f"search quality on {slug} (evaluation set, top-1 | top-5 | empty per kind):"]
        for split in (None, "holdout"):
            queries = load_queries(split)
            figures, latencies = evaluate(queries, search_services)
            label = "all queries" if split is None else "held-out part"
            lines.append(f"  {label} ({len(queries)}): server-side p95 {p95(latencies):.1f} ms")
            lines += [f"    {figures[k].line(k)}" for k in (*KINDS, "all")]
    for line in lines:
        benchmark_report(line)
