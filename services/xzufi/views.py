"""The tenant's XZuFi 2.2 document for harvesting (GET, read-only, tenant hosts only).

`/xzufi.xml` is the whole catalogue in one document; `/xzufi.xml?seite=N` (optionally
`&seitengroesse=S`, 1–5000, default 1000 objects) one page of it, each page a complete
document, with the pages linked in the `Link` header (rel first/prev/next/last) and the count
in `X-Seiten`, so a harvester follows `next` until there is none."""

from __future__ import annotations

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from services.selectors import in_tenant_schema
from services.xzufi.export import DEFAULT_PAGE_SIZE, build_export, export_page_count

MAX_PAGE_SIZE = 5000


def _positive(request: HttpRequest, name: str, default: int | None) -> int | None:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ValueError(f"{name} muss eine ganze Zahl ab 1 sein.")
    return int(raw)


@require_GET
def xzufi_export(request: HttpRequest) -> HttpResponse:
    if not in_tenant_schema():
        raise Http404("XZuFi-Export gibt es nur im Portal eines Mandanten.")
    tenant = connection.tenant
    try:
        page = _positive(request, "seite", None)
        size = _positive(request, "seitengroesse", DEFAULT_PAGE_SIZE)
        if size > MAX_PAGE_SIZE:
            raise ValueError(f"seitengroesse höchstens {MAX_PAGE_SIZE}.")
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    pages = export_page_count(page_size=size) if page is not None else 1
    if page is not None and page > pages:
        return JsonResponse({"error": f"seite {page} gibt es nicht (letzte: {pages})."}, status=404)
    response = HttpResponse(
        build_export(tenant=tenant, page=page, page_size=size),
        content_type="application/xml; charset=utf-8",
    )
    suffix = f"-{page:03d}" if page is not None else ""
    response["Content-Disposition"] = f'inline; filename="xzufi-{tenant.slug}{suffix}.xml"'
    response["Cache-Control"] = "public, max-age=300"
    if page is not None:
        response["X-Seiten"] = str(pages)
        links = {"first": 1, "last": pages}
        if page > 1:
            links["prev"] = page - 1
        if page < pages:
            links["next"] = page + 1
        response["Link"] = ", ".join(
            f'<{request.path}?seite={number}&seitengroesse={size}>; rel="{rel}"'
            for rel, number in links.items()
        )
    return response
