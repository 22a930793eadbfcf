"""OpenAPI schema hooks: the published schema describes the catalogue API only, and what it
says about a parameter is what the views accept."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

API_PREFIX = "/api/"


def only_catalogue_api(endpoints: list[tuple]) -> list[tuple]:
    """drf-spectacular preprocessing hook: drop every endpoint outside /api/ (Wagtail's admin
    API under /cms/api/ is internal to the editor and not part of the public contract)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]


class KnownValueFieldExtension(OpenApiSerializerFieldExtension):
    """A `KnownValueField` is documented as an enum of the values known right now (topics, life
    situations, municipalities): a client sees what it may send, and an unknown value is a
    schema violation answered with 400, not a surprise."""

    target_class = "services.api.serializers.KnownValueField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": self.target.known()}
