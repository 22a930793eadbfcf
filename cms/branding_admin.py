"""The district IT team's branding form for a portal, in the tenant administration on the public
host (wired in kreisportal.urls_admin, since tenants cannot import cms): the same
BrandingSettings the editors edit in /cms/, with the same live preview and contrast rule, saved
in the portal's own schema. Lets the IT team set up a new portal's look while creating it."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django_tenants.utils import tenant_context
from wagtail.images import get_image_model
from wagtail.models import Site

from cms.branding import AA_TEXT_CONTRAST, FONT_STACKS, BrandingSettings
from tenants.models import Tenant


class TenantBrandingForm(forms.ModelForm):
    logo_upload = forms.ImageField(
        label="Neues Logo hochladen",
        required=False,
        help_text="PNG, JPEG oder WebP. Leer lassen, um das bisherige Logo zu behalten.",
    )

    class Meta:
        model = BrandingSettings
        fields = ["primary_colour", "accent_colour", "font", "header_variant", "footer_text"]


def _portal(object_id: str) -> Tenant:
    text = str(object_id)
    tenant = (
        Tenant.objects.portals().filter(pk=int(text)).first()
        if text.isascii() and text.isdigit() and len(text) < 19
        else None
    )
    if tenant is None:
        raise Http404("no such portal")
    return tenant


def tenant_branding(request: HttpRequest, object_id: str) -> HttpResponse:
    """GET: the portal's branding with its live preview; POST: save it in the portal's schema
    (a new logo becomes an image of that portal). Refusals re-render in German, nothing saved."""
    if not request.user.has_perm("tenants.change_tenant"):
        raise PermissionDenied
    tenant = _portal(object_id)
    with tenant_context(tenant):
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            raise Http404("the portal has no site")
        branding = BrandingSettings.for_site(site)
        form = TenantBrandingForm(request.POST or None, request.FILES or None, instance=branding)
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                upload = form.cleaned_data.get("logo_upload")
                if upload:
                    logo = get_image_model()(title=f"Logo {tenant.name}", file=upload)
                    logo.save()
                    form.instance.logo = logo
                form.save()
            messages.success(request, f"Gestaltung von {tenant.name} gespeichert.")
            return redirect("admin:tenants_tenant_change", tenant.pk)
        logo_url = branding.logo.file.url if branding.logo_id else ""
        context = {
            "title": f"Gestaltung – {tenant.name}",
            "original": tenant,
            "form": form,
            "media": form.media,
            "portal_name": tenant.name,
            "fonts_json": json.dumps(FONT_STACKS),
            "minimum_contrast": AA_TEXT_CONTRAST,
            "logo_url": logo_url,
            "branding": branding,
        }
        from django.contrib import admin

        context = {**admin.site.each_context(request), "opts": Tenant._meta, **context}
        return TemplateResponse(request, "cms/admin/tenant_branding.html", context).render()
