"""The chrome of every citizen page (branding, main navigation, legal links, the district's
name), read once per process and kept until anything it shows changes.

The key holds what every such change moves: the tenant's page-cache generation (publishing,
unpublishing, moving pages, view restrictions, branding: cms/signals.py) and the tenant-lookup
stamp (tenant and domain writes, within a second in every process). So a page the page cache
does not answer (a signed-in visitor, search results) renders its chrome without a query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest

from cms.cache import page_generation
from tenants.lookup import current_stamp

MAX_ENTRIES = 1024  # tenants × hosts × pieces; forgotten all at once when full
_kept: dict[tuple, Any] = {}
_lock = threading.Lock()


def _request_key(request: HttpRequest) -> tuple:
    key = getattr(request, "_chrome_key", None)
    if key is None:
        key = (connection.schema_name, request.get_host(), current_stamp(), page_generation())
        request._chrome_key = key
    return key


def kept(request: HttpRequest, name: str, load: Callable[[], Any]) -> Any:
    """`load()` once per tenant, host and state of what the chrome shows (every time for an
    editor's preview: a draft must never be kept for citizens)."""
    if getattr(request, "is_preview", False):
        return load()
    key = (*_request_key(request), name)
    try:
        return _kept[key]
    except KeyError:
        pass
    value = load()
    with _lock:
        if len(_kept) >= MAX_ENTRIES:
            _kept.clear()
        _kept[key] = value
    return value
