from __future__ import annotations

from rest_framework import serializers

from services.local.models import OnlineLevel
from services.models import LifeSituation, Topic

MAX_PAGE_SIZE = 100


class ServiceListQuery(serializers.Serializer):
    """Query parameters of GET /api/v1/services/ (validated; errors name the field)."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    topic = serializers.SlugField(required=False)
    life_situation = serializers.SlugField(required=False)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices, required=False)
    offered = serializers.BooleanField(required=False, allow_null=True, default=None)
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=20
    )

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


class FinderQuery(serializers.Serializer):
    service = serializers.RegexField(
        r"^\d{14}$", error_messages={"invalid": "a 14-digit LeiKa key"}
    )
    municipality = serializers.CharField(max_length=40, help_text="slug or official key (AGS)")


class ResponsibleSerializer(serializers.Serializer):
    level = serializers.CharField()
    authority = serializers.CharField(allow_blank=True)


class ServiceItemSerializer(serializers.Serializer):
    leika_key = serializers.CharField()
    name = serializers.CharField()
    offered = serializers.BooleanField(allow_null=True)
    responsible = ResponsibleSerializer()
    url = serializers.URLField()


class OfficeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    street = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    opening_hours = serializers.JSONField()
    appointment_url = serializers.CharField()
    is_demo = serializers.BooleanField()
