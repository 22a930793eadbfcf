"""Read-only catalogue API, per tenant (tenant hosts) and district-wide (public host)."""

from __future__ import annotations

import csv
import io
import json

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from services import selectors
from services.api.serializers import (
    FinderQuery,
    OfficeSerializer,
    ServiceItemSerializer,
    ServiceListQuery,
)
from services.finder import find_responsible
from services.local.models import LocalService
from services.models import Service
from services.search import search_services
from tenants.models import Tenant

SEARCH_WINDOW = 500  # ranked hits considered before filters and paging
CACHE_SECONDS = 300


def _cached(response: Response) -> Response:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["Host", "Accept-Language"])
    return response


def _responsible(service: Service, local: LocalService | None, tenant: Tenant | None) -> dict:
    if local is None:
        return {"level": service.default_level or "unknown", "authority": ""}
    authority = {
        "self": tenant.name if tenant else "",
        "district": "Kreis Heinsberg",
        "other": local.other_authority,
    }.get(local.responsibility, "")
    return {"level": local.responsibility, "authority": authority}


def _service_url(request: Request, key: str) -> str:
    return request.build_absolute_uri(f"/api/v1/services/{key}/")


class ServiceListView(APIView):
    @extend_schema(
        parameters=[ServiceListQuery],
        responses=ServiceItemSerializer(many=True),
        description="Services, ranked by relevance when `q` is given (offered services first).",
    )
    def get(self, request: Request) -> Response:
        query = ServiceListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        in_tenant = selectors.in_tenant_schema()
        if not in_tenant and (params.get("offered") is not None or params.get("online_level")):
            raise ValidationError({"offered": ["only available on a tenant's host"]})

        queryset = Service.objects.all()
        if params.get("topic"):
            queryset = queryset.filter(topic=params["topic"])
        if params.get("life_situation"):
            queryset = queryset.filter(life_situation=params["life_situation"])
        if in_tenant:
            local_filter = Q()
            if params.get("offered") is not None:
                local_filter &= Q(offered=params["offered"])
            if params.get("online_level"):
                local_filter &= Q(online_level=params["online_level"])
            if local_filter:
                keys = LocalService.objects.filter(local_filter).values("service_id")
                queryset = queryset.filter(pk__in=keys)

        ranked: list[int] | None = None
        if params.get("q"):
            result = search_services(params["q"], limit=SEARCH_WINDOW)
            ranked = [hit.id for hit in result.hits]
            queryset = queryset.filter(pk__in=ranked)
        ids = list(queryset.order_by("name").values_list("pk", flat=True))
        if ranked is not None:
            allowed = set(ids)
            ids = [pk for pk in ranked if pk in allowed]

        page, size = params["page"], params["page_size"]
        window = ids[(page - 1) * size : page * size]
        if page > 1 and not window:
            raise ValidationError({"page": [f"page {page} is beyond the last page"]})
        services = Service.objects.in_bulk(window)
        locals_ = (
            {ls.service_id: ls for ls in LocalService.objects.filter(service_id__in=window)}
            if in_tenant
            else {}
        )
        tenant = getattr(request, "tenant", None)
        results = []
        for pk in window:
            service, local = services[pk], locals_.get(pk)
            results.append(
                {
                    "leika_key": service.leika_key,
                    "name": service.name,
                    "offered": local.offered if local else (False if in_tenant else None),
                    "responsible": _responsible(service, local, tenant if in_tenant else None),
                    "url": _service_url(request, service.leika_key),
                }
            )

        def link(number: int) -> str | None:
            if number < 1 or (number - 1) * size >= len(ids):
                return None
            query_params = request.query_params.copy()
            query_params["page"] = str(number)
            return request.build_absolute_uri(f"{request.path}?{query_params.urlencode()}")

        return _cached(
            Response(
                {
                    "count": len(ids),
                    "next": link(page + 1),
                    "previous": link(page - 1),
                    "results": results,
                }
            )
        )


class ServiceDetailView(APIView):
    @extend_schema(responses={200: dict, 404: dict})
    def get(self, request: Request, leika_key: str) -> Response:
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
            "responsible": _responsible(service, local, request.tenant if in_tenant else None),
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


class OfficeListView(APIView):
    @extend_schema(responses=OfficeSerializer(many=True))
    def get(self, request: Request) -> Response:
        if not selectors.in_tenant_schema():
            raise Http404("Dienststellen gibt es nur im Portal eines Mandanten.")
        offices = OfficeSerializer(selectors.offices(), many=True).data
        return _cached(Response({"count": len(offices), "results": offices}))


class FinderView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("service", str, required=True, description="LeiKa key"),
            OpenApiParameter("municipality", str, required=True, description="slug or AGS"),
        ],
        responses={200: dict, 400: dict, 404: dict},
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
        if service is None:
            raise ValidationError({"service": ["unknown LeiKa key"]})
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


class ExportView(APIView):
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
        parameters=[OpenApiParameter("as", str, enum=["json", "csv"])],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "text/csv"): OpenApiTypes.STR,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        if not selectors.in_tenant_schema():
            raise Http404("Export gibt es nur im Portal eines Mandanten.")
        kind = request.query_params.get("as", "json")
        if kind not in {"json", "csv"}:
            raise ValidationError({"as": ["use 'json' or 'csv'"]})
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
