"""The tenant's branding stylesheet; the feedback form of the accessibility statement."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.models import Site

from cms.actions import do_report_barrier
from cms.branding import BrandingSettings
from cms.forms import BarrierReportForm

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


# Feedback: at most this many reports per address and hour (a form anyone can send).
BARRIER_REPORTS_PER_HOUR = 5


def _too_many_reports(request: HttpRequest) -> bool:
    key = f"barrier-report:{request.META.get('REMOTE_ADDR', '-')}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) > BARRIER_REPORTS_PER_HOUR
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return False


@require_http_methods(["GET", "POST"])
def report_barrier(request: HttpRequest) -> HttpResponse:
    """The feedback form "Barriere melden" (footer of every page, accessibility statement)."""
    status = 200
    if request.method == "POST":
        form = BarrierReportForm(request.POST)
        if not form.is_valid():
            status = 400
        elif _too_many_reports(request):
            form.add_error(
                None,
                _(
                    "Sie haben in kurzer Zeit viele Meldungen geschickt. Bitte versuchen Sie es "
                    "in einer Stunde noch einmal oder schreiben Sie uns eine E-Mail."
                ),
            )
            status = 429
        else:
            data = form.cleaned_data
            do_report_barrier(
                page_url=data["page_url"],
                description=data["description"],
                name=data["name"],
                email=data["email"],
            )
            return redirect("barrier-report-thanks")
    else:
        form = BarrierReportForm(initial={"page_url": request.GET.get("seite", "")[:500]})
    contact = getattr(getattr(request, "tenant", None), "contact_email", "")
    return TemplateResponse(
        request, "cms/barrier_report.html", {"form": form, "contact_email": contact}, status=status
    )


@require_GET
def report_barrier_thanks(request: HttpRequest) -> HttpResponse:
    """The confirmation names the address the report was sent to (the tenant's contact)."""
    contact = getattr(getattr(request, "tenant", None), "contact_email", "")
    return TemplateResponse(request, "cms/barrier_report_thanks.html", {"contact_email": contact})
