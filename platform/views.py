"""Views every host shares: health check and the page for unknown hosts."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """Load-balancer probe: database and broker reachable. 200 when both are, 503 otherwise."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - the probe reports, it never raises
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _check_broker() -> str:
    from kreisportal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok"


def unknown_host(request: HttpRequest) -> HttpResponse:
    """No tenant has this host name: a clear 404 page rather than an error."""
    host = request.get_host().split(":")[0]
    return TemplateResponse(request, "kreisportal/unknown_host.html", {"host": host}, status=404)


def tenant_media(request: HttpRequest, path: str) -> HttpResponse:
    """Uploaded files of the current tenant only (files live under MEDIA_ROOT/<schema>/).

    Production serves these from the web server with the same rule; another tenant's file is
    a 404 here even when its path is guessed.
    """
    from django.conf import settings
    from django.http import Http404
    from django.views.static import serve

    if not path.startswith(f"{connection.schema_name}/"):
        raise Http404("Datei nicht gefunden")
    return serve(request, path, document_root=settings.MEDIA_ROOT)


def tls_allowed(request: HttpRequest) -> HttpResponse:
    """Caddy's on-demand TLS asks here before getting a certificate for a host name:
    200 for the platform's own hosts and every tenant's domain, 404 for anything else."""
    from tenants.models import Domain

    domain = (request.GET.get("domain") or "").strip().lower().rstrip(".")
    allowed = bool(domain) and Domain.objects.filter(domain=domain).exists()
    return HttpResponse(
        "ok" if allowed else "unknown domain",
        status=200 if allowed else 404,
        content_type="text/plain",
    )
