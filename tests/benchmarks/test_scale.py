"""Scale: provision many tenants by cloning, then compare citizen page latency and throughput of
a real gunicorn process (one worker = one core) with 11 tenants and with many, under load from
locust on loopback.

The 11-tenant side is a copy of the test database taken before provisioning (`CREATE DATABASE …
TEMPLATE`, same server). Both databases are then served by their own gunicorn process and
measured in alternating rounds: measured one after the other, background work of the server or
the machine (checkpoints, autovacuum, the other core) landed on one side only, and the p95 ratio
of the home page swung between 0.75 and 1.57 over four runs with the same code.

The suite provisions KREISPORTAL_SCALE_TENANTS tenants (default 10: CI only shows that the benchmark
works); the figures for 1,000 come from
`KREISPORTAL_SCALE_TENANTS=1000 KREISPORTAL_SCALE_ROUNDS=5 KREISPORTAL_SCALE_LOAD_SECONDS=10
pytest tests/benchmarks/test_scale.py`.
The extra tenants are committed and removed again at the end, the copy dropped.
"""

from __future__ import annotations

import csv
import json
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
LOAD_SECONDS = int(os.environ.get("KREISPORTAL_SCALE_LOAD_SECONDS", "4"))
ROUNDS = int(os.environ.get("KREISPORTAL_SCALE_ROUNDS", "2"))
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


def _start_server(database_url: str, home: Path) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free port; `home` keeps its page cache apart from the other server's."""
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
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            # persistent connections, as in production (deploy/): a new PostgreSQL connection
            # per request would dominate a cached page
            "DB_CONN_MAX_AGE": "60",
            "KREISPORTAL_HOME": str(home),
            "STATIC_ROOT": str(settings.STATIC_ROOT),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        },
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
            "BENCH_SAMPLES": f"{prefix}_times.json",
        },
        check=True,
        capture_output=True,
        timeout=LOAD_SECONDS + 60,
    )
    with open(f"{prefix}_stats.csv", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    assert int(row["Request Count"]) > 0 and int(row["Failure Count"]) == 0, row
    # the exact response times (locust's percentiles are rounded to whole milliseconds)
    times = sorted(json.loads(Path(f"{prefix}_times.json").read_text()))
    return {
        "p50": statistics.median(times),
        "p95": times[max(int(0.95 * len(times)) - 1, 0)],
        "rps": float(row["Requests/s"]),
    }


def _warm_up(port: int, path: str, uncached: bool, requests: int = 20) -> None:
    """Fill caches and open the worker's database connection before measuring."""
    headers = {"Host": HOST, **({"Cookie": "sessionid=benchmark-no-session"} if uncached else {})}
    for _ in range(requests):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200


def _measure_alternating(
    database_urls: dict[str, str], workdir: Path
) -> dict[str, dict[str, list[dict[str, float]]]]:
    """Serve each database with its own gunicorn and load them in turn, page by page, for
    ROUNDS rounds (the order of the sides flips every round). Returns side -> page -> runs."""
    servers = {}
    try:
        for side, url in database_urls.items():
            home = workdir / f"home-{side}"
            home.mkdir()
            servers[side] = _start_server(url, home)
        for _, port in servers.values():
            for path, uncached in PAGES.values():
                _warm_up(port, path, uncached)
        results = {side: {name: [] for name in PAGES} for side in servers}
        order = list(servers)
        for _ in range(ROUNDS):
            for name, (path, uncached) in PAGES.items():
                for side in order:
                    results[side][name].append(_load(servers[side][1], path, uncached, workdir))
            order.reverse()
        return results
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)


def _maintenance_connection():
    """Autocommit connection to the server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg
    from django.db import connection

    params = connection.settings_dict
    return psycopg.connect(
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or None,
        user=params.get("USER") or "postgres",
        password=params.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _copy_database(source: str, target: str, attempts: int = 30) -> None:
    """A copy of `source` on the same server. PostgreSQL copies only a database nobody is
    connected to: this process's connection is closed first (Django reopens it), and an
    autovacuum worker that happens to be in it is waited out."""
    from django.db import connection
    from psycopg import errors, sql

    connection.close()
    create = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(target), sql.Identifier(source)
    )
    with _maintenance_connection() as maintenance:
        maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(target)))
        for attempt in range(attempts):
            try:
                maintenance.execute(create)
                return
            except errors.ObjectInUse:
                if attempt == attempts - 1:
                    others = maintenance.execute(
                        "SELECT backend_type, application_name, state FROM pg_stat_activity "
                        "WHERE datname = %s",
                        [source],
                    ).fetchall()
                    raise AssertionError(
                        f"{source} stays in use, cannot copy it: {others}"
                    ) from None
                time.sleep(1)


def _drop_database(name: str) -> None:
    from psycopg import sql

    with _maintenance_connection() as maintenance:
        maintenance.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


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


def _median(runs: list[dict[str, float]], figure: str) -> float:
    return statistics.median(run[figure] for run in runs)


def test_many_tenants_provisioning_and_page_latency(
    django_db_setup, django_db_blocker, benchmark_report, tmp_path
):
    from django.db import connection

    from tenants.actions import do_create_tenant
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        database_url = database_url_for_subprocess()
        database = connection.settings_dict["NAME"]
        # never the development database, whatever pytest-django decided to set up
        assert database.startswith("test_"), connection.settings_dict
        portals_before = Tenant.objects.portals().count()
        _settle_statistics()
        waited_before = _wait_for_autovacuum()
        baseline = f"{database}_baseline"
        copy_started = time.perf_counter()
        _copy_database(database, baseline)
        copying = time.perf_counter() - copy_started
    baseline_url = database_url.rsplit("/", 1)[0] + f"/{baseline}"

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
        total = portals_before + EXTRA_TENANTS
        results = _measure_alternating({"few": baseline_url, "many": database_url}, tmp_path)
    finally:
        removal_started = time.perf_counter()
        with django_db_blocker.unblock():
            _remove(Tenant.objects.filter(slug__in=created))
            _drop_database(baseline)
        removal = time.perf_counter() - removal_started

    benchmark_report(
        f"provisioned {EXTRA_TENANTS} tenants by cloning in {provisioning:.1f} s "
        f"({provisioning / max(EXTRA_TENANTS, 1) * 1000:.0f} ms each, incl. domains, Wagtail "
        f"site, home page, audit); removed again in {removal:.1f} s; catalogue vacuumed "
        f"and statistics refreshed before measuring in {vacuum:.1f} s; waited for autovacuum "
        f"to go quiet {waited_before:.0f} s before, {waited_after:.0f} s after provisioning; "
        f"{portals_before}-tenant copy of the database made in {copying:.1f} s"
    )
    tenth = max(len(each) // 10, 1)
    benchmark_report(
        f"provisioning one tenant: first {tenth} mean {statistics.mean(each[:tenth]):.2f} s, "
        f"last {tenth} mean {statistics.mean(each[-tenth:]):.2f} s, "
        f"slowest {max(each):.2f} s (with {portals_before + len(each)} tenants in the database)"
    )
    for name in PAGES:
        few, many = results["few"][name], results["many"][name]
        ratios = " ".join(
            f"{m['p95'] / max(f['p95'], 0.001):.2f}" for f, m in zip(few, many, strict=True)
        )
        benchmark_report(
            f"{name:<18} {portals_before} tenants p50 {_median(few, 'p50'):.1f} ms "
            f"p95 {_median(few, 'p95'):.1f} ms {_median(few, 'rps'):.0f} req/s | "
            f"{total} tenants p50 {_median(many, 'p50'):.1f} ms p95 {_median(many, 'p95'):.1f} ms "
            f"{_median(many, 'rps'):.0f} req/s | p95 ratio "
            f"{_median(many, 'p95') / max(_median(few, 'p95'), 0.001):.2f} (target ≤ 1.2; "
            f"per round {ratios})"
        )
    benchmark_report(
        f"(medians of {ROUNDS} alternating rounds; two gunicorn processes on the same "
        f"PostgreSQL server, one sync worker each = one core, only one under load at a time; "
        f"{USERS} locust users without think time, {LOAD_SECONDS} s per page and round after "
        "20 warm-up requests; load generator on the same 2-core machine)"
    )
