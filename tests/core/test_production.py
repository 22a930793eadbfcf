"""Production settings: `check --deploy` clean, secrets only from the environment, HTTPS only
(HSTS, redirect, secure cookies) with the probes still answering over plain HTTP."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import database_url_for_subprocess


def host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _production_env(tmp_path, **overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"}
    }
    env.update(
        {
            "KREISPORTAL_PRODUCTION": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url_for_subprocess(),
            "KREISPORTAL_HOME": str(tmp_path / "home"),
            "BASE_DOMAIN": "kreisportal.example",
            "DJANGO_SETTINGS_MODULE": "kreisportal.settings",
        }
    )
    env.update(overrides)
    return env


def _kreisportal(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kreisportal.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_check_deploy_is_clean_in_production(db, tmp_path):
    result = _kreisportal(
        "check", "--deploy", "--fail-level", "WARNING", env=_production_env(tmp_path)
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "ERRORS" not in output


def test_check_deploy_would_complain_without_the_production_switch(db, tmp_path):
    """The check is not vacuous: the same command on development settings fails."""
    env = _production_env(tmp_path, KREISPORTAL_PRODUCTION="0")
    result = _kreisportal("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "security.W004" in output  # no HSTS
    assert "security.W008" in output  # no HTTPS redirect
    assert "security.W012" in output  # session cookie not secure


@pytest.mark.parametrize(
    ("secret", "message"),
    [(None, "SECRET_KEY must be set in production"), ("short", "SECRET_KEY is too weak")],
)
def test_production_refuses_to_start_without_a_strong_secret_key(db, tmp_path, secret, message):
    env = _production_env(tmp_path)
    if secret is None:
        del env["SECRET_KEY"]
    else:
        env["SECRET_KEY"] = secret
    result = _kreisportal("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_debug(db, tmp_path):
    result = _kreisportal("check", env=_production_env(tmp_path, DEBUG="1"))
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


@pytest.fixture
def https_only(settings):
    """The production security settings, applied to the in-process test client."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = False
    return settings


def test_plain_http_is_redirected_to_https(db, https_only):
    response = Client().get("/", HTTP_HOST=host("erkelenz"))
    assert response.status_code == 301
    assert response["Location"] == f"https://{host('erkelenz')}/"


def test_https_responses_carry_hsts_for_all_subdomains_without_preload(db, https_only):
    response = Client().get("/", HTTP_HOST=host("erkelenz"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    hsts = response["Strict-Transport-Security"]
    assert hsts == "max-age=31536000; includeSubDomains"


def test_probes_answer_over_plain_http(db, https_only):
    """Kubernetes probes and Caddy's on-demand TLS question come without TLS."""
    client = Client()
    assert client.get("/healthz", HTTP_HOST=host("erkelenz")).status_code == 200
    assert client.get("/healthz", HTTP_HOST=settings.BASE_DOMAIN).status_code == 200
    allowed = client.get(
        "/tls/allowed", {"domain": host("gangelt")}, HTTP_HOST=settings.BASE_DOMAIN
    )
    assert allowed.status_code == 200
    refused = client.get("/tls/allowed", {"domain": "evil.example"}, HTTP_HOST=settings.BASE_DOMAIN)
    assert refused.status_code == 404
