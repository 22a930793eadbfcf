"""XZuFi 2.2 export and import of Erkelenz's full catalogue: time and size. Prints figures only."""

from __future__ import annotations

import statistics
import time

import pytest

from services.models import Service
from services.xzufi.export import build_export
from services.xzufi.importer import import_xzufi, parse_xzufi

pytestmark = pytest.mark.benchmark


def test_xzufi_export_and_import_of_erkelenz(tenant, in_tenant, benchmark_report):
    erkelenz = tenant("erkelenz")
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        with in_tenant("erkelenz"):
            document = build_export(tenant=erkelenz)
        timings.append(time.perf_counter() - started)
    services = Service.objects.count()
    benchmark_report(
        f"XZuFi export erkelenz: {services} services, {len(document) / 1_000_000:.1f} MB, "
        f"median {statistics.median(timings):.2f} s over {len(timings)} runs"
    )
    started = time.perf_counter()
    parsed = parse_xzufi(document)
    parse_seconds = time.perf_counter() - started
    started = time.perf_counter()
    report = import_xzufi(data=document)
    import_seconds = time.perf_counter() - started
    assert len(parsed) == services and report.unchanged == services
    benchmark_report(
        f"XZuFi parse of that file: {parse_seconds:.2f} s; "
        f"import (all unchanged): {import_seconds:.2f} s"
    )
