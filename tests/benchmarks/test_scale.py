"""Scale: provision many tenants by cloning, then compare citizen page latency and throughput of
a real gunicorn process (one worker = one core) with 11 tenants and with many, under load from
locust on loopback.

The suite provisions KREISPORTAL_SCALE_TENANTS tenants (default 10: CI only shows that the benchmark
works); the figures for 1,000 come from
`KREISPORTAL_SCALE_TENANTS=1000 pytest tests/benchmarks/test_scale.py`.
The extra tenants are committed and removed again at the end.
"""

from __future__ import annotations

import csv
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import database_url_for_subprocess

pytestmark = pytest.mark.benchmark
EXTRA_TENANTS = int(os.environ.get("KREISPORTAL_SCALE_TENANTS", "10"))
LOAD_SECONDS = int(os.environ.get("KREISPORTAL_SCALE_LOAD_SECONDS", "5"))
USERS = 4
HOST = f"erkelenz.{settings.BASE_DOMAIN}"
PAGES = {
    "home (page cache)": ("/", False),
    "home (uncached)": ("/", True),
    "service page": ("/leistungen/99008001012000/", False),
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(database_url: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kreisportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        # persistent connections, as in production (deploy/): a new PostgreSQL connection per
        # request would dominate a cached page
        env={**os.environ, "DATABASE_URL": database_url, "DB_CONN_MAX_AGE": "60"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": HOST})
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2):
                return process, port
        except Exception:  # noqa: BLE001 - still starting
            time.sleep(0.3)
    process.kill()
    raise AssertionError("gunicorn did not come up")


def _load(port: int, path: str, uncached: bool, workdir: Path) -> dict[str, float]:
    """One headless locust run; p50/p95 in ms and requests per second."""
    prefix = workdir / f"run-{time.monotonic_ns()}"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "--only-summary",
            "-u",
            str(USERS),
            "-r",
            str(USERS),
            "-t",
            f"{LOAD_SECONDS}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--loglevel",
            "WARNING",
        ],
        env={
            **os.environ,
            "BENCH_HOST_HEADER": HOST,
            "BENCH_PATH": path,
            "BENCH_UNCACHED": "1" if uncached else "",
        },
        check=True,
        capture_output=True,
        timeout=LOAD_SECONDS + 60,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    assert int(row["Request Count"]) > 0 and int(row["Failure Count"]) == 0, row
    return {
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "rps": float(row["Requests/s"]),
    }


def _warm_up(port: int, path: str, uncached: bool, requests: int = 20) -> None:
    """Fill caches and open the worker's database connection before measuring."""
    headers = {"Host": HOST, **({"Cookie": "sessionid=benchmark-no-session"} if uncached else {})}
    for _ in range(requests):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200


def _measure(database_url: str, workdir: Path) -> dict[str, dict[str, float]]:
    process, port = _start_server(database_url)
    try:
        results = {}
        for name, (path, uncached) in PAGES.items():
            _warm_up(port, path, uncached)
            results[name] = _load(port, path, uncached, workdir)
        return results
    finally:
        process.terminate()
        process.wait(timeout=30)


def _remove(tenants) -> None:
    """Drop the benchmark's schemas a few per transaction (each holds ~1,000 locks), then their
    rows (domains cascade)."""
    from django.db import connection

    schemas = list(tenants.values_list("schema_name", flat=True))
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for start in range(0, len(schemas), 4):
            names = ", ".join(quote(name) for name in schemas[start : start + 4])
            cursor.execute(f"DROP SCHEMA IF EXISTS {names} CASCADE")
    tenants.delete()  # the queryset delete: no second DROP per tenant


CATALOGUE_TABLES = (
    "pg_class pg_attribute pg_attrdef pg_constraint pg_depend pg_index pg_type pg_namespace "
    "pg_sequence pg_trigger pg_statistic"
).split()


def _wait_for_autovacuum(quiet_polls: int = 3, limit: float = 600.0) -> float:
    """Wait until no autovacuum worker has run for a few polls (after provisioning, autovacuum
    analyzes thousands of new tables with rows, competing with the server for the two cores).
    Returns the seconds waited; gives up after `limit`."""
    from django.db import connection

    started = time.perf_counter()
    quiet = 0
    while quiet < quiet_polls and time.perf_counter() - started < limit:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            busy = cursor.fetchone()[0]
        quiet = 0 if busy else quiet + 1
        time.sleep(2)
    return time.perf_counter() - started


def _settle_statistics() -> float:
    """VACUUM ANALYZE the system catalogue, ANALYZE the tables the measured pages read (public
    and Erkelenz's schema) and CHECKPOINT, as autovacuum and the checkpointer soon would after
    mass DDL or seeding: both measurements then compare serving with fresh statistics, not
    background work competing for the two cores or plans made for empty tables."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) " + ", ".join(f"pg_catalog.{table}" for table in CATALOGUE_TABLES)
        )
        cursor.execute(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname IN ('public', 'erkelenz') AND c.relkind = 'r'"
        )
        tables = [name for (name,) in cursor.fetchall()]
        cursor.execute("ANALYZE " + ", ".join(tables))
        # the WAL of mass DDL would otherwise be checkpointed during the measurement
        cursor.execute("CHECKPOINT")
    return time.perf_counter() - started


def test_many_tenants_provisioning_and_page_latency(
    django_db_setup, django_db_blocker, benchmark_report, tmp_path
):
    from django.db import connection

    from tenants.actions import do_create_tenant
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        database_url = database_url_for_subprocess()
        # never the development database, whatever pytest-django decided to set up
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict
        portals_before = Tenant.objects.portals().count()
        _settle_statistics()
        waited_before = _wait_for_autovacuum()
    before = _measure(database_url, tmp_path)

    created: list[str] = []
    each: list[float] = []  # seconds per tenant, in order: does provisioning slow down?
    started = time.perf_counter()
    try:
        with django_db_blocker.unblock():
            for index in range(EXTRA_TENANTS):
                slug = f"skala-{index:04d}"
                one_started = time.perf_counter()
                do_create_tenant(
                    name=f"Skalierungstest {index}",
                    slug=slug,
                    kind="municipality",
                    ags=f"0999{index:04d}",
                    actor="benchmark",
                )
                created.append(slug)
                each.append(time.perf_counter() - one_started)
                if len(each) % 100 == 0:  # progress of long runs (visible with -s)
                    print(
                        f"{len(each)} tenants provisioned, last 100: "
                        f"{statistics.mean(each[-100:]):.2f} s each",
                        flush=True,
                    )
        provisioning = time.perf_counter() - started
        with django_db_blocker.unblock():
            vacuum = _settle_statistics()
            waited_after = _wait_for_autovacuum()
        after = _measure(database_url, tmp_path)
    finally:
        removal_started = time.perf_counter()
        with django_db_blocker.unblock():
            _remove(Tenant.objects.filter(slug__in=created))
        removal = time.perf_counter() - removal_started

    total = portals_before + EXTRA_TENANTS
    benchmark_report(
        f"provisioned {EXTRA_TENANTS} tenants by cloning in {provisioning:.1f} s "
        f"({provisioning / max(EXTRA_TENANTS, 1) * 1000:.0f} ms each, incl. domains, Wagtail "
        f"site, home page, audit); removed again in {removal:.1f} s; catalogue vacuumed "
        f"and statistics refreshed before measuring in {vacuum:.1f} s; waited for autovacuum "
        f"to go quiet {waited_before:.0f} s before, {waited_after:.0f} s after provisioning"
    )
    tenth = max(len(each) // 10, 1)
    benchmark_report(
        f"provisioning one tenant: first {tenth} mean {statistics.mean(each[:tenth]):.2f} s, "
        f"last {tenth} mean {statistics.mean(each[-tenth:]):.2f} s, "
        f"slowest {max(each):.2f} s (with {portals_before + len(each)} tenants in the database)"
    )
    for name in PAGES:
        b, a = before[name], after[name]
        benchmark_report(
            f"{name:<18} {portals_before} tenants p50 {b['p50']:.0f} ms p95 {b['p95']:.0f} ms "
            f"{b['rps']:.0f} req/s | {total} tenants p50 {a['p50']:.0f} ms p95 {a['p95']:.0f} ms "
            f"{a['rps']:.0f} req/s | p95 ratio {a['p95'] / max(b['p95'], 1):.2f} (target ≤ 1.2)"
        )
    benchmark_report(
        f"(one gunicorn sync worker = one core, {USERS} locust users without think time, "
        f"{LOAD_SECONDS} s per page after 20 warm-up requests, load generator on the same "
        "2-core machine)"
    )
