"""Request routing by host, and the friendly page for suspended tenants."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_tenants.middleware.main import TenantMainMiddleware

from kreisportal.observability import tag_tenant

# Paths a suspended tenant still answers: its own admin (so the district can fix and resume it),
# static files and the load balancer's health check.
SUSPENSION_EXEMPT_PREFIXES = ("/cms/", "/static/", "/healthz")


class KreisportalTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host → schema routing, plus the tenant as a Sentry tag on every event."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        response = super().process_request(request)
        tenant = getattr(request, "tenant", None)
        tag_tenant(getattr(tenant, "slug", None) or "public")
        return response


class SuspendedTenantMiddleware:
    """Citizens of a suspended tenant get a 503 page that explains, instead of the portal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
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
