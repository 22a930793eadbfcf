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

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
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


def _key(request: HttpRequest, language: str | None = None) -> str:
    """Short and fixed in length whatever the URL (memcached allows 250 characters)."""
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"page:{_generation()}:{language or get_language()}:{address}"


def _anonymous(request: HttpRequest) -> bool:
    """No session (so nobody signed in) and no flash message waiting in a cookie."""
    return not request.COOKIES.get(settings.SESSION_COOKIE_NAME) and not request.COOKIES.get(
        "messages"
    )


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and _anonymous(request)
        and not request.user.is_authenticated
        and getattr(getattr(request, "tenant", None), "is_portal", False)
    )


def _language(request: HttpRequest) -> str:
    """The language GermanFirstLocaleMiddleware will choose (the switch's cookie, else German)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in {code for code, _ in settings.LANGUAGES} else settings.LANGUAGE_CODE


class CachedPageMiddleware:
    """Answers an anonymous GET from the page cache right after tenant routing and the
    suspension check: before sessions, CSRF, authentication and the URL resolver do any work,
    and without a database query (the tenant is known to the process, the page is in the
    cache). A miss goes on to the view, whose `cached_page_serve` fills the cache.

    The visitor's CSRF token is filled in here as on any hit; CsrfViewMiddleware, which this
    answer does not pass, is asked to read the visitor's cookie and set it when it is new.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "GET"
            and _anonymous(request)
            and getattr(getattr(request, "tenant", None), "is_portal", False)
            and getattr(request, "urlconf", None) in (None, settings.ROOT_URLCONF)
        ):
            cached = cache.get(_key(request, _language(request)))
            if cached is not None:
                return self._hit(request, cached)
        return self.get_response(request)

    def _hit(self, request: HttpRequest, cached: HttpResponse) -> HttpResponse:
        if CSRF_PLACEHOLDER in cached.content:
            self.csrf.process_request(request)
            token = get_token(request).encode()
            cached.content = cached.content.replace(CSRF_PLACEHOLDER, token)
            cached = self.csrf.process_response(request, cached)
        cached["X-Page-Cache"] = "hit"
        return cached


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
