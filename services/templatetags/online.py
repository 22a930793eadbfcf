"""Online offer of a service page, generated from the route (services.online):
`{% online_offer service local application_form as offer %}` gives `offer.href` (the "Online
beantragen" link, '' for none), `offer.form` and `offer.borrowed` (the form belongs to the bare
entry of the same Leistungsobjekt)."""

from django import template

from services.online import is_own_host_url, online_link
from services.online_offers import object_application_form

register = template.Library()


@register.simple_tag
def online_offer(service, local, application_form=None) -> dict:
    form, borrowed = object_application_form(service, application_form)
    href = online_link(leika_key=service.leika_key, local=local, application_form=form)
    return {"href": href, "form": form, "borrowed": borrowed}


@register.simple_tag
def online_href(service, local, application_form=None) -> str:
    return online_offer(service, local, application_form)["href"]


@register.filter
def external_url(url: str) -> str:
    """`url` when it leads outside the portal, else '' (stored links to the portal's own hosts
    are dead once a host name changes; own services are reached through their route)."""
    return "" if not url or is_own_host_url(url) else url
