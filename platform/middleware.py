"""Routing by host (django-tenants' TenantMainMiddleware, plus a check that the tenant's schema is
there) and the friendly page for suspended tenants. (The tenant reaches Sentry through
`observability._tag_with_tenant`.)"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name
from wagtail.contrib.redirects.middleware import RedirectMiddleware
from whitenoise.middleware import WhiteNoiseMiddleware

from kreisportal.csp import HEADER as CSP_HEADER
from kreisportal.csp import citizen_policy
from kreisportal.request_id import HEADER as REQUEST_ID_HEADER
from kreisportal.request_id import accept_or_generate
from tenants.lookup import cached_tenant

# Paths a suspended tenant still answers: its own admin (so the district can fix and resume it),
# static files and the load balancer's health check.
SUSPENSION_EXEMPT_PREFIXES = ("/cms/", "/static/", "/healthz")
# The URLconf of `admin.<BASE_DOMAIN>`: the tenant administration (the bare host has none).
ADMIN_HOST_URLCONF = "kreisportal.urls_admin"


class StaticFilesFirstMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise first in the chain: static files, /favicon.ico and /robots.txt are the same
    for every host and visitor, so they skip request ids, the input guard, tenant routing and
    the rest. They still get what those would add to them: the security headers (Django's
    SecurityMiddleware's own code, including its HTTPS redirect), the citizen CSP (a string
    built once) and a request id. Everything else goes down the chain unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        super().__init__(get_response)
        from django.middleware.security import SecurityMiddleware

        self.security = SecurityMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        static_file = self.find_file(path) if self.autorefresh else self.files.get(path)
        if static_file is None:
            return self.get_response(request)
        redirect = self.security.process_request(request)
        if redirect is not None:
            return self.get_response(request)  # the chain answers it, as for any page
        response = self.security.process_response(request, self.serve(static_file, request))
        response.headers.setdefault(CSP_HEADER, citizen_policy())
        response[REQUEST_ID_HEADER] = accept_or_generate(request.headers.get(REQUEST_ID_HEADER))
        return response


class PortalTenantMiddleware(TenantMainMiddleware):
    """django-tenants' routing, refusing a tenant whose schema is missing.

    With the schema gone, PostgreSQL skips it in the search path and every table that also
    exists in `public` (users, sessions) would be read from the public schema. Whether the
    schema exists is asked in the same query that finds the tenant, so it costs nothing.
    """

    def get_tenant(self, domain_model, hostname):
        """Known hosts come from this process's lookup (tenants/lookup.py: no query, forgotten
        on every tenant or domain change within a second in every process)."""

        def load():
            from django.db import connection

            connection.portal_tenant_loaded = True  # a query ran: the search path moved
            domain = (
                domain_model.objects.select_related("tenant")
                .annotate(
                    schema_present=RawSQL(
                        "EXISTS (SELECT 1 FROM pg_namespace n"
                        " WHERE n.nspname = tenants_tenant.schema_name)",
                        [],
                    )
                )
                .get(domain=hostname)
            )
            domain.tenant.schema_present = domain.schema_present
            return domain.tenant

        return cached_tenant(hostname, load)

    @staticmethod
    def setup_url_routing(request: HttpRequest, force_public: bool = False) -> None:
        """The public schema has two hosts: the district IT team's admin answers on
        `admin.<BASE_DOMAIN>` only (its own URLconf); the bare base domain keeps the portal
        list, finder, API and SSO broker, and has no admin."""
        TenantMainMiddleware.setup_url_routing(request, force_public=force_public)
        tenant = getattr(request, "tenant", None)
        if (
            getattr(request, "urlconf", None) == settings.PUBLIC_SCHEMA_URLCONF
            and tenant is not None
            and getattr(tenant, "domain_url", "").lower() == f"admin.{settings.BASE_DOMAIN}"
        ):
            request.urlconf = ADMIN_HOST_URLCONF

    def process_request(self, request: HttpRequest):
        """As django-tenants', and keeping the connection's search path when the request is for
        the schema the connection is already in. django-tenants switches to public and back on
        every request, which forgets the path set (TENANT_LIMIT_SET_CALLS) and costs a
        `SET search_path` round trip before the first query, although nothing changed: the
        switch itself touches no database, and when the tenant came from this process's lookup
        no query ran in between either. The backend forgets the path itself on a rollback, a
        savepoint rollback and a closed connection, so what is kept is what the server has."""
        from django.db import connection

        kept_path = connection.search_path_set_schemas
        before = (connection.schema_name, connection.include_public_schema)
        connection.portal_tenant_loaded = False
        response = super().process_request(request)
        if (
            response is None
            and kept_path
            and not connection.portal_tenant_loaded
            and (connection.schema_name, connection.include_public_schema) == before
        ):
            connection.search_path_set_schemas = kept_path
        tenant = getattr(request, "tenant", None)
        if response is None and tenant is not None and not getattr(tenant, "schema_present", True):
            from django.db import connection

            from kreisportal.views import schema_missing

            connection.set_schema_to_public()
            return schema_missing(request, tenant)
        return response


def _signed_in_staff(request: HttpRequest) -> bool:
    """Whether the visitor's session (this middleware runs before sessions and authentication)
    belongs to an active user of this tenant who may use its Wagtail admin. Asked only for a
    portal in preparation."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.contrib.auth import get_user

    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    user = get_user(SimpleNamespace(session=session))
    return user.is_active and user.has_perm("wagtailadmin.access_admin")


def _preparing_answer(request: HttpRequest, tenant) -> HttpResponse | None:
    """A portal in preparation: its staff (signed in to its /cms/) and the IT team's preview
    (tenants.preview) see it; citizens get a friendly "bald verfügbar" page."""
    from tenants import preview

    if request.path == preview.PREVIEW_PATH and preview.link_token_valid(
        request.GET.get("t"), tenant
    ):
        response = HttpResponseRedirect("/")
        response.set_cookie(
            preview.PREVIEW_COOKIE,
            preview.preview_cookie_value(tenant),
            max_age=preview.COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    if (
        request.path.startswith(SUSPENSION_EXEMPT_PREFIXES)
        or preview.cookie_valid(request.COOKIES.get(preview.PREVIEW_COOKIE), tenant)
        or _signed_in_staff(request)
    ):
        return None
    response = TemplateResponse(
        request, "kreisportal/preparing.html", {"tenant": tenant}, status=503
    )
    add_never_cache_headers(response)
    return response.render()


class SuspendedTenantMiddleware:
    """Citizens of a suspended tenant get a 503 page that explains, instead of the portal; of a
    portal in preparation, a "bald verfügbar" page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and getattr(tenant, "is_preparing", False):
            answer = _preparing_answer(request, tenant)
            if answer is not None:
                return answer
        if (
            tenant is not None
            and getattr(tenant, "is_suspended", False)
            and not request.path.startswith(SUSPENSION_EXEMPT_PREFIXES)
        ):
            response = TemplateResponse(
                request, "kreisportal/suspended.html", {"tenant": tenant}, status=503
            )
            response["Retry-After"] = "3600"
            return response.render()
        return self.get_response(request)


class TenantRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects live in each tenant's schema; the public host has none (and no
    Wagtail tables), so a 404 there must not look them up."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == get_public_schema_name():
            return response
        return super().process_response(request, response)


class GermanFirstLocaleMiddleware(LocaleMiddleware):
    """German unless the visitor chose another language with the switch (cookie); the
    browser's Accept-Language header alone does not change the language of a German portal."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """The language comes from the cookie, never from Accept-Language (and there are no
        language prefixes in URLs): caches must keep one copy per cookie, not per browser."""
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# Citizens' own pages: never kept by a browser cache, a shared computer's back button or a proxy.
PERSONAL_PATH_PREFIXES = ("/konto/", "/antraege/", "/liegenschaftsauskunft/auftrag/", "/zahlung/")


class PersonalPagesNoStoreMiddleware:
    """`Cache-Control: private, no-store` (Django's never-cache headers) on every answer to a
    signed-in visitor and on every personal path, whoever asks; anonymous public pages keep
    what their view sets (the page cache serves them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith(PERSONAL_PATH_PREFIXES) or (
            user is not None and user.is_authenticated
        ):
            add_never_cache_headers(response)
        return response
