"""Every API error is JSON: DRF's own errors, plus 404 and unexpected ones."""

from __future__ import annotations

from django.http import Http404
from rest_framework.response import Response
from rest_framework.views import exception_handler


def json_exception_handler(exc, context) -> Response | None:
    if isinstance(exc, Http404):
        return Response({"detail": str(exc) or "Nicht gefunden."}, status=404)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": "Ungültige Parameter.", "errors": response.data}
    return response
