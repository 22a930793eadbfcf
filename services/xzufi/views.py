"""The tenant's XZuFi 2.2 document for harvesting (GET, read-only, tenant hosts only)."""

from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from services.selectors import in_tenant_schema
from services.xzufi.export import build_export


@require_GET
def xzufi_export(request: HttpRequest) -> HttpResponse:
    if not in_tenant_schema():
        raise Http404("XZuFi-Export gibt es nur im Portal eines Mandanten.")
    response = HttpResponse(
        build_export(tenant=connection.tenant), content_type="application/xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="xzufi-{connection.tenant.slug}.xml"'
    response["Cache-Control"] = "public, max-age=300"
    return response
