"""The chrome of every citizen page (branding, main navigation, legal links, the district's
name), read once per process and kept until anything it shows changes.

The key holds what every such change moves: the tenant's page-cache generation (publishing,
unpublishing, moving pages, view restrictions, branding: cms/signals.py) and the tenant-lookup
stamp (tenant and domain writes, within a second in every process). So a page the page cache
does not answer (a signed-in visitor, search results) renders its chrome without a query, and
right after a purge reads it again in few: the pages it links in one query
(cms.context_processors),
the branding with its logo in one, and the tenant's view restrictions in one, which also
answer Wagtail's privacy check of the page being served (`KeptViewRestrictionsMixin`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Exists, Q
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


def _keep(key: tuple, load: Callable[[], Any]) -> Any:
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


def kept(request: HttpRequest, name: str, load: Callable[[], Any]) -> Any:
    """`load()` once per tenant, host and state of what the chrome shows (every time for an
    editor's preview: a draft must never be kept for citizens)."""
    if getattr(request, "is_preview", False):
        return load()
    return _keep((*_request_key(request), name), load)


def kept_in_tenant(name: str, load: Callable[[], Any]) -> Any:
    """`load()` once per tenant schema and state of its pages (for code without a request)."""
    return _keep((connection.schema_name, "", current_stamp(), page_generation(), name), load)


def view_restrictions() -> list | None:
    """The current tenant's page view restrictions with their pages (one query, kept); None
    when the tenant has alias pages (an alias takes its source page's restrictions, which a
    path alone cannot tell: then Wagtail's own queries decide)."""

    def load() -> list | None:
        from wagtail.models import Page, PageViewRestriction

        aliases = Page.objects.filter(alias_of__isnull=False)
        restrictions = list(
            PageViewRestriction.objects.select_related("page").annotate(
                aliases_exist=Exists(aliases)
            )
        )
        if any(restriction.aliases_exist for restriction in restrictions):
            return None
        return restrictions

    return kept_in_tenant("view-restrictions", load)


def is_private(path: str, restrictions: list) -> bool:
    """Whether the page at `path` lies in a restricted section."""
    return any(path.startswith(restriction.page.path) for restriction in restrictions)


def public_q() -> Q:
    """A filter for pages outside every restricted section (Wagtail's `.public()` without its
    query): `queryset.filter(public_q())`."""
    restrictions = view_restrictions()
    if restrictions is None:
        from wagtail.models import Page

        return ~Q(pk__in=Page.objects.not_public().values("pk"))
    private = Q()
    for restriction in restrictions:
        private |= Q(path__startswith=restriction.page.path)
    return ~private if private else Q()


class KeptViewRestrictionsMixin:
    """Wagtail's privacy check of a served page (`get_view_restrictions`: two queries per
    request) answered from the kept restrictions. The answer is still a queryset of the same
    rows (already evaluated), so the admin's further filtering and ordering work as before."""

    def get_view_restrictions(self):
        restrictions = view_restrictions()
        if restrictions is None or self.alias_of_id or not self.path:
            return super().get_view_restrictions()
        from wagtail.models import PageViewRestriction

        applicable = [r for r in restrictions if self.path.startswith(r.page.path)]
        queryset = PageViewRestriction.objects.filter(pk__in=[r.pk for r in applicable])
        queryset._result_cache = applicable
        queryset._prefetch_done = True
        return queryset


def known_paths() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
    """What the tenant's Wagtail tree can answer, kept like the chrome (one query for the
    pages with their types, one for the redirects, after each purge): the site-relative paths
    of its live pages, the paths below which a page routes by itself (routable pages: their
    sub-paths are theirs to answer, live or not) and Wagtail's redirects (normalised old
    paths). A path of none of them is a 404 without asking the database (cms.not_found)."""

    def load() -> tuple[frozenset[str], tuple[str, ...], frozenset[str]]:
        from django.apps import apps
        from wagtail.contrib.redirects.models import Redirect
        from wagtail.models import Page

        paths, routed = set(), []
        rows = Page.objects.filter(depth__gt=1).values_list(
            "url_path", "content_type__app_label", "content_type__model", "live"
        )
        for url_path, app_label, model_name, live in rows:
            # "/home/aktuelles/" → "/aktuelles/": below any site's root (conservative when a
            # tenant has several sites: known in one, asked in all)
            below_root = url_path.strip("/").partition("/")[2]
            relative = f"/{below_root}/" if below_root else "/"
            if live:
                paths.add(relative)
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:  # a page type whose app is gone: let Wagtail decide
                model = None
            if model is None or model.route is not Page.route:
                routed.append(relative)
        redirects = frozenset(Redirect.objects.values_list("old_path", flat=True))
        return frozenset(paths), tuple(routed), redirects

    return kept_in_tenant("known-paths", load)
