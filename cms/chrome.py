"""The chrome of every citizen page (branding, main navigation, legal links, the district's
name), read once per process and kept until anything it shows changes.

The key holds what every such change moves: the tenant's page-cache generation (publishing,
unpublishing, moving pages, view restrictions, branding: cms/signals.py) and the tenant-lookup
stamp (tenant and domain writes, within a second in every process). So a page the page cache
does not answer (a signed-in visitor, search results) renders its chrome without a query, and
right after a purge reads it again in few: the pages it links in one query (`chrome_pages`),
the branding with its logo in one, and the tenant's view restrictions in one, which also
answer Wagtail's privacy check of the page being served (`KeptViewRestrictionsMixin`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
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


def chrome_pages(request: HttpRequest, site) -> dict[str, Any]:
    """The pages the chrome links, in one query: the main navigation (live children of the
    site's root shown in menus), the legal pages and the Leichte-Sprache and Gebärdensprache
    pages (live and public). Returns {"nav": [...], "legal": [...], "access": {...}}."""
    from wagtail.models import Page

    from cms.easy_read import EasyReadPage, SignLanguagePage
    from cms.legal import LegalKind

    restrictions = view_restrictions()
    found: dict[str, Any] = {"nav": [], "legal": [], "access": {}}
    if site is None:
        return found
    root = site.root_page
    pages = (
        Page.objects.live()
        .filter(
            Q(depth=root.depth + 1, path__startswith=root.path, show_in_menus=True)
            | Q(legalpage__isnull=False)
            | Q(easyreadpage__isnull=False)
            | Q(signlanguagepage__isnull=False)
        )
        .annotate(
            legal_kind=F("legalpage__kind"),
            easy_read=Exists(EasyReadPage.objects.filter(pk=OuterRef("pk"))),
            sign_language=Exists(SignLanguagePage.objects.filter(pk=OuterRef("pk"))),
        )
        .order_by("path")
    )
    legal = []
    for page in pages:
        if page.depth == root.depth + 1 and page.path.startswith(root.path) and page.show_in_menus:
            found["nav"].append(page)
        private = (
            is_private(page.path, restrictions)
            if restrictions is not None
            else page.get_view_restrictions().exists()
        )
        if private:
            continue
        if page.legal_kind:
            legal.append(page)
        for key, flag in (("easy_read", page.easy_read), ("sign_language", page.sign_language)):
            if flag and key not in found["access"]:
                found["access"][key] = page.get_url(request=request, current_site=site)
    order = [value for value, _ in LegalKind.choices]
    found["legal"] = sorted(legal, key=lambda page: order.index(page.legal_kind))
    return found
