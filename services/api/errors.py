"""Every API error is JSON with one shape (`ErrorSerializer` in serializers.py documents it):

    {"detail": "<German sentence>", "errors": {"<parameter>": ["<what is wrong>", …]}}

`errors` only where a parameter is at fault. DRF's own errors go through
`json_exception_handler`; code outside DRF views (middleware, URL fallbacks) answers with
`json_error`, so a client sees the same body wherever the request was refused.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from rest_framework.response import Response
from rest_framework.views import exception_handler

INVALID_PARAMETERS = "Ungültige Parameter."
NOT_FOUND = "Nicht gefunden."


def json_error(
    status: int, detail: str, /, *, errors: dict[str, list[str]] | None = None, **extra
) -> JsonResponse:
    """A JSON error answer in the API's shape, for code that runs outside DRF (middleware,
    plain Django views): `json_error(400, "Ungültige Parameter.", errors={"q": ["…"]})`.

    `extra` adds further top-level members (e.g. `status=400`); never personal data.
    """
    body: dict[str, object] = {"detail": detail}
    if errors:
        body["errors"] = {name: [str(text) for text in texts] for name, texts in errors.items()}
    body.update(extra)
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def parameter_error(name: str, message: str, status: int = 400) -> JsonResponse:
    """400 naming one query parameter, as DRF's validation errors do."""
    return json_error(status, INVALID_PARAMETERS, errors={printable(name): [message]})


def printable(name: str) -> str:
    """A parameter name fit to be echoed: no NUL or other control characters, at most 40 chars."""
    return "".join(char for char in name if char.isprintable())[:40] or "?"


def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Fallback for every /api/ path no endpoint matches: a JSON 404, not Django's HTML page."""
    return json_error(404, NOT_FOUND)


def json_exception_handler(exc, context) -> Response | None:
    if isinstance(exc, Http404):
        return Response({"detail": str(exc) or NOT_FOUND}, status=404)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": INVALID_PARAMETERS, "errors": response.data}
    elif response is not None and isinstance(response.data, list):
        errors = {"non_field_errors": response.data}
        response.data = {"detail": INVALID_PARAMETERS, "errors": errors}
    return response
