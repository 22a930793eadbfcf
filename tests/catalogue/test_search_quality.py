"""Findability thresholds of issue 17 on our evaluation set (tests/data/search_queries.json):
≥ 90 % of queries with an expected service in the top 5, ≥ 70 % in the top 1, every kind
≥ 80 % in the top 5, no empty result — on a municipality's portal and on the district's."""

from __future__ import annotations

import pytest

from services.models import Service
from services.search import search_services
from tests.support.search_eval import KINDS, evaluate, load_queries


def test_evaluation_set_is_sound(db):
    queries = load_queries()
    assert len(queries) >= 150
    assert {q["kind"] for q in queries} == set(KINDS)
    assert len({q["query"].lower() for q in queries}) == len(queries)
    holdout = [q for q in queries if q["split"] == "holdout"]
    assert 0.2 <= len(holdout) / len(queries) <= 0.4
    for kind in KINDS:
        assert sum(q["kind"] == kind for q in queries) >= 25
    expected = {key for q in queries for key in q["expected"]}
    known = set(Service.objects.filter(leika_key__in=expected).values_list("leika_key", flat=True))
    assert expected - known == set()


@pytest.mark.parametrize("slug", ["erkelenz", "kreis"])
def test_citizen_queries_find_the_service(in_tenant, slug):
    with in_tenant(slug):
        figures, _ = evaluate(load_queries(), lambda q: search_services(q, limit=10))
    report = "\n".join(figures[k].line(k) for k in (*KINDS, "all"))
    misses = "\n".join(f"  {q!r}: {keys}" for q, keys in figures["all"].misses)
    message = f"{slug}:\n{report}\nnot in the top 5:\n{misses}"
    total = figures["all"]
    assert total.empty == 0, message
    assert total.share(total.top5) >= 0.90, message
    assert total.share(total.top1) >= 0.70, message
    for kind in KINDS:
        assert figures[kind].share(figures[kind].top5) >= 0.80, message
