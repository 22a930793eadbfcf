"""Citizen page server time: cached and uncached; tenant host vs a single-schema baseline."""

from __future__ import annotations

import statistics
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings

from cms.cache import forget_kept_pages, purge_tenant_page_cache

pytestmark = pytest.mark.benchmark

RUNS = 30
ROUNDS = 6  # slices of the alternating tenant-host/single-schema pairs, for the spread
PAGES = {"home": "/", "news": "/aktuelles/", "service": "/leistungen/99008001012000/"}


def _p50_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * len(ordered)) - 1]


def _time(get, path: str, *, clear: bool) -> list[float]:
    samples = []
    get(path)  # warm up
    for _ in range(RUNS):
        if clear:
            cache.clear()
            forget_kept_pages()  # what this process keeps of the page cache too
        started = time.perf_counter()
        response = get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return samples


def test_page_server_time(db, in_tenant, benchmark_report):
    hostname = f"erkelenz.{settings.BASE_DOMAIN}"
    tenant_client = Client(HTTP_HOST=hostname)
    lines = []
    for name, path in PAGES.items():
        uncached = _p50_p95(_time(tenant_client.get, path, clear=True))
        cached = _p50_p95(_time(tenant_client.get, path, clear=False))
        lines.append(
            f"{name:<8} uncached p50 {uncached[0]:.1f} ms p95 {uncached[1]:.1f} ms | "
            f"cached p50 {cached[0]:.1f} ms p95 {cached[1]:.1f} ms"
        )

    middleware = [
        "tests.benchmarks.single_schema.FixedTenantMiddleware"
        if m == "kreisportal.middleware.PortalTenantMiddleware"
        else m
        for m in settings.MIDDLEWARE
    ]
    with in_tenant("erkelenz"):
        with override_settings(MIDDLEWARE=middleware):
            single = Client(HTTP_HOST=hostname)
            single.get("/aktuelles/")  # builds its middleware chain (kept after the override)
        # Alternating request by request, so that both see the same state of the machine: run
        # one after the other, the ratio swung between 1.08 and 1.23 on two shared cores.
        baseline_samples, routed_samples = [], []
        pairs = ((single.get, baseline_samples), (tenant_client.get, routed_samples))
        for _ in range(2 * RUNS):
            for get, samples in pairs:
                # uncached = the page cache purged (as publishing does), not the whole cache:
                # clearing it also dropped the tenant-lookup stamp, so only the tenant host
                # paid for looking its domain up again, which no real request does
                purge_tenant_page_cache()
                started = time.perf_counter()
                response = get("/aktuelles/")
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
    baseline, routed = _p50_p95(baseline_samples), _p50_p95(routed_samples)
    # the spread: the same ratio in each of ROUNDS consecutive slices of the alternating pairs
    size = len(routed_samples) // ROUNDS
    per_round = sorted(
        statistics.median(routed_samples[i : i + size])
        / statistics.median(baseline_samples[i : i + size])
        for i in range(0, size * ROUNDS, size)
    )
    for line in lines:
        benchmark_report(f"page {line}")
    benchmark_report(
        f"news page uncached, tenant host p50 {routed[0]:.1f} ms vs single-schema p50 "
        f"{baseline[0]:.1f} ms: ratio {routed[0] / baseline[0]:.2f} (target ≤ 1.05); per round "
        f"of {size} pairs: {', '.join(f'{r:.2f}' for r in per_round)}"
    )
