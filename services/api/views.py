"""Read-only catalogue API, per tenant (tenant hosts) and district-wide (public host)."""

from __future__ import annotations

import csv
import io
import json

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from services import selectors
from services.api import schema as _schema_extensions  # noqa: F401 - registers them
from services.api import selectors as api_selectors
from services.api.errors import printable
from services.api.serializers import (
    LEIKA_KEY,
    LEIKA_KEY_PATTERN,
    MAX_PAGE_SIZE,
    ErrorSerializer,
    ExportQuery,
    ExportRowSerializer,
    FinderAnswerSerializer,
    FinderQuery,
    OfficePageSerializer,
    OfficeSerializer,
    ServiceDetailSerializer,
    ServiceItemSerializer,
    ServiceListQuery,
    ServicePageSerializer,
)
from services.finder import find_responsible
from services.local.models import LocalService
from services.models import Service
from tenants.models import Tenant

CACHE_SECONDS = 300


def _cached(response: Response) -> Response:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["Host", "Accept-Language"])
    return response


_ERROR_DESCRIPTIONS = {
    400: "a query parameter is invalid (`errors` names it), e.g. a NUL byte or a non-ASCII digit",
    404: "not found",
    406: "the Accept header allows no JSON",
    414: "the query string is too long",
    503: "the database cannot be reached; try again later",
}


def _errors(*statuses: int, not_found: str = "") -> dict[int, OpenApiResponse]:
    """Documented error answers: the ones every endpoint can give, plus `statuses`."""
    documented = {}
    for status in sorted({400, 406, 414, 503, *statuses}):
        description = not_found if status == 404 and not_found else _ERROR_DESCRIPTIONS[status]
        documented[status] = OpenApiResponse(ErrorSerializer, description=description)
    return documented


class CatalogueAPIView(APIView):
    """Base of every catalogue endpoint: JSON only, and no query parameter with a NUL byte ever
    reaches a serializer or the database (psycopg refuses to send one)."""

    renderer_classes = [JSONRenderer]

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        for name, values in request.query_params.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise ValidationError(
                    {printable(name): ["Enthält ein unzulässiges Zeichen (NUL)."]}
                )


class ServicePagination(PageNumberPagination):
    """Pages of the service list: `page` and `page_size` (validated by ServiceListQuery
    first); a page beyond the last is a 400 naming `page`, as documented."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            page = request.query_params.get(self.page_query_param)
            raise ValidationError({"page": [f"page {page} is beyond the last page"]}) from exc

    def get_previous_link(self) -> str | None:
        """The previous page's address, with `page=1` spelled out on the second page."""
        if not self.page.has_previous():
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.page_query_param, self.page.previous_page_number())


class ServiceListView(CatalogueAPIView):
    @extend_schema(
        operation_id="v1_services_list",  # an APIView's GET is named "retrieve" otherwise
        parameters=[ServiceListQuery],
        responses={200: ServicePageSerializer, **_errors()},
        description="Services, one page at a time, ranked by relevance when `q` is given "
        "(offered services first). `offered` and `online_level` only on a tenant's host "
        "(400 on the public host); a `page` beyond the last page is a 400.",
    )
    def get(self, request: Request) -> Response:
        query = ServiceListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        in_tenant = selectors.in_tenant_schema()
        if not in_tenant and (params.get("offered") is not None or params.get("online_level")):
            raise ValidationError({"offered": ["only available on a tenant's host"]})
        paginator = ServicePagination()
        window = paginator.paginate_queryset(
            api_selectors.service_ids(params, in_tenant=in_tenant), request, view=self
        )
        page = api_selectors.services_page(
            window, in_tenant=in_tenant, tenant=getattr(request, "tenant", None)
        )
        items = ServiceItemSerializer(page, many=True, context={"request": request})
        return _cached(paginator.get_paginated_response(items.data))


class ServiceDetailView(CatalogueAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "leika_key",
                str,
                OpenApiParameter.PATH,
                pattern=LEIKA_KEY_PATTERN,
                description="LeiKa key (14 digits)",
            )
        ],
        responses={
            200: ServiceDetailSerializer,
            **_errors(404, not_found="no service with this key (or not a 14-digit key)"),
        },
    )
    def get(self, request: Request, leika_key: str) -> Response:
        # anything but 14 ASCII digits names no service: never sent to the database
        if not LEIKA_KEY.fullmatch(leika_key):
            raise Http404("Leistung nicht gefunden")
        service = selectors.access_service(leika_key)
        local = selectors.local_part(service)
        in_tenant = selectors.in_tenant_schema()
        office = local.office if local else None
        data = {
            "leika_key": service.leika_key,
            "name": service.name,
            "topic": service.topic.name if service.topic else None,
            "life_situation": service.life_situation.name if service.life_situation else None,
            "ozg_service": service.ozg_service,
            "leika_type": service.leika_type,
            "synonyms": service.synonyms,
            "texts": {
                "short_text": service.short_text,
                "full_text": service.full_text,
                "prerequisites": service.prerequisites,
                "documents": service.documents,
                "fees": service.fees,
                "deadlines": service.deadlines,
                "procedure": service.procedure,
                "legal_basis": service.legal_links,
                "hints": service.hints,
            },
            "legal_basis": service.legal_basis,
            "offered": local.offered if local else None,
            "responsible": api_selectors.responsible(
                service, local, request.tenant if in_tenant else None
            ),
            "local": None
            if local is None
            else {
                "fee_cents": local.fee_cents if local.fee_cents is not None else service.fee_cents,
                "notes": local.local_notes,
                "documents": local.local_documents,
                "online_level": local.online_level,
                "online_url": local.online_url,
                "office": OfficeSerializer(office).data if office else None,
            },
        }
        return _cached(Response(data))


class OfficeListView(CatalogueAPIView):
    @extend_schema(
        responses={
            200: OfficePageSerializer,
            **_errors(404, not_found="on the public host: offices belong to a tenant"),
        },
    )
    def get(self, request: Request) -> Response:
        if not selectors.in_tenant_schema():
            raise Http404("Dienststellen gibt es nur im Portal eines Mandanten.")
        offices = OfficeSerializer(selectors.offices(), many=True).data
        return _cached(Response({"count": len(offices), "results": offices}))


class FinderView(CatalogueAPIView):
    @extend_schema(
        parameters=[FinderQuery],
        responses={
            200: FinderAnswerSerializer,
            **_errors(
                404,
                not_found="no service with this key; or on a municipality's host, "
                "where there is no finder (it is district-wide)",
            ),
        },
        description="Who is responsible for a service for the citizens of a municipality, and "
        "how to do it online. On the public host and the district's host.",
    )
    def get(self, request: Request) -> Response:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.kind == Tenant.Kind.MUNICIPALITY:
            raise Http404(
                "Der Finder ist im Portal des Kreises und auf der Kreisportal-Startseite."
            )
        query = FinderQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        ident = query.validated_data["municipality"].strip()
        municipality = Tenant.objects.filter(
            Q(slug=ident) | Q(ags=ident), kind=Tenant.Kind.MUNICIPALITY
        ).first()
        if municipality is None:
            raise ValidationError({"municipality": [f"unknown municipality '{ident}'"]})
        service = Service.objects.filter(leika_key=query.validated_data["service"]).first()
        if service is None:  # well-formed, but no such service: as GET /services/<key>/
            raise Http404("Leistung nicht gefunden")
        answer = find_responsible(service=service, municipality=municipality)
        offer = answer.offer
        return _cached(
            Response(
                {
                    "service": {"leika_key": service.leika_key, "name": service.name},
                    "municipality": {
                        "slug": municipality.slug,
                        "name": municipality.name,
                        "ags": municipality.ags,
                    },
                    "responsible": answer.responsible,
                    "authority": answer.authority_name,
                    "office": None
                    if offer is None or not offer.office_name
                    else {
                        "name": offer.office_name,
                        "address": offer.office_address,
                        "phone": offer.office_phone,
                        "email": offer.office_email,
                        "appointment_url": offer.appointment_url,
                    },
                    "online": None
                    if offer is None or offer.online_level == "information"
                    else {
                        "level": offer.online_level,
                        "url": offer.online_url,
                    },
                    "portal": answer.portal.slug if answer.portal else None,
                }
            )
        )


class ExportView(CatalogueAPIView):
    """The tenant's catalogue (every service with its local part) as JSON or CSV."""

    COLUMNS = [
        "leika_key",
        "name",
        "offered",
        "responsibility",
        "other_authority",
        "office",
        "fee_cents",
        "online_level",
        "online_url",
    ]

    @extend_schema(
        parameters=[ExportQuery],
        responses={
            (200, "application/json"): ExportRowSerializer(many=True),
            (200, "text/csv"): OpenApiTypes.STR,
            **{
                (status, "application/json"): response
                for status, response in _errors(
                    404, not_found="on the public host: the export belongs to a tenant"
                ).items()
            },
        },
    )
    def get(self, request: Request) -> HttpResponse:
        if not selectors.in_tenant_schema():
            raise Http404("Export gibt es nur im Portal eines Mandanten.")
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind = query.validated_data["as"]
        rows = [
            [
                ls.service.leika_key,
                ls.service.name,
                ls.offered,
                ls.responsibility,
                ls.other_authority,
                ls.office.name if ls.office else "",
                ls.fee_cents,
                ls.online_level,
                ls.online_url,
            ]
            for ls in LocalService.objects.select_related("service", "office").order_by(
                "service__leika_key"
            )
        ]
        slug = request.tenant.slug
        if kind == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(self.COLUMNS)
            writer.writerows(rows)
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        else:
            payload = [dict(zip(self.COLUMNS, row, strict=True)) for row in rows]
            response = HttpResponse(
                json.dumps(payload, ensure_ascii=False), content_type="application/json"
            )
        response["Content-Disposition"] = f'attachment; filename="{slug}-katalog.{kind}"'
        return response
