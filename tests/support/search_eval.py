"""Findability evaluation: runs the citizen queries of tests/data/search_queries.json through
the catalogue search and counts, per kind, how often an expected service is the first hit, is
among the first five, and how often the result is empty. Used by
tests/catalogue/test_search_quality.py
(thresholds of issue 17) and tests/benchmarks/test_search_quality.py (figures, latency)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

QUERIES_FILE = Path(__file__).resolve().parents[1] / "data" / "search_queries.json"
KINDS = ("everyday", "district", "typo", "compound", "question", "english")


def load_queries(split: str | None = None) -> list[dict]:
    queries = json.loads(QUERIES_FILE.read_text(encoding="utf-8"))["queries"]
    return [q for q in queries if split is None or q["split"] == split]


@dataclass
class Figures:
    total: int = 0
    top1: int = 0
    top5: int = 0
    empty: int = 0
    misses: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, query: dict, keys: list[str]) -> None:
        expected = set(query["expected"])
        self.total += 1
        self.top1 += bool(keys[:1] and keys[0] in expected)
        hit5 = bool(expected & set(keys[:5]))
        self.top5 += hit5
        self.empty += not keys
        if not hit5:
            self.misses.append((query["query"], keys[:5]))

    def share(self, value: int) -> float:
        return value / self.total if self.total else 0.0

    def line(self, label: str) -> str:
        return (
            f"{label:<9} n={self.total:<3} top-1 {self.share(self.top1):6.1%} | "
            f"top-5 {self.share(self.top5):6.1%} | empty {self.empty}"
        )


def evaluate(queries: list[dict], search) -> tuple[dict[str, Figures], list[float]]:
    """Figures per kind (plus "all") and the latency of each search in ms."""
    figures = {kind: Figures() for kind in (*KINDS, "all")}
    latencies = []
    for query in queries:
        started = time.perf_counter()
        result = search(query["query"])
        latencies.append((time.perf_counter() - started) * 1000)
        keys = [hit.leika_key for hit in result.hits]
        figures[query["kind"]].add(query, keys)
        figures["all"].add(query, keys)
    return figures, latencies


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
