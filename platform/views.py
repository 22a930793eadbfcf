"""Views every host shares: health check, the page for unknown hosts, and the answers when the
database (or a tenant's schema) is not there."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger(__name__)

DATABASE_DOWN_MESSAGE = gettext_lazy(
    "Wegen einer technischen Störung ist der Dienst gerade nicht verfügbar. "
    "Ihre bisherigen Eingaben und Anträge sind gespeichert."
)
SCHEMA_MISSING_MESSAGE = gettext_lazy(
    "Wegen einer technischen Störung sind die Daten dieses Portals zurzeit nicht verfügbar. "
    "Die IT des Kreises ist informiert."
)


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
    """Public files of the current tenant only (Wagtail images and documents, logos, under
    MEDIA_ROOT/<schema>/). Citizens' documents are not here at all (kreisportal/files.py).

    The path (already percent-decoded) is checked segment by segment before anything else:
    `..`, `.`, empty segments and backslashes are refused outright, so no normalisation done
    later by `serve` can lead out of the tenant's folder. Another tenant's file is a 404 even
    when its path is guessed.
    """
    from django.conf import settings
    from django.http import Http404
    from django.views.static import serve

    segments = path.split("/")
    if (
        "\\" in path
        or any(segment in ("", ".", "..") for segment in segments)
        or segments[0] != connection.schema_name
    ):
        raise Http404("Datei nicht gefunden")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=3600"
    return response


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


def _from_this_host(request: HttpRequest) -> bool:
    """The form was sent from a page of this host: Origin (browsers send it with every POST)
    or, where it is missing, Referer names this host; with neither, nothing speaks against it."""
    source = request.headers.get("Origin", "")
    if not source or source == "null":
        source = request.headers.get("Referer", "")
    if not source:
        return True
    return source.split("://", 1)[-1].split("/", 1)[0] == request.get_host()


@csrf_exempt
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch in every page's footer: sets the language cookie, back to the page.

    Without a CSRF token, on purpose: a token would make every page personal, so no cached copy
    (ours or a CDN's) could be shared between visitors. Nothing is worth protecting here: the
    answer only sets which language this browser is shown; no session, account or record is
    touched. A forged switch from another site could at worst show the portal in English; it
    is refused anyway when Origin/Referer name another host (README "Caching")."""
    if not _from_this_host(request):
        return _error_page(
            request,
            status=403,
            title=_("Zugriff nicht erlaubt"),
            message=_("Die Sprache kann nur auf den Seiten dieses Portals gewechselt werden."),
        )
    language = request.POST.get("language", "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        return _error_page(
            request,
            status=400,
            title=_("Sprache nicht verfügbar"),
            message=_("Diese Sprache gibt es hier nicht. Bitte wählen Sie eine aus der Liste."),
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE or request.is_secure(),
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    add_never_cache_headers(response)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/healthz", "/api/"))


def unavailable(
    request: HttpRequest, *, message: str, checks: dict[str, str], portal_name: str = ""
) -> HttpResponse:
    """503 without touching the database: JSON for the probe and the API, else a German page.

    Rendered without the request's context processors (they read the database)."""
    if _wants_json(request):
        body: dict[str, object] = {"status": "unavailable", "checks": checks}
        if request.path.startswith("/api/"):
            body = {"detail": message, "status": "unavailable"}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        html = render_to_string(
            "kreisportal/unavailable.html", {"message": message, "portal_name": portal_name}
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500 of all URL confs: a database that cannot be reached (restart, failover) is a
    503 that says so, not a traceback page; anything else is the portal's branded 500 page."""
    from django.db import InterfaceError, OperationalError

    exc = sys.exc_info()[1]
    if isinstance(exc, (OperationalError, InterfaceError)):
        return unavailable(
            request,
            message=DATABASE_DOWN_MESSAGE,
            checks={"database": f"error: {exc.__class__.__name__}"},
        )
    return _error_page(
        request,
        status=500,
        title=_("Es ist ein Fehler aufgetreten"),
        message=_(
            "Wegen eines technischen Fehlers konnte die Seite nicht angezeigt werden. Die IT "
            "ist informiert. Bitte versuchen Sie es später noch einmal."
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404 of all URL confs: the portal's page, with navigation, search and a way home."""
    return _error_page(
        request,
        status=404,
        title=_("Seite nicht gefunden"),
        message=_(
            "Die aufgerufene Seite gibt es hier nicht oder nicht mehr. Vielleicht hilft Ihnen "
            "die Suche weiter, oder Sie beginnen auf der Startseite."
        ),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403 of all URL confs."""
    return _error_page(
        request,
        status=403,
        title=_("Zugriff nicht erlaubt"),
        message=_(
            "Diese Seite dürfen Sie nicht aufrufen. Wenn Sie dafür angemeldet sein müssen, "
            "melden Sie sich bitte an und versuchen Sie es erneut."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent with an expired or missing security token (a tab left open
    past the session, cookies blocked) gets the portal's 403 page saying what to do, not
    Django's English technical page."""
    return _error_page(
        request,
        status=403,
        title=_("Formular abgelaufen"),
        message=_(
            "Das Formular war zu lange geöffnet, oder Ihr Browser hat das Sicherheits-Cookie "
            "dieses Portals nicht gesendet. Bitte laden Sie die Seite neu, prüfen Sie Ihre "
            "Angaben und senden Sie das Formular noch einmal."
        ),
    )


def _error_context(request: HttpRequest, *, status: int, title, message) -> dict[str, object]:
    """What the error page offers, decided without the database: the catalogue search on a
    portal, the district-wide finder on the bare base domain, nothing on the admin host."""
    from django_tenants.utils import get_public_schema_name

    tenant = getattr(request, "tenant", None)
    search_action = ""
    catalogue_label = ""
    if getattr(request, "urlconf", None) == "kreisportal.urls_admin":
        pass
    elif getattr(tenant, "schema_name", get_public_schema_name()) == get_public_schema_name():
        search_action, catalogue_label = "/finder/", _("Wer ist zuständig?")
    elif getattr(tenant, "is_portal", False):
        search_action, catalogue_label = "/leistungen/", _("Alle Leistungen")
    return {
        "status": status,
        "title": title,
        "message": message,
        "search_action": search_action,
        "search_label": _("Leistung suchen"),
        "catalogue_label": catalogue_label,
        "home_url": "/",
        "portal_name": getattr(tenant, "name", ""),
    }


def _error_page(request: HttpRequest, *, status: int, title, message) -> HttpResponse:
    """The branded page (the portal's base template with its navigation); when that cannot be
    rendered (the error came from the database or the templates' data), a plain page that
    needs neither the database nor the request's context processors."""
    context = _error_context(request, status=status, title=title, message=message)
    try:
        html = render_to_string("kreisportal/error.html", context, request=request)
    except Exception:  # noqa: BLE001 - an error page must not fail
        logger.exception("error page %s rendered without the portal's context", status)
        html = render_to_string("kreisportal/error_plain.html", context)
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def schema_missing(request: HttpRequest, tenant) -> HttpResponse:
    """The tenant's row and domain exist but its schema does not (dropped by mistake)."""
    logger.error(
        "schema %r of tenant %r is missing: host %s cannot be served",
        tenant.schema_name,
        tenant.slug,
        request.get_host(),
    )
    return unavailable(
        request,
        message=SCHEMA_MISSING_MESSAGE,
        checks={"database": "ok", "schema": f"error: schema {tenant.schema_name!r} is missing"},
        portal_name=tenant.name,
    )
