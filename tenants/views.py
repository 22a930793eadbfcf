from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from tenants.selectors import portal_links


def portal_index(request: HttpRequest) -> HttpResponse:
    """The public host's start page: the list of portals in the district."""
    port = request.get_port()
    links = portal_links(scheme=request.scheme, port=port)
    return TemplateResponse(request, "kreisportal/public_index.html", {"portals": links})
