"""Requests that no view should ever see: a Host header that is not a host name, a NUL byte in
the path, the query or a form field, a query string longer than any real link, a body larger
than the portal accepts. They are answered here, before tenant routing touches the database,
with a clear 4xx (JSON under /api/ and for webhooks, a short German page elsewhere) instead of a
500 from deep inside a view (psycopg refuses NUL in SQL strings; `int()` refuses "²").

Runs after the security and CSP middleware, so these answers carry the same security headers as
every other page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

# gunicorn refuses request lines over 4094 bytes anyway; the test client and other servers do not
MAX_QUERY_STRING_BYTES = 4096
JSON_PATH_PREFIXES = ("/api/", "/healthz", "/zahlung/webhooks/")
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefusedInput(Exception):
    def __init__(self, status: int, message: str, parameter: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


def refuse(request: HttpRequest, status: int, message: str, parameter: str = "") -> HttpResponse:
    """The 4xx answer of this module, JSON or a small page that needs no database."""
    if request.path.startswith(JSON_PATH_PREFIXES):
        body: dict[str, object] = {"detail": message, "status": status}
        if parameter:
            body["parameter"] = parameter
        response: HttpResponse = JsonResponse(body, status=status)
    else:
        html = render_to_string(
            "kreisportal/bad_request.html", {"message": message, "status": status}
        )
        response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _check_text(name: str, value: str) -> None:
    if "\x00" in name or "\x00" in value:
        raise RefusedInput(
            400, f"Der Parameter „{_printable(name)}“ enthält ein unzulässiges Zeichen.", name
        )


def _printable(name: str) -> str:
    return name.replace("\x00", "")[:40] or "?"


def check_request(request: HttpRequest) -> None:
    """Raise RefusedInput for input no view can handle; read the body only for form posts."""
    try:
        request.get_host()
    except DisallowedHost as exc:
        raise RefusedInput(400, "Ungültige Anfrage: unbekannte Adresse (Host).") from exc
    if "\x00" in request.path or "\x00" in request.path_info:
        raise RefusedInput(400, "Die Adresse enthält ein unzulässiges Zeichen.")
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING_BYTES:
        raise RefusedInput(414, "Die Adresse ist zu lang.")
    for name, values in request.GET.lists():
        for value in values:
            _check_text(name, value)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise RefusedInput(400, "Ungültige Anfrage (Content-Length).") from exc
    if length > settings.REQUEST_BODY_MAX_BYTES:
        limit_mb = settings.REQUEST_BODY_MAX_BYTES // 1_048_576
        raise RefusedInput(
            413,
            f"Die gesendeten Daten sind zu groß (höchstens {limit_mb} MB je Sendung). "
            "Bitte verkleinern Sie die Dateien oder senden Sie sie einzeln.",
        )
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        try:
            fields = request.POST
        except RequestDataTooBig as exc:
            raise RefusedInput(413, "Die gesendeten Formulardaten sind zu groß.") from exc
        for name, values in fields.lists():
            for value in values:
                _check_text(name, value)


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
        except RefusedInput as refused:
            return refuse(request, refused.status, refused.message, refused.parameter)
        return self.get_response(request)
