"""The district IT team's branding form for a portal, in the tenant administration on the public
host (wired in kreisportal.urls_admin, since tenants cannot import cms): the same
BrandingSettings the editors edit in /cms/, with the same live preview and contrast rule, saved
in the portal's own schema. Lets the IT team set up a new portal's look while creating it."""

from __future__ import annotations

import json
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import tenant_context
from wagtail.images import get_image_model
from wagtail.images.fields import WagtailImageField
from wagtail.models import Site

from cms.branding import AA_TEXT_CONTRAST, FONT_STACKS, BrandingSettings
from tenants.models import Tenant, TenantAuditEntry

# markup a browser could sniff as a page if the file were ever served without its image type
# (a polyglot: a valid PNG with HTML appended); 5+ bytes, not found by chance in image data
_MARKUP = re.compile(rb"<(?:script|html|body|iframe|svg|!doctype|\?xml)", re.IGNORECASE)


class LogoImageField(WagtailImageField):
    """Wagtail's own image field (WAGTAILIMAGES_EXTENSIONS, _MAX_UPLOAD_SIZE, _MAX_IMAGE_PIXELS,
    extension matching the format, with Wagtail's German messages), without SVG: a logo is shown
    on every page of the portal, and an SVG can carry script. Also refuses embedded markup."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_image_extensions = [
            ext for ext in self.allowed_image_extensions if ext.lower() != "svg"
        ]
        self.supported_formats_text = ", ".join(self.allowed_image_extensions).upper()
        self.error_messages["invalid_image_extension"] = _(
            "Not a supported image format. Supported formats: %(supported_formats)s."
        ) % {"supported_formats": self.supported_formats_text}
        self.help_text = _(
            "Supported formats: %(supported_formats)s. Maximum filesize: %(max_upload_size)s."
        ) % {
            "supported_formats": self.supported_formats_text,
            "max_upload_size": self.max_upload_size_text,
        }

    def to_python(self, data):
        f = super().to_python(data)
        if f is not None:
            f.seek(0)
            content = f.read()
            f.seek(0)
            if _MARKUP.search(content):
                raise ValidationError(
                    "Die Datei enthält neben dem Bild auch Text wie HTML und wird deshalb nicht "
                    "angenommen. Bitte das Logo neu als Bild speichern und erneut hochladen.",
                    code="embedded_markup",
                )
        return f


class TenantBrandingForm(forms.ModelForm):
    logo_upload = LogoImageField(label="Neues Logo hochladen", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["logo_upload"]
        field.help_text = f"{field.help_text} Leer lassen, um das bisherige Logo zu behalten."

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
                logo = None
                if upload:
                    logo = get_image_model()(title=f"Logo {tenant.name}", file=upload)
                    # as Wagtail's own upload does (ImageForm / the multiple upload view)
                    logo._set_image_file_metadata()
                    logo.save()
                    form.instance.logo = logo
                form.save()
                # public table (tenants is a shared app): the portal's log beside its other actions
                TenantAuditEntry.objects.create(
                    tenant_slug=tenant.slug,
                    action="branding_changed",
                    actor=request.user.get_username(),
                    details={
                        "changed": sorted(form.changed_data),
                        **({"logo": logo.file.name, "logo_hash": logo.file_hash} if logo else {}),
                    },
                )
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
