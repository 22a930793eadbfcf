"""The tenant's branding stylesheet."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from wagtail.models import Site

from cms.branding import BrandingSettings

# The page links the stylesheet as /branding.css?v=<hash of the CSS>: that URL changes with the
# CSS, so browsers and a CDN may keep it for a year; any other URL (no or an old version) only
# for a few minutes.
BRANDING_CSS_MAX_AGE = 31_536_000
BRANDING_CSS_UNVERSIONED_MAX_AGE = 300


@require_GET
def branding_css(request: HttpRequest) -> HttpResponse:
    site = Site.find_for_request(request)
    branding = BrandingSettings.for_site(site) if site else None
    css = branding.css if branding else ""
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if branding and request.GET.get("v") == branding.css_version:
        response["Cache-Control"] = f"public, max-age={BRANDING_CSS_MAX_AGE}, immutable"
    else:
        response["Cache-Control"] = f"public, max-age={BRANDING_CSS_UNVERSIONED_MAX_AGE}"
    return response
