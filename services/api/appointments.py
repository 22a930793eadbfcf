"""GET /api/v1/appointments/slots/: free appointment slots of a tenant's offices for one
catalogue service (services/appointments computes them)."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from services import selectors as catalogue
from services.api.serializers import LEIKA_KEY_PATTERN, QuerySerializer
from services.api.views import CatalogueAPIView, _errors
from services.appointments import selectors

MAX_DAYS = 62


class SlotsQuery(QuerySerializer):
    service = serializers.RegexField(
        LEIKA_KEY_PATTERN,
        error_messages={"invalid": "a 14-digit LeiKa key"},
        help_text="LeiKa key (14 digits) of the service to book",
    )
    office = serializers.UUIDField(required=False, help_text="id of the office (all if absent)")
    # `from` is a Python keyword: declared under its parameter name in get_fields()
    to = serializers.DateField(required=False, help_text="last day (YYYY-MM-DD), inclusive")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False, help_text="first day (YYYY-MM-DD); today if absent"
        )
        return fields

    def validate(self, data):
        today = timezone.localdate()
        first = data.get("from") or today
        last = data.get("to") or first + timedelta(days=13)
        if last < first:
            raise ValidationError({"to": ["must not be before `from`"]})
        if (last - first).days >= MAX_DAYS:
            raise ValidationError({"to": [f"at most {MAX_DAYS} days after `from`"]})
        data["from"], data["to"] = first, last
        return data


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class OfficeSlotsSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="office id (the `office` parameter)")
    name = serializers.CharField()
    address = serializers.CharField()
    minutes = serializers.IntegerField(help_text="duration of the service here")
    booking_url = serializers.CharField(help_text="path of the booking page")
    slots = SlotSerializer(many=True)


class SlotsAnswerSerializer(serializers.Serializer):
    service = serializers.CharField()
    to = serializers.DateField()
    offices = OfficeSlotsSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        return {
            "service": fields["service"],
            "from": serializers.DateField(),  # a Python keyword: no class attribute
            "to": fields["to"],
            "offices": fields["offices"],
        }


class SlotsView(CatalogueAPIView):
    @extend_schema(
        operation_id="v1_appointments_slots",
        parameters=[SlotsQuery],
        responses={
            200: SlotsAnswerSerializer,
            **_errors(
                404,
                not_found="on the public host (appointments belong to a tenant), or an unknown "
                "office",
            ),
        },
        description="Free appointment slots for one service at this portal's offices (only "
        "offices that offer it by appointment), at most 62 days at once. Times in "
        "Europe/Berlin with their offset.",
    )
    def get(self, request: Request) -> Response:
        if not catalogue.in_tenant_schema():
            raise Http404("Termine gibt es nur im Portal eines Mandanten.")
        query = SlotsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        key, first, last = params["service"], params["from"], params["to"]
        schedules = selectors.schedules_offering([key])
        if params.get("office"):
            schedules = [s for s in schedules if s.pk == params["office"]]
            if not schedules:
                raise Http404("Diese Dienststelle bietet die Leistung nicht mit Termin an.")
        # built directly (the serializers document the shape): thousands of slots through
        # DRF's field machinery cost more than computing them
        body = {
            "service": key,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "offices": [
                {
                    "id": str(found.schedule.pk),
                    "name": found.schedule.office.name,
                    "address": found.schedule.office.address,
                    "minutes": found.minutes,
                    "booking_url": f"/termine/{found.schedule.pk}/?leistung={key}",
                    "slots": [
                        {
                            "start": start.isoformat(),
                            "end": (start + timedelta(minutes=found.minutes)).isoformat(),
                        }
                        for start in found.starts
                    ],
                }
                for found in selectors.free_slots_at_offices(schedules, key, first, last)
            ],
        }
        response = Response(body)
        response["Cache-Control"] = "no-store"  # slots change with every booking
        return response
