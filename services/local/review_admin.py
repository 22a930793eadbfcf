"""Wagtail admin of a tenant: "Katalog geprüft". New portals start with the catalogue's offer
defaults; an editor looks through them (Leistungskatalog → Leistungen vor Ort), accepts or changes
them and records the review here, which closes that item of the go-live checklist. Registered by
services/local/wagtail_hooks.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from services.local.checklist import catalogue_summary
from tenants.actions import catalogue_reviewed, do_record_catalogue_review
from tenants.errors import TenantActionError

PERMISSION = "services_local.change_localservice"


def is_shown(request: HttpRequest) -> bool:
    return request.user.has_perm(PERMISSION)


def review_catalogue(request: HttpRequest) -> HttpResponse:
    if not is_shown(request):
        raise PermissionDenied
    tenant = request.tenant
    summary = catalogue_summary()
    if request.method == "POST":
        try:
            do_record_catalogue_review(
                tenant=tenant,
                actor=request.user.get_username(),
                offered=summary["offered"],
                total=summary["total"],
                offices=summary["offices"],
            )
        except TenantActionError as exc:
            messages.error(request, exc.for_admin)
        else:
            messages.success(request, "Danke: die Prüfung des Katalogs ist vermerkt.")
            return redirect("wagtailadmin_home")
    return TemplateResponse(
        request,
        "services/admin/review_catalogue.html",
        {
            "summary": summary,
            "last_review": catalogue_reviewed(tenant),
            "page_title": "Katalog prüfen",
            "header_icon": "tick",
        },
    )


urlpatterns = [path("katalog-pruefen/", review_catalogue, name="review_catalogue")]
