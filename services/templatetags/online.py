"""`{% online_href service local application_form as href %}`: the "Online beantragen" link of a
service page, generated from the route (services.online)."""

from django import template

from services.online import is_own_host_url, online_link

register = template.Library()


@register.simple_tag
def online_href(service, local, application_form=None) -> str:
    return online_link(leika_key=service.leika_key, local=local, application_form=application_form)


@register.filter
def external_url(url: str) -> str:
    """`url` when it leads outside the portal, else '' (stored links to the portal's own hosts
    are dead once a host name changes; own services are reached through their route)."""
    return "" if not url or is_own_host_url(url) else url
