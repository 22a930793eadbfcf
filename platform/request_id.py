"""Request ids: taken from the proxy's `X-Request-ID` when it is a sane token, generated
otherwise, echoed in the response, put on every log record (`kreisportal.logging`) and Sentry
event, and carried into the Celery tasks a request queues."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_META_KEY = "HTTP_X_REQUEST_ID"
_CELERY_HEADER = "kreisportal_request_id"
# Letters, digits and - _ . : @ + = / only, 8 to 128 characters: enough for a UUID, a W3C trace
# id or Caddy's/nginx's ids; nothing that could break a log line or a header.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+=/-]{7,127}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def accept_or_generate(candidate: str | None) -> str:
    if candidate and SANE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for the request (a contextvar: per thread, per asyncio task).

    First in MIDDLEWARE, so that even the unknown-host 404 carries it. The id stays set until
    the response is finished (`request_finished`), not just until this middleware returns:
    Django writes its `django.request` log line ("Not Found: …") after the middleware chain.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept_or_generate(request.META.get(_META_KEY))
        request.request_id = request_id
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget_request_id(**_: Any) -> None:
    request_id_var.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="kreisportal.request_id.forget")


# --- Celery: the id travels with the task -------------------------------------------------------


def _add_request_id_to_task(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = current_request_id()
    if headers is not None and request_id:
        headers[_CELERY_HEADER] = request_id


_task_tokens: dict[str, Any] = {}


def _header_of(task: Any) -> str | None:
    request = getattr(task, "request", None)
    if request is None:
        return None
    # like tenant-schemas-celery: some brokers nest custom headers, others merge them
    headers = getattr(request, "headers", None) or {}
    return headers.get(_CELERY_HEADER) or request.get(_CELERY_HEADER)


def _enter_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    candidate = _header_of(task)
    request_id = candidate if candidate and SANE_REQUEST_ID.fullmatch(candidate) else task_id
    if task_id:
        _task_tokens[task_id] = request_id_var.set(request_id)


def _leave_task(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        request_id_var.reset(token)


def connect_celery_signals() -> None:
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(_add_request_id_to_task, weak=False)
    task_prerun.connect(_enter_task, weak=False)
    task_postrun.connect(_leave_task, weak=False)
