"""The other portals of the district, for the footer's "Andere Kommune wählen" and the
district's home page (tenants.selectors.live_portal_links: no query once the process knows
them)."""

from __future__ import annotations

from django import template

from tenants.selectors import PortalLink, live_portal_links

register = template.Library()


@register.simple_tag(takes_context=True)
def other_portals(context, kind: str = "") -> list[PortalLink]:
    """Live portals other than the current one; only those of `kind` when given."""
    request = context.get("request")
    tenant = getattr(request, "tenant", None)
    if request is None or not getattr(tenant, "is_portal", False):
        return []
    links = live_portal_links(scheme=request.scheme, port=request.get_port())
    return [link for link in links if link.slug != tenant.slug and (not kind or link.kind == kind)]
