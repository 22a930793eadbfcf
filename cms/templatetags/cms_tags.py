from django import template

from services.models import Service

register = template.Library()


@register.simple_tag
def services_by_keys(keys) -> list[Service]:
    """Catalogue services in the editor's order (one query)."""
    keys = list(keys)
    found = {
        s.leika_key: s for s in Service.objects.filter(leika_key__in=keys).only("leika_key", "name")
    }
    return [found[k] for k in keys if k in found]


@register.filter
def video_type(document) -> str:
    """The MIME type of a sign-language video document (cms.easy_read)."""
    from cms.easy_read import video_type as _video_type

    return _video_type(document)
