"""`{% service_in_ui key name_en as tr %}`: a service's English or Dutch name and key texts
for the UI language (services/translations.py), None on the German UI or when none exist."""

from __future__ import annotations

from django import template

from services.translations import ServiceTranslation, service_translation

register = template.Library()


@register.simple_tag
def service_in_ui(leika_key: str, name_en: str = "") -> ServiceTranslation | None:
    return service_translation(str(leika_key), name_en=name_en or "")
