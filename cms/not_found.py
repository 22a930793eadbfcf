"""First-time 404s answered cheaply: an anonymous visitor's GET of a path that nothing of the
tenant can answer gets the tenant's 404 page without sessions, CSRF, authentication, the
Wagtail lookup and the redirect lookup, and without a database query.

"Nothing can answer" is decided from what the process keeps per state of the tenant's pages
(cms.chrome `known_paths`: live pages, routable pages, redirects; a publish, a move or a new
redirect purges it) and the URL conf. Such 404s are not stored per path (cms.cache): a scan of
random paths costs no cache space.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from cms.cache import KNOWN_NOT_FOUND, _candidate, _language
from cms.chrome import kept, known_paths

# Paths answered here: characters that read the same in HTML, in a URL and in a query string
# (anything else takes the whole chain).
_PLAIN_PATH = re.compile(r"/[A-Za-z0-9/_.\-]*")
# Stands for the path in the tenant's kept 404 page (never a real path: plain paths only).
_NOT_FOUND_PLACEHOLDER = "/kp-not-found-placeholder-7f3a/"


def _wagtail_answers(path: str, urlconf: str | None) -> bool:
    """Whether anything but Wagtail's "no such page" could answer `path`: another URL pattern,
    a live page, a routable page's sub-path, a redirect, or (for a path without its slash)
    CommonMiddleware's redirect to the path with it."""
    candidates = [path] if path.endswith("/") else [path, f"{path}/"]
    for candidate in candidates:
        try:
            match = get_resolver(urlconf).resolve(candidate)
        except Resolver404:
            continue
        if match.view_name != "wagtail_serve":
            return True  # before reading what the tenant's tree knows: most requests stop here
        pages, routed, _ = known_paths()
        if candidate in pages or candidate.startswith(routed):
            return True
    _, _, redirects = known_paths()
    normalised = path.rstrip("/") or "/"
    return normalised in redirects or normalised.lower() in {r.lower() for r in redirects}


def _known_not_found(request: HttpRequest) -> HttpResponse | None:
    """A first-time 404 answered without the chain: the path is plain and nothing of the
    tenant's (URL patterns, its Wagtail tree and redirects, as kept per purge in cms.chrome)
    can answer it. The tenant's 404 page is rendered once per host, language and state of its
    pages with a placeholder for the path (the footer's "Barriere melden" link and the language
    switch name it), and the path is put in; so another tenant or host never sees it, and a
    page published at the path answers at once (publishing purges)."""
    path = request.path_info
    if request.META.get("QUERY_STRING") or not _PLAIN_PATH.fullmatch(path):
        return None
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    if _wagtail_answers(path, urlconf):
        return None
    language = _language(request)
    page = kept(request, f"not-found:{language}", lambda: _render_not_found(request, language))
    response = HttpResponse(
        page.content.replace(_NOT_FOUND_PLACEHOLDER.encode(), path.encode()), status=404
    )
    for header, value in page.items():
        response[header] = value
    # what PersonalPagesNoStoreMiddleware gives a 404 of a personal path, for every such 404
    add_never_cache_headers(response)
    response["X-Page-Cache"] = KNOWN_NOT_FOUND
    return response


def _render_not_found(request: HttpRequest, language: str) -> HttpResponse:
    """The URL conf's 404 page for the placeholder path, with the headers the chain after this
    middleware would add (language, Vary, framing)."""
    placeholder = copy.copy(request)
    placeholder.META = {**request.META, "PATH_INFO": _NOT_FOUND_PLACEHOLDER, "QUERY_STRING": ""}
    placeholder.path = placeholder.path_info = _NOT_FOUND_PLACEHOLDER
    placeholder.LANGUAGE_CODE = language
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    with translation.override(language):
        rendered = get_resolver(urlconf).resolve_error_handler(404)(placeholder, Http404())
    page = HttpResponse(rendered.content, status=404)
    for header, value in rendered.items():
        if header.lower() != "content-length":  # the path is put in later
            page[header] = value
    page["Content-Language"] = language
    page["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    patch_vary_headers(page, ("Cookie",))
    return page


class KnownNotFoundMiddleware:
    """Right after the page cache (cms.cache.CachedPageMiddleware): answers an anonymous GET
    of a path nothing of the tenant answers with the tenant's 404 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _candidate(request):
            response = _known_not_found(request)
            if response is not None:
                return response
        return self.get_response(request)
