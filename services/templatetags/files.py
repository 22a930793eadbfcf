"""What a download link downloads: "PDF, 45 KB" (WCAG 2.4.4: the link text says it)."""

from __future__ import annotations

from pathlib import PurePath

from django import template
from django.template.defaultfilters import filesizeformat

register = template.Library()


@register.filter
def file_kind_size(file) -> str:
    """A stored file's kind by its extension and its size; the kind alone when the storage
    cannot say the size."""
    kind = PurePath(getattr(file, "name", "") or "").suffix.lstrip(".").upper() or "Datei"
    try:
        size = file.size
    except (OSError, ValueError):
        return kind
    return f"{kind}, {filesizeformat(size)}"
