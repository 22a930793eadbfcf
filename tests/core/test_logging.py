"""Structured logs: every record carries the tenant (schema) and the request id; JSON in
production; the request id is echoed, sanitised, carried into Celery tasks and Sentry events."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import uuid

import pytest
import sentry_sdk
from django.conf import settings
from django.test import Client

from kreisportal.logging import PortalJsonFormatter, TenantContextFilter
from kreisportal.request_id import SANE_REQUEST_ID, request_id_var
from tests.conftest import database_url_for_subprocess
from tests.core.test_sentry import _events, sentry_sink  # noqa: F401 - fixture


def host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


class _Capture(logging.Handler):
    """A handler configured like the production one: the context filter, the JSON format."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.stream = io.StringIO()
        self.addFilter(TenantContextFilter())
        self.setFormatter(PortalJsonFormatter())

    def emit(self, record):
        self.stream.write(self.format(record) + "\n")

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]


@pytest.fixture
def json_log():
    handler = _Capture()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def test_a_requests_log_record_has_tenant_and_request_id(client, db, json_log):
    response = client.get(
        "/gibt-es-nicht/", HTTP_HOST=host("gangelt"), HTTP_X_REQUEST_ID="caddy-4f9a1c2e77"
    )
    assert response.status_code == 404
    assert response["X-Request-ID"] == "caddy-4f9a1c2e77"
    (line,) = [r for r in json_log.lines() if r["logger"] == "django.request"]
    assert line["tenant"] == "gangelt"
    assert line["request_id"] == "caddy-4f9a1c2e77"
    assert line["level"] == "WARNING" and "Not Found" in line["message"] and "time" in line


def test_a_request_id_is_generated_when_the_proxy_sends_none(client, db):
    first = client.get("/healthz", HTTP_HOST=host("erkelenz"))["X-Request-ID"]
    second = client.get("/healthz", HTTP_HOST=host("erkelenz"))["X-Request-ID"]
    assert SANE_REQUEST_ID.fullmatch(first) and first != second


@pytest.mark.parametrize(
    "hostile",
    [
        "abc123\r\nX-Injected: 1",
        "abcdefgh\nforged log line",
        "a" * 500,
        "short",
        "<script>alert(1)</script>",
        "ünïcödé-request-id",
        "",
    ],
)
def test_a_hostile_request_id_is_replaced(client, db, json_log, hostile):
    response = client.get("/gibt-es-nicht/", HTTP_HOST=host("erkelenz"), HTTP_X_REQUEST_ID=hostile)
    assert response.status_code == 404  # never a 500 on a bad header
    echoed = response["X-Request-ID"]
    assert echoed != hostile and SANE_REQUEST_ID.fullmatch(echoed) and len(echoed) == 32
    (line,) = [r for r in json_log.lines() if r["logger"] == "django.request"]
    assert line["request_id"] == echoed


def test_unknown_hosts_and_the_public_host_carry_their_context(client, db, json_log):
    client.get("/nope", HTTP_HOST=settings.BASE_DOMAIN, HTTP_X_REQUEST_ID="public-req-0001")
    assert json_log.lines()[-1]["tenant"] == "public"
    response = client.get("/", HTTP_HOST="aachen.example", HTTP_X_REQUEST_ID="unknown-host-01")
    assert response.status_code == 404 and response["X-Request-ID"] == "unknown-host-01"


def test_records_outside_a_request_carry_the_connections_tenant(in_tenant, json_log):
    with in_tenant("selfkant"):
        logging.getLogger("kreisportal.test").warning("background work")
    line = json_log.lines()[-1]
    assert (line["tenant"], line["request_id"]) == ("selfkant", "-")


def test_development_log_lines_are_readable_text_with_the_context(in_tenant):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TenantContextFilter())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    logger = logging.getLogger("kreisportal.test.plain")
    logger.addHandler(handler)
    token = request_id_var.set("dev-request-1")
    try:
        with in_tenant("wassenberg"):
            logger.warning("hallo")
    finally:
        request_id_var.reset(token)
        logger.removeHandler(handler)
    assert "WARNING [wassenberg dev-request-1] kreisportal.test.plain: hallo" in stream.getvalue()


def test_sentry_events_carry_the_request_id(sentry_sink, db, settings):  # noqa: F811
    settings.ROOT_URLCONF = "tests.support.urls_failing"
    response = Client(raise_request_exception=False).get(
        "/fail", HTTP_HOST=host("geilenkirchen"), HTTP_X_REQUEST_ID="sentry-req-0042"
    )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)
    (event,) = _events(sentry_sink)
    assert event["tags"]["request_id"] == "sentry-req-0042"
    assert event["tags"]["tenant"] == "geilenkirchen"


def test_production_settings_log_json(tmp_path):
    env = {
        **os.environ,
        "KREISPORTAL_PRODUCTION": "1",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "DATABASE_URL": "postgresql://unused@127.0.0.1:1/unused",
        "KREISPORTAL_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kreisportal.settings",
    }
    env.pop("LOG_FORMAT", None)
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('kreisportal.x').warning('hallo %s', 'welt')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["message"] == "hallo welt" and record["level"] == "WARNING"
    assert record["tenant"] == "public" and record["request_id"] == "-"


# --- Celery: a real worker logs the tenant and the request id of the request that queued ----


def test_a_worker_logs_the_tenant_and_request_id_of_the_queuing_request(
    django_db_setup, django_db_blocker, in_tenant, tmp_path
):
    from kreisportal.tasks import current_schema

    queue = f"test-log-{uuid.uuid4().hex[:10]}"
    with django_db_blocker.unblock():
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocess(),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "kreisportal.celery", "worker", "-Q", queue]
        + ["--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        + ["--loglevel", "INFO"],  # as `kreisportal worker` runs it
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        token = request_id_var.set("req-from-web-0007")
        try:
            with in_tenant("hueckelhoven"):
                result = current_schema.apply_async(queue=queue)
        finally:
            request_id_var.reset(token)
        assert result.get(timeout=90) == "hueckelhoven"
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    records = []
    for line in output.splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    probes = [r for r in records if r.get("message") == "schema probe ran"]
    assert len(probes) == 1, output[-3000:]
    (probe,) = probes
    assert probe["tenant"] == "hueckelhoven"
    assert probe["request_id"] == "req-from-web-0007"
