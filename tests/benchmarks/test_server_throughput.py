"""Requests per second of the portal next to a bare Django app, on the same machine in the same
run: each served by one sync gunicorn worker (= one core), loaded in alternating rounds with the
order flipped every round, 4 requests in flight (like `ab -c 4`), one connection per request; a
row's ratio is the median of its rounds' ratios.

Rows (portal page vs the bare app's counterpart):
- cached tenant home page vs a bare view returning a page of the same size (target ≥ 0.5);
- a static file vs the same file from WhiteNoise in the bare app (target ≥ 0.8);
- a 404 page vs bare Django's 404 (target ≥ 0.3): a missing path asked for again, answered
  from the page cache like a page; a missing path asked for the first time (a new path on
  every request: the tenant's kept 404 page, cms.cache `_known_not_found`); the same 404 for a
  visitor with a session cookie passes the whole chain (Wagtail lookup, redirects, the
  rendered branded page);
- the cached home page reached through a shared link with a new click id (`?fbclid=…`) on
  every request;
- cached service page, uncached home and service pages (a session cookie makes the visitor
  non-anonymous for the page cache): requests/s and p95, the ratio to the bare page and to the
  previous run's figures (kept in $KREISPORTAL_HOME/benchmarks/throughput.json).

The portal runs with its default settings (nothing tuned for the benchmark). The default run is
short, for CI (three rounds, about a minute of load); longer, steadier figures:
`KREISPORTAL_THROUGHPUT_SECONDS=10 KREISPORTAL_THROUGHPUT_ROUNDS=5 pytest
tests/benchmarks/test_server_throughput.py`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.benchmarks.test_scale import _free_port
from tests.conftest import database_url_for_subprocess

pytestmark = pytest.mark.benchmark

LOAD_SECONDS = float(os.environ.get("KREISPORTAL_THROUGHPUT_SECONDS", "1.5"))
ROUNDS = int(os.environ.get("KREISPORTAL_THROUGHPUT_ROUNDS", "3"))
CONCURRENCY = 4
HOST = f"erkelenz.{settings.BASE_DOMAIN}"
SERVICE = "/leistungen/99008001012000/"
UNCACHED = "sessionid=benchmark-no-session"
STATIC = "/static/kreisportal/portal.css"
ROOT = Path(__file__).resolve().parents[2]
# In a path: replaced by a new number on every request (tests/benchmarks/loadgen.py keeps one
# fixed request, so such rows go through the small loader below instead).
UNIQUE = "{n}"
# The loader for such rows: loadgen.py's loop, building each request with its own path.
_UNIQUE_PATH_LOADER = """
import json, socket, sys, threading, time, itertools
port, host, path, seconds, concurrency = sys.argv[1:6]
numbers = itertools.count()
lock = threading.Lock()
latencies, statuses = [], {}
def one():
    with lock:
        n = next(numbers)
    request = (f"GET {path.replace('{n}', str(n))} HTTP/1.1\\r\\nHost: {host}\\r\\n"
               "Accept: text/html\\r\\nConnection: close\\r\\n\\r\\n").encode()
    with socket.create_connection(("127.0.0.1", int(port)), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)[9:12]
def worker():
    mine, seen = [], {}
    while (started := time.perf_counter()) < deadline:
        status = one()
        mine.append(time.perf_counter() - started)
        seen[status] = seen.get(status, 0) + 1
    with lock:
        latencies.extend(mine)
        for status, count in seen.items():
            statuses[status] = statuses.get(status, 0) + count
expected = one()
began = time.perf_counter()
deadline = began + float(seconds)
threads = [threading.Thread(target=worker) for _ in range(int(concurrency))]
[t.start() for t in threads]
[t.join() for t in threads]
elapsed = time.perf_counter() - began
latencies.sort()
print(json.dumps({
    "requests": len(latencies),
    "failures": sum(c for s, c in statuses.items() if s != expected),
    "status": expected.decode(),
    "rps": len(latencies) / elapsed,
    "p50": latencies[len(latencies) // 2] * 1000,
    "p95": latencies[max(int(0.95 * len(latencies)) - 1, 0)] * 1000,
}))
"""

# name: (portal path, portal cookie, bare path, expected status, target ratio or None)
ROWS = {
    "cached home page": ("/", "", "/", 200, 0.5),
    # a shared link: a new click id on every request (cms.cache drops tracking parameters)
    "cached home, click id": (f"/?fbclid={UNIQUE}", "", f"/?fbclid={UNIQUE}", 200, None),
    "static file": (STATIC, "", STATIC, 200, 0.8),
    "404 page": ("/gibt-es-nicht/", "", "/gibt-es-nicht/", 404, 0.3),
    "404 page (first time)": (f"/nie-gefragt-{UNIQUE}/", "", f"/nie-gefragt-{UNIQUE}/", 404, None),
    "404 page (not cached)": ("/gibt-es-nicht/", UNCACHED, "/gibt-es-nicht/", 404, None),
    "cached service page": (SERVICE, "", "/", 200, None),
    "uncached home page": ("/", UNCACHED, "/", 200, None),
    "uncached service page": (SERVICE, UNCACHED, "/", 200, None),
}


def _start(app: str, env: dict[str, str | None]) -> tuple[subprocess.Popen, int]:
    """gunicorn serving `app` on a free port; `env` on top of ours (None removes a variable)."""
    port = _free_port()
    merged = {**os.environ, **env}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={key: value for key, value in merged.items() if value is not None},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _get(port, STATIC)
            return process, port
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"{app} exited with {process.returncode}") from None
            time.sleep(0.3)
    process.kill()
    raise AssertionError(f"{app} did not come up")


def _get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    path = path.replace(UNIQUE, "warm-up")
    headers = {"Host": HOST, **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _load(port: int, path: str, cookie: str, status: int) -> dict[str, float]:
    args = [str(port), HOST, path, str(LOAD_SECONDS), str(CONCURRENCY)]
    if UNIQUE in path:
        command = [sys.executable, "-c", _UNIQUE_PATH_LOADER, *args]
    else:
        command = [sys.executable, str(Path(__file__).with_name("loadgen.py")), *args]
    done = subprocess.run(
        command + ([cookie] if cookie else []),
        check=True,
        capture_output=True,
        text=True,
        timeout=LOAD_SECONDS + 120,
    )
    figures = json.loads(done.stdout)
    assert figures["status"] == str(status) and figures["failures"] == 0, (path, figures)
    return figures


def _median(runs: list[dict[str, float]], figure: str) -> float:
    return statistics.median(run[figure] for run in runs)


def test_portal_next_to_bare_django(django_db_setup, benchmark_report, tmp_path):
    portal_env: dict[str, str | None] = {
        "DATABASE_URL": database_url_for_subprocess(),
        "KREISPORTAL_HOME": str(tmp_path / "portal-home"),
        "STATIC_ROOT": str(settings.STATIC_ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DB_CONN_MAX_AGE": None,  # the defaults as shipped
    }
    servers: dict[str, tuple[subprocess.Popen, int]] = {}
    try:
        servers["portal"] = _start("kreisportal.wsgi:application", portal_env)
        port = servers["portal"][1]
        for path, cookie, _, status, _ in ROWS.values():
            for _ in range(20):  # fills the page cache, imports lazily loaded code
                assert _get(port, path, cookie)[0] == status, path
        page_bytes = len(_get(port, "/")[1])
        servers["bare"] = _start(
            "tests.benchmarks.bare_django:application", {"BENCH_PAGE_BYTES": str(page_bytes)}
        )
        for _, _, bare_path, _, _ in ROWS.values():
            for _ in range(20):
                _get(servers["bare"][1], bare_path)
        results: dict[str, dict[str, list]] = {name: {"portal": [], "bare": []} for name in ROWS}
        order = ["bare", "portal"]
        for _ in range(ROUNDS):
            for name, (path, cookie, bare_path, status, _) in ROWS.items():
                for side in order:
                    if side == "portal":
                        figures = _load(servers["portal"][1], path, cookie, status)
                    else:
                        figures = _load(servers["bare"][1], bare_path, "", status)
                    results[name][side].append(figures)
            order.reverse()
    finally:
        for process, _ in servers.values():
            process.terminate()
            process.wait(timeout=30)

    history = Path(settings.KREISPORTAL_HOME) / "benchmarks" / "throughput.json"
    try:
        previous = json.loads(history.read_text())
    except (OSError, ValueError):
        previous = {}
    current = {}
    for name, (_, _, _, _, target) in ROWS.items():
        portal, bare = results[name]["portal"], results[name]["bare"]
        rps, p95 = _median(portal, "rps"), _median(portal, "p95")
        bare_rps = _median(bare, "rps")
        current[name] = {"rps": rps, "p95": p95}
        # each round's two sides ran back to back: their ratio is steadier than one of medians
        # taken over the whole run (the machine's speed drifts between rounds)
        rounds = [mine["rps"] / theirs["rps"] for mine, theirs in zip(portal, bare, strict=True)]
        ratio = statistics.median(rounds)
        goal = f" (target ≥ {target})" if target else ""
        before = previous.get(name)
        since = (
            f"; vs previous run: req/s ×{rps / before['rps']:.2f}, p95 ×{p95 / before['p95']:.2f}"
            if before
            else ""
        )
        benchmark_report(
            f"throughput {name:<22} portal {rps:6.0f} req/s p95 {p95:5.1f} ms | bare Django "
            f"{bare_rps:6.0f} req/s p95 {_median(bare, 'p95'):5.1f} ms | ratio {ratio:.2f}"
            f"{goal} (rounds {', '.join(f'{r:.2f}' for r in rounds)}){since}"
        )
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text(json.dumps(current, indent=1))
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    benchmark_report(
        f"(throughput: medians of {ROUNDS} alternating rounds of {LOAD_SECONDS:g} s per page "
        f"and side, a ratio the median of the rounds' ratios, {CONCURRENCY} requests in flight, "
        f"one sync gunicorn worker per app, page of "
        f"{page_bytes} bytes; load generator on the same machine, {os.cpu_count()} cores, load "
        f"average {load} at the end)"
    )
