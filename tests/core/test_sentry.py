"""Sentry events carry the tenant: checked against a local HTTP endpoint that receives the
envelope (no network)."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sentry_sdk
from django.test import Client

from kreisportal.observability import init_sentry


class _EnvelopeSink(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - http.server naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # only if sentry-sdk chose brotli; then the package is installed

            body = brotli.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_sink():
    _EnvelopeSink.received = []
    server = HTTPServer(("127.0.0.1", 0), _EnvelopeSink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://publickey@127.0.0.1:{server.server_port}/42"
    assert init_sentry(dsn=dsn, environment="test")
    yield _EnvelopeSink.received
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)
    server.shutdown()


def _events(envelopes: list[bytes]) -> list[dict]:
    events = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_error_in_a_tenant_request_is_tagged_with_that_tenant(sentry_sink, db, settings):
    settings.ROOT_URLCONF = "tests.support.urls_failing"
    client = Client(raise_request_exception=False)
    response = client.get("/fail", HTTP_HOST=f"geilenkirchen.{settings.BASE_DOMAIN}")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)
    events = _events(sentry_sink)
    assert len(events) == 1
    assert events[0]["tags"]["tenant"] == "geilenkirchen"
    assert "deliberate failure" in json.dumps(events[0]["exception"])


def test_event_outside_a_request_is_tagged_with_the_connections_tenant(sentry_sink, in_tenant):
    with in_tenant("wegberg"), sentry_sdk.new_scope():
        sentry_sdk.capture_message("background job problem")
    sentry_sdk.flush(timeout=5)
    events = _events(sentry_sink)
    assert [e["tags"]["tenant"] for e in events] == ["wegberg"]


def test_sentry_stays_off_without_dsn():
    assert init_sentry(dsn="", environment="test") is False
