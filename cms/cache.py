"""Per-tenant page cache for anonymous visitors of Wagtail pages.

Keys carry the tenant (django-tenants' make_key prefixes the schema) and a per-tenant
generation number; publishing bumps the generation, which purges every cached page of that
tenant at once without touching other tenants.

A page holds forms (the language switch) whose CSRF token belongs to one visitor. The cached
copy keeps a placeholder instead of the first visitor's token, and every hit fills in the
token of the visitor it is served to (which also gives that visitor the CSRF cookie).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

CSRF_PLACEHOLDER = b"__kreisportal_csrf_token__"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]+)(")')

GENERATION_KEY = "page-cache-generation"
PAGE_CACHE_SECONDS = 300


def _generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def purge_tenant_page_cache() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def _key(request: HttpRequest) -> str:
    """Short and fixed in length whatever the URL (memcached allows 250 characters)."""
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"page:{_generation()}:{get_language()}:{address}"


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not request.COOKIES.get("sessionid")
        and getattr(getattr(request, "tenant", None), "is_portal", False)
    )


def cached_page_serve(serve: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap Wagtail's serve view: anonymous GETs of published pages come from the cache."""

    def view(request: HttpRequest, path: str = "", *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return serve(request, path, *args, **kwargs)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            if CSRF_PLACEHOLDER in cached.content:
                token = get_token(request).encode()
                cached.content = cached.content.replace(CSRF_PLACEHOLDER, token)
            cached["X-Page-Cache"] = "hit"
            return cached
        response = serve(request, path, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200 and not response.has_header("Set-Cookie"):
            cache.set(key, _without_csrf_token(response), PAGE_CACHE_SECONDS)
        response["X-Page-Cache"] = "miss"
        return response

    return view


def _without_csrf_token(response: HttpResponse) -> HttpResponse:
    """The copy to cache: this visitor's CSRF token replaced by the placeholder."""
    content = _CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\3", response.content)
    if content == response.content:
        return response
    copy = HttpResponse(content, status=response.status_code)
    for header, value in response.items():
        copy[header] = value
    return copy
