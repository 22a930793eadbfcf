"""The tenant's branding stylesheet."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from wagtail.models import Site

from cms.branding import BrandingSettings

BRANDING_CSS_MAX_AGE = 86_400  # the page links it with ?v=<hash of the CSS>


@require_GET
def branding_css(request: HttpRequest) -> HttpResponse:
    site = Site.find_for_request(request)
    css = BrandingSettings.for_site(site).css if site else ""
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={BRANDING_CSS_MAX_AGE}"
    return response
