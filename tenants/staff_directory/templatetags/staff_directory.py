from django import template

from tenants.staff_directory.selectors import enabled_directory_for

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_directory_enabled(context) -> bool:
    """Whether this tenant's staff can sign in through the municipality's directory."""
    request = context.get("request")
    return enabled_directory_for(getattr(request, "tenant", None)) is not None
