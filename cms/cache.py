"""Per-tenant page cache for anonymous visitors: Wagtail pages and the catalogue's service pages
(`CACHED_VIEWS`).

Keys carry the tenant (django-tenants' make_key prefixes the schema), a per-tenant generation
number and the process's tenant-lookup stamp (tenants/lookup.py). Whatever a cached page shows
purges it when it changes (cms/signals.py): publishing, branding, the tenant's local catalogue
data (its service, office, online form, appointment offer) bump the tenant's generation; a
catalogue import bumps every tenant's; any tenant or domain write (names and addresses of the
district and the portal) changes the lookup stamp, which every process sees within a second.
Nothing is deleted: old keys are simply never asked for again and expire.

Cached pages carry no per-visitor data: the language switch needs no CSRF token
(`kreisportal.views.set_language`), and a page whose rendering asked for a CSRF token or set a
cookie is not cached. So the same bytes can go to every anonymous visitor, from here or from a
CDN: they are sent `Cache-Control: public, max-age=…` with an ETag and Last-Modified, and a
conditional GET gets a 304. `Vary: Cookie`, because the language comes from a cookie (README
"Caching").

Each process keeps the pages it stored or read last (`_KEPT`, bounded in bytes) under the same
keys, so a hit costs no read, decompression and unpickling of the page; and it reads a tenant's
generation from the shared cache at most every PAGE_CACHE_CHECK_SECONDS (0.1 s): a purge is
seen at once by the process that made it and within that time by every other.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django_tenants.utils import get_public_schema_name, schema_context

from tenants.lookup import current_stamp
from tenants.models import Tenant

# The views whose anonymous GET answers are cached (URL names as `resolve()` gives them).
CACHED_VIEWS = frozenset({"wagtail_serve", "services:detail"})
GENERATION_KEY = "page-cache-generation"
# Server side; a purge ends it at once. A view may ask for less with `max-age` (the service
# page's "open now" changes at the office's next opening or closing time).
PAGE_CACHE_SECONDS = 300
# A missing page (a purge ends it too: publishing, a new service, a redirect).
NOT_FOUND_CACHE_SECONDS = 60
# Browsers and a CDN cannot be purged: they keep a page this long, then revalidate (ETag).
HTTP_MAX_AGE = 60
_PURGE_ATTR = "_page_purge_schema"
# X-Page-Cache of a 404 answered by cms.not_found (never stored per path)
KNOWN_NOT_FOUND = "not-found"
# What one process keeps of the shared page cache (oldest stored dropped first), counted as
# content + headers + key + PAGE_OVERHEAD_BYTES per page.
PROCESS_PAGE_BYTES = 32 * 1024 * 1024
PAGE_OVERHEAD_BYTES = 512
# Query parameters of analytics, ad and newsletter platforms (a new click id per visit).
TRACKING_PARAMETER = re.compile(
    r"utm_[A-Za-z0-9_]+|fbclid|gclid|gbraid|wbraid|dclid|msclkid|yclid|igshid|twclid|ttclid"
    r"|li_fat_id|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok"
)
# Part of every page key: a deployment that changes what is stored changes it, so that old and
# new processes side by side (a rolling update) never read each other's values.
PAGE_FORMAT = "page2"


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A cached answer as stored: plain values, cheap to unpickle (not an HttpResponse), with
    its end of life (wall clock: the same in every process that reads it)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    expires: float

    @classmethod
    def of(cls, response: HttpResponse, seconds: int) -> StoredPage:
        return cls(
            status=response.status_code,
            headers=tuple(
                (header, value)
                for header, value in response.items()
                if header.lower() != "set-cookie"
            ),
            content=response.content,
            expires=time.time() + seconds,
        )

    def response(self) -> HttpResponse:
        """A new response per request: the middlewares around this one add their headers."""
        response = HttpResponse(self.content, status=self.status)
        for header, value in self.headers:
            response.headers[header] = value
        return response


def _footprint(key: str, page: StoredPage) -> int:
    """Roughly what keeping the page costs: content, headers, key and the objects around them."""
    headers = sum(len(name) + len(value) for name, value in page.headers)
    return len(page.content) + headers + len(key) + PAGE_OVERHEAD_BYTES


class _ProcessPages:
    """The pages this process stored or read last, up to `limit` bytes (_footprint); the
    oldest stored is dropped first. Each ends by this process's monotonic clock, at the time
    left of its life when it was kept (a wall clock set back would keep it longer)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.pages: OrderedDict[str, tuple[float, int, StoredPage]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: str) -> StoredPage | None:
        entry = self.pages.get(key)
        if entry is None:
            return None
        ends, _, page = entry
        if ends > time.monotonic():
            return page
        with self.lock:
            if self.pages.get(key) is entry:
                del self.pages[key]
                self.size -= entry[1]
        return None

    def put(self, key: str, page: StoredPage) -> None:
        footprint = _footprint(key, page)
        seconds_left = page.expires - time.time()
        if footprint > self.limit or seconds_left <= 0:
            return
        with self.lock:
            previous = self.pages.pop(key, None)
            if previous is not None:
                self.size -= previous[1]
            self.pages[key] = (time.monotonic() + seconds_left, footprint, page)
            self.size += footprint
            while self.size > self.limit:
                _, (_, dropped, _) = self.pages.popitem(last=False)
                self.size -= dropped

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


_KEPT = _ProcessPages(PROCESS_PAGE_BYTES)
# schema → (when it was read, generation): what page_generation() last read per tenant
_generations: dict[str, tuple[float, int]] = {}
_generations_lock = threading.Lock()


def forget_kept_pages() -> None:
    """This process forgets the pages and generations it keeps (tests; the shared cache is not
    touched)."""
    _KEPT.clear()
    _generations.clear()


def _stored(key: str) -> StoredPage | None:
    """The page under `key`: from this process, else from the shared cache (then kept here).
    The process's keys carry the schema, as the shared cache's do (django-tenants' make_key)."""
    kept_key = f"{connection.schema_name}:{key}"
    page = _KEPT.get(kept_key)
    if page is not None:
        return page
    page = cache.get(key)
    if not isinstance(page, StoredPage) or page.expires <= time.time():
        return None
    _KEPT.put(kept_key, page)
    return page


def _store(key: str, page: StoredPage, seconds: int) -> None:
    cache.set(key, page, seconds)
    _KEPT.put(f"{connection.schema_name}:{key}", page)


def _check_interval() -> float:
    return getattr(settings, "PAGE_CACHE_CHECK_SECONDS", 0.1)


def page_generation() -> int:
    """The current tenant's generation (a random start: a generation lost from the cache and
    begun again never meets what was kept under its old number).

    Read from the shared cache at most every PAGE_CACHE_CHECK_SECONDS per tenant and process:
    a purge reaches the other processes within that time (the purging one at once), and a busy
    page costs one shared-cache read per interval instead of one per request."""
    schema = connection.schema_name
    now = time.monotonic()
    kept = _generations.get(schema)
    if kept is not None and now - kept[0] < _check_interval():
        return kept[1]
    generation = cache.get_or_set(GENERATION_KEY, lambda: secrets.randbelow(2**62), timeout=None)
    _keep_generation(schema, now, generation)
    return generation


def _keep_generation(schema: str, read_at: float, generation: int) -> None:
    """Keep what was read at `read_at`, unless another thread kept something newer meanwhile
    (a purge in this process must not be undone by a read that began before it)."""
    with _generations_lock:
        kept = _generations.get(schema)
        if kept is None or kept[0] <= read_at:
            _generations[schema] = (read_at, generation)


def purge_tenant_page_cache() -> None:
    """Every cached page of the current tenant: now in this process, within
    PAGE_CACHE_CHECK_SECONDS in every other."""
    try:
        generation = cache.incr(GENERATION_KEY)
    except ValueError:
        generation = secrets.randbelow(2**62)
        cache.set(GENERATION_KEY, generation, timeout=None)
    _keep_generation(connection.schema_name, time.monotonic(), generation)


def purge_tenant_page_cache_on_commit() -> None:
    """Every cached page of the current tenant, when the transaction commits (once, however
    many rows it writes; a purge before the commit could be refilled with the old data)."""
    schema = connection.schema_name
    if not connection.in_atomic_block:
        purge_tenant_page_cache()
        return
    if any(getattr(entry[1], _PURGE_ATTR, None) == schema for entry in connection.run_on_commit):
        return  # already queued for this transaction

    def purge() -> None:
        setattr(purge, _PURGE_ATTR, None)  # done: a later write queues its own
        with schema_context(schema):
            purge_tenant_page_cache()

    setattr(purge, _PURGE_ATTR, schema)
    transaction.on_commit(purge)


def purge_all_page_caches() -> None:
    """Every cached page of every tenant (the shared catalogue changed)."""
    for schema in Tenant.objects.exclude(schema_name=get_public_schema_name()).values_list(
        "schema_name", flat=True
    ):
        with schema_context(schema):
            purge_tenant_page_cache()


def _key(request: HttpRequest, language: str) -> str:
    """Short and fixed in length whatever the URL (memcached allows 250 characters)."""
    address = hashlib.sha256(f"{request.get_host()}{request.get_full_path()}".encode()).hexdigest()
    return f"{PAGE_FORMAT}:{current_stamp()}:{page_generation()}:{language}:{address}"


def _drop_tracking_parameters(request: HttpRequest) -> None:
    """Take click ids and campaign tags out of an anonymous visitor's query string before
    anything reads it: a news item shared on social networks or in a newsletter arrives as
    `/?fbclid=<new for every click>` and would otherwise be a cache miss, a full render and a
    new cache entry each time, and the id would end up in the stored page (the language switch
    carries the address). No view of the portal reads these parameters. The other parameters
    keep their order and encoding."""
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return
    parts = query.split("&")
    kept = [part for part in parts if not TRACKING_PARAMETER.fullmatch(part.split("=", 1)[0])]
    if len(kept) == len(parts):
        return
    request.META["QUERY_STRING"] = "&".join(kept)
    request.__dict__.pop("GET", None)  # parsed again from the shorter query string


def _anonymous(request: HttpRequest) -> bool:
    """No session (so nobody signed in) and no flash message waiting in a cookie."""
    return not request.COOKIES.get(settings.SESSION_COOKIE_NAME) and not request.COOKIES.get(
        "messages"
    )


def _language(request: HttpRequest) -> str:
    """The language GermanFirstLocaleMiddleware will choose (the switch's cookie, else German)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in {code for code, _ in settings.LANGUAGES} else settings.LANGUAGE_CODE


def _candidate(request: HttpRequest) -> bool:
    """An anonymous visitor's GET, or HEAD (uptime checks, link checkers: answered from the
    cache, never stored), on a portal's host."""
    return (
        request.method in ("GET", "HEAD")
        and _anonymous(request)
        and getattr(getattr(request, "tenant", None), "is_portal", False)
        and getattr(request, "urlconf", None) in (None, settings.ROOT_URLCONF)
    )


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""


def _max_age(response: HttpResponse) -> int | None:
    for part in response.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "max-age" and value.isdigit():
            return int(value)
    return None


def _for_everyone(request: HttpRequest, response: HttpResponse) -> bool:
    """Nothing of this visitor in the answer and nothing set for them."""
    user = getattr(request, "user", None)
    return (
        request.method == "GET"
        and not response.streaming
        and not (user is not None and user.is_authenticated)
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    """A public page of one of the CACHED_VIEWS."""
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and _view_name(request) in CACHED_VIEWS
        and _for_everyone(request, response)
        and "private" not in control
        and "no-store" not in control
        and "no-cache" not in control
    )


def _storable_not_found(request: HttpRequest, response: HttpResponse) -> bool:
    """A 404 that only a purge can end: no URL pattern matched, or a cached view found nothing
    (no such Wagtail page, no such service; a Wagtail redirect would have answered 301). It is
    kept briefly (bots ask for the same missing paths again and again) and only here: browsers
    keep what the error page says (no-store)."""
    match = getattr(request, "resolver_match", None)
    return (
        response.status_code == 404
        and (match is None or match.view_name in CACHED_VIEWS)
        and _for_everyone(request, response)
    )


def _public_copy(response: HttpResponse, seconds: int) -> HttpResponse:
    """What is stored and sent: the page with its caching headers and without cookies."""
    content = response.content
    copy = HttpResponse(content, status=response.status_code)
    for header, value in response.items():
        if header.lower() not in ("set-cookie", "cache-control", "expires"):
            copy[header] = value
    copy["Cache-Control"] = f"public, max-age={min(seconds, HTTP_MAX_AGE)}"
    copy["ETag"] = f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'
    copy["Last-Modified"] = http_date()
    patch_vary_headers(copy, ("Cookie",))
    return copy


# The request headers get_conditional_response() answers (RFC 9110 § 13.1)
_CONDITIONS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)


def _conditional(request: HttpRequest, page: HttpResponse) -> HttpResponse:
    """304 (or 412) when the visitor's copy is still this one; else the page. A request
    without any condition (most of them) gets the page without parsing its validators."""
    if not any(condition in request.META for condition in _CONDITIONS):
        return page
    return get_conditional_response(
        request,
        etag=page["ETag"],
        last_modified=parse_http_date_safe(page["Last-Modified"]),
        response=page,
    )


class CachedPageMiddleware:
    """Answers an anonymous GET from the page cache right after tenant routing and the
    suspension check: before sessions, CSRF, authentication and the URL resolver do any work,
    and without a database query (the tenant is known to the process, the page is in the
    cache). A miss goes on to the view; its answer is stored when it is a public page of one of
    the CACHED_VIEWS (decided after the view: no cookie set, no CSRF token asked for)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _candidate(request):
            return self.get_response(request)
        _drop_tracking_parameters(request)
        key = _key(request, _language(request))
        stored = _stored(key)
        if stored is not None:
            cached = stored.response()
            cached["X-Page-Cache"] = "hit"
            return _conditional(request, cached) if cached.status_code == 200 else cached
        response = self.get_response(request)
        if response.get("X-Page-Cache") == KNOWN_NOT_FOUND:
            # not stored per path: as cheap as a cache hit, and a scan of random paths must
            # not push the tenants' pages out of the cache
            return response
        if _storable_not_found(request, response):
            _store(key, StoredPage.of(response, NOT_FOUND_CACHE_SECONDS), NOT_FOUND_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
            return response
        if not _storable(request, response):
            return response
        seconds = min(_max_age(response) or PAGE_CACHE_SECONDS, PAGE_CACHE_SECONDS)
        page = _public_copy(response, seconds)
        if seconds > 0:
            _store(key, StoredPage.of(page, seconds), seconds)
        page["X-Page-Cache"] = "miss"
        return _conditional(request, page)
