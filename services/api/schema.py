"""OpenAPI schema hooks: the published schema describes the catalogue API only."""

from __future__ import annotations

API_PREFIX = "/api/"


def only_catalogue_api(endpoints: list[tuple]) -> list[tuple]:
    """drf-spectacular preprocessing hook: drop every endpoint outside /api/ (Wagtail's admin
    API under /cms/api/ is internal to the editor and not part of the public contract)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(API_PREFIX)]
