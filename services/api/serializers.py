from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from services.local.models import OnlineLevel
from services.models import LifeSituation, Topic
from tenants.models import Tenant

MAX_PAGE_SIZE = 100
# ASCII only: `\d` and `int()` also accept "١٢٣" (Arabic-Indic) and `str.isdigit()` even "²"
LEIKA_KEY_PATTERN = r"^[0-9]{14}$"
LEIKA_KEY = re.compile(LEIKA_KEY_PATTERN)
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}")


class WholeNumberField(serializers.IntegerField):
    """An integer typed in ASCII digits. DRF's IntegerField lets `int()` decide, which reads
    "١" as 1 and "1.0" as 1: a query parameter is either plain digits or refused with 400."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not _WHOLE_NUMBER.fullmatch(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)


class KnownValueField(serializers.CharField):
    """A value from the catalogue's data (a topic slug, a municipality). The OpenAPI schema lists
    the values known when it is generated (services/api/schema.py); the serializer's
    `validate_<field>` refuses any other with a message naming it."""

    def __init__(self, *, known: Callable[[], list[str]], **kwargs) -> None:
        self.known = known
        kwargs.setdefault("max_length", 120)
        super().__init__(**kwargs)


def topic_slugs() -> list[str]:
    return list(Topic.objects.order_by("slug").values_list("slug", flat=True))


def life_situation_slugs() -> list[str]:
    return list(LifeSituation.objects.order_by("slug").values_list("slug", flat=True))


def municipality_idents() -> list[str]:
    rows = Tenant.objects.filter(kind=Tenant.Kind.MUNICIPALITY).order_by("slug")
    return [ident for slug, ags in rows.values_list("slug", "ags") for ident in (slug, ags)]


class QuerySerializer(serializers.Serializer):
    """Query parameters of one endpoint; the views check every parameter for NUL bytes first.

    Read as plain values, not as an HTML form: DRF would take an empty optional field
    (`?topic=`) as absent, while the schema says a topic is one of the known slugs. So an
    empty value is refused like any other invalid one (`q` allows it explicitly)."""

    def to_internal_value(self, data):
        if hasattr(data, "lists"):
            data = {name: values[-1] for name, values in data.lists()}
        return super().to_internal_value(data)


class ServiceListQuery(QuerySerializer):
    """Query parameters of GET /api/v1/services/ (validated; errors name the field)."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    topic = KnownValueField(required=False, known=topic_slugs, help_text="slug of a topic")
    life_situation = KnownValueField(
        required=False, known=life_situation_slugs, help_text="slug of a life situation"
    )
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices, required=False)
    offered = serializers.BooleanField(required=False, allow_null=True, default=None)
    page = WholeNumberField(required=False, min_value=1, default=1)
    page_size = WholeNumberField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=20)

    def validate_topic(self, value: str) -> Topic:
        topic = Topic.objects.filter(slug=value).first()
        if topic is None:
            raise serializers.ValidationError(f"unknown topic '{value}'")
        return topic

    def validate_life_situation(self, value: str) -> LifeSituation:
        situation = LifeSituation.objects.filter(slug=value).first()
        if situation is None:
            raise serializers.ValidationError(f"unknown life situation '{value}'")
        return situation


class FinderQuery(QuerySerializer):
    service = serializers.RegexField(
        LEIKA_KEY_PATTERN,
        error_messages={"invalid": "a 14-digit LeiKa key"},
        help_text="LeiKa key (14 digits)",
    )
    municipality = KnownValueField(
        max_length=40, known=municipality_idents, help_text="slug or official key (AGS)"
    )


class ExportQuery(QuerySerializer):
    def get_fields(self):
        fields = super().get_fields()
        # `as` is a Python keyword, so it cannot be declared as a class attribute
        fields["as"] = serializers.ChoiceField(
            choices=["json", "csv"],
            required=False,
            default="json",
            error_messages={"invalid_choice": "use 'json' or 'csv'"},
            help_text="format of the download",
        )
        return fields


class ResponsibleSerializer(serializers.Serializer):
    level = serializers.CharField()
    authority = serializers.CharField(allow_blank=True)


class ServiceItemSerializer(serializers.Serializer):
    """One service of the list; serialises services prepared by
    services.api.selectors.services_page (`offered_here`, `responsible_here`)."""

    leika_key = serializers.CharField()
    name = serializers.CharField()
    offered = serializers.BooleanField(allow_null=True, source="offered_here")
    responsible = ResponsibleSerializer(source="responsible_here")
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_url(self, service) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api-service", args=[service.leika_key])
        )


class OpeningHoursSerializer(serializers.Serializer):
    """One slot of `Office.opening_hours` (validated by the model's validate_opening_hours)."""

    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 = Monday")
    opens = serializers.CharField(help_text="HH:MM")
    closes = serializers.CharField(help_text="HH:MM")


class OfficeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    street = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    opening_hours = OpeningHoursSerializer(many=True)
    appointment_url = serializers.CharField()
    is_demo = serializers.BooleanField()


# --- responses ----------------------------------------------------------------------------------
# Declared for the OpenAPI schema: the views build their answers from these same shapes, and
# tests/catalogue/test_api_conformance.py validates every answer against the published schema.


class ErrorSerializer(serializers.Serializer):
    """Every 4xx/5xx answer of the API (services/api/errors.py); other members may follow."""

    detail = serializers.CharField(help_text="what went wrong, in German")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="per query parameter: what is wrong with it",
    )
    parameter = serializers.CharField(required=False, help_text="the parameter at fault")


class ServicePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ServiceItemSerializer(many=True)


class OfficePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=0)
    results = OfficeSerializer(many=True)


class ServiceTextsSerializer(serializers.Serializer):
    short_text = serializers.CharField(allow_blank=True)
    full_text = serializers.CharField(allow_blank=True)
    prerequisites = serializers.JSONField()
    documents = serializers.JSONField()
    fees = serializers.CharField(allow_blank=True)
    deadlines = serializers.CharField(allow_blank=True)
    procedure = serializers.JSONField()
    legal_basis = serializers.JSONField(help_text="links to the legal basis")
    hints = serializers.CharField(allow_blank=True)


class LocalPartSerializer(serializers.Serializer):
    fee_cents = serializers.IntegerField(allow_null=True, min_value=0)
    notes = serializers.CharField(allow_blank=True)
    documents = serializers.CharField(allow_blank=True)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices)
    online_url = serializers.CharField(allow_blank=True)
    office = OfficeSerializer(allow_null=True)


class ServiceDetailSerializer(serializers.Serializer):
    leika_key = serializers.RegexField(LEIKA_KEY_PATTERN)
    name = serializers.CharField()
    topic = serializers.CharField(allow_null=True)
    life_situation = serializers.CharField(allow_null=True)
    ozg_service = serializers.CharField(allow_blank=True)
    leika_type = serializers.CharField(allow_blank=True)
    synonyms = serializers.ListField(child=serializers.CharField())
    texts = ServiceTextsSerializer()
    legal_basis = serializers.CharField(allow_blank=True)
    offered = serializers.BooleanField(allow_null=True, help_text="null on the public host")
    responsible = ResponsibleSerializer()
    local = LocalPartSerializer(allow_null=True, help_text="the tenant's local part, if any")


class FinderServiceSerializer(serializers.Serializer):
    leika_key = serializers.CharField()
    name = serializers.CharField()


class FinderMunicipalitySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    ags = serializers.CharField()


class FinderOfficeSerializer(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    appointment_url = serializers.CharField(allow_blank=True)


class FinderOnlineSerializer(serializers.Serializer):
    level = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class FinderAnswerSerializer(serializers.Serializer):
    service = FinderServiceSerializer()
    municipality = FinderMunicipalitySerializer()
    responsible = serializers.ChoiceField(choices=["municipality", "district", "other", "unknown"])
    authority = serializers.CharField(allow_blank=True)
    office = FinderOfficeSerializer(allow_null=True)
    online = FinderOnlineSerializer(allow_null=True)
    portal = serializers.CharField(allow_null=True, help_text="slug of the portal to go to")


class ExportRowSerializer(serializers.Serializer):
    leika_key = serializers.CharField()
    name = serializers.CharField()
    offered = serializers.BooleanField()
    responsibility = serializers.CharField()
    other_authority = serializers.CharField(allow_blank=True)
    office = serializers.CharField(allow_blank=True)
    fee_cents = serializers.IntegerField(allow_null=True, min_value=0)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices)
    online_url = serializers.CharField(allow_blank=True)
