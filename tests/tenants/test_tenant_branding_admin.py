"""The district IT team sets a portal's branding in the tenant administration (cms.branding_admin):
the same settings, preview and contrast rule as the editors' form, saved in that portal's schema
only."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from tenants.models import Tenant

ADMIN_HOST = f"admin.{settings.BASE_DOMAIN}"


def branding_of(slug: str):
    from wagtail.models import Site

    from cms.branding import BrandingSettings

    with schema_context(slug):
        branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
        return (
            branding.primary_colour,
            branding.accent_colour,
            branding.header_variant,
            branding.logo.title if branding.logo_id else None,
        )


def png() -> SimpleUploadedFile:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (60, 20), "#004225").save(data, format="PNG")
    return SimpleUploadedFile("logo.png", data.getvalue(), content_type="image/png")


def url(slug: str) -> str:
    return f"/admin/tenants/tenant/{Tenant.objects.get(slug=slug).pk}/gestaltung/"


FORM = {
    "primary_colour": "#004225",
    "accent_colour": "#8a1538",
    "font": "serif",
    "header_variant": "split",
    "footer_text": "",
}


def test_it_team_sets_a_portals_branding_with_the_live_preview(it_admin):
    change = it_admin.get(
        f"/admin/tenants/tenant/{Tenant.objects.get(slug='wegberg').pk}/change/",
        HTTP_HOST=ADMIN_HOST,
    ).content.decode()
    assert url("wegberg") in change  # linked from the tenant's page
    page = it_admin.get(url("wegberg"), HTTP_HOST=ADMIN_HOST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-branding-preview" in html and "cms/branding-preview.js" in html
    gangelt_before = branding_of("gangelt")
    saved = it_admin.post(url("wegberg"), {**FORM, "logo_upload": png()}, HTTP_HOST=ADMIN_HOST)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert branding_of("wegberg") == ("#004225", "#8a1538", "split", "Logo Stadt Wegberg")
    # another portal's branding is untouched
    assert branding_of("gangelt") == gangelt_before


def test_unreadable_colours_and_a_non_image_are_refused_in_german_and_nothing_saved(it_admin):
    before = branding_of("wegberg")
    refused = it_admin.post(
        url("wegberg"), {**FORM, "primary_colour": "#ffd700"}, HTTP_HOST=ADMIN_HOST
    )
    assert refused.status_code == 200
    assert "Zu wenig Kontrast" in refused.content.decode()
    not_an_image = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    refused = it_admin.post(
        url("wegberg"), {**FORM, "logo_upload": not_an_image}, HTTP_HOST=ADMIN_HOST
    )
    assert refused.status_code == 200 and "errornote" in refused.content.decode()
    assert branding_of("wegberg") == before


def test_only_the_it_team_reaches_the_branding_form(it_admin):
    from django.test import Client

    wegberg_url = url("wegberg")
    system = Tenant.objects.exclude(pk__in=Tenant.objects.portals()).first()
    missing = f"/admin/tenants/tenant/{system.pk}/gestaltung/"
    assert it_admin.get(missing, HTTP_HOST=ADMIN_HOST).status_code == 404
    bad = "/admin/tenants/tenant/x/gestaltung/"
    assert it_admin.get(bad, HTTP_HOST=ADMIN_HOST).status_code == 404
    anonymous = Client()
    assert anonymous.get(wegberg_url, HTTP_HOST=ADMIN_HOST).status_code == 302  # to the login
    assert anonymous.post(wegberg_url, FORM, HTTP_HOST=ADMIN_HOST).status_code == 302
    assert anonymous.get(wegberg_url, HTTP_HOST="wegberg.localhost").status_code == 404
    assert branding_of("wegberg")[0] != FORM["primary_colour"]


# --- the logo goes through Wagtail's own image limits (security review) --------------------


def image_bytes(fmt: str, size: tuple[int, int] = (60, 20), mode: str = "RGB") -> bytes:
    from PIL import Image

    data = io.BytesIO()
    Image.new(mode, size).save(data, format=fmt)
    return data.getvalue()


def wegberg_state() -> tuple:
    from wagtail.images import get_image_model

    from tenants.models import TenantAuditEntry

    with schema_context("wegberg"):
        images = get_image_model().objects.count()
    audits = TenantAuditEntry.objects.filter(tenant_slug="wegberg").count()
    return branding_of("wegberg"), images, audits


REFUSED_UPLOADS = {
    "png-named-pdf": ("logo.pdf", lambda: image_bytes("PNG"), "Nicht unterstütztes Bildformat"),
    "png-named-eps": ("logo.eps", lambda: image_bytes("PNG"), "Nicht unterstütztes Bildformat"),
    "tiff": ("logo.tif", lambda: image_bytes("TIFF"), "Nicht unterstütztes Bildformat"),
    "svg": (
        "logo.svg",
        lambda: (
            b"<svg xmlns='http://www.w3.org/2000/svg' width='4' height='4'>"
            b"<script>alert(1)</script></svg>"
        ),
        "Nicht unterstütztes Bildformat",
    ),
    "png-named-jpg": ("logo.jpg", lambda: image_bytes("PNG"), "Kein gültiges .jpeg-Bild"),
    "png-with-html": (
        "logo.png",
        lambda: image_bytes("PNG") + b"<html><script>alert(1)</script>",
        "enthält neben dem Bild auch Text wie HTML",
    ),
    "too-large": (
        "logo.png",
        lambda: image_bytes("PNG") + b"\0" * (settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE + 1),
        "Die Datei ist zu groß",
    ),
    # ~6 kB on the wire, 49 million pixels once decoded (limit 40 million)
    "too-many-pixels": (
        "logo.png",
        lambda: image_bytes("PNG", (7000, 7000), "1"),
        "Dieses Bild hat zu viele Pixel",
    ),
}


@pytest.mark.parametrize("case", REFUSED_UPLOADS)
def test_a_logo_outside_wagtails_image_limits_is_refused_in_german_and_nothing_saved(
    it_admin, case
):
    from html import unescape

    name, data, message = REFUSED_UPLOADS[case]
    before = wegberg_state()
    upload = SimpleUploadedFile(name, data(), content_type="image/png")
    refused = it_admin.post(url("wegberg"), {**FORM, "logo_upload": upload}, HTTP_HOST=ADMIN_HOST)
    assert refused.status_code == 200
    html = unescape(refused.content.decode())
    assert "errornote" in html and message in html, case
    assert wegberg_state() == before  # no branding change, no image, no audit entry


def test_a_logo_is_stored_like_wagtails_own_upload_and_audited(it_admin):
    from wagtail.images import get_image_model
    from wagtail.utils.file import hash_filelike

    from tenants.models import TenantAuditEntry

    page = it_admin.get(url("wegberg"), HTTP_HOST=ADMIN_HOST).content.decode()
    help_text = re.search(r'<div class="help">([^<]*Dateiformate[^<]*)</div>', page).group(1)
    assert "Unterstützte Dateiformate: PNG, JPG, JPEG, WEBP. Maximale Dateigröße" in help_text
    data = image_bytes("WEBP")
    upload = SimpleUploadedFile("logo.webp", data, content_type="image/webp")
    saved = it_admin.post(
        url("wegberg"),
        {**FORM, "logo_upload": upload},
        HTTP_HOST=ADMIN_HOST,
    )
    assert saved.status_code == 302, saved.content.decode()[:2000]
    with schema_context("wegberg"):
        logo = get_image_model().objects.filter(title="Logo Stadt Wegberg").latest("pk")
        assert logo.file_size == len(data)
        assert logo.file_hash == hash_filelike(io.BytesIO(data))
        assert (logo.width, logo.height) == (60, 20)
    entry = TenantAuditEntry.objects.get(tenant_slug="wegberg", action="branding_changed")
    assert entry.actor == "kreis-it"
    assert {"logo_upload", "primary_colour"} <= set(entry.details["changed"])
    assert entry.details["logo_hash"] == logo.file_hash
    assert not TenantAuditEntry.objects.filter(
        tenant_slug="gangelt", action="branding_changed"
    ).exists()
    # a change without a new logo is audited too, without logo details
    again = it_admin.post(
        url("wegberg"), {**FORM, "footer_text": "Stadt Wegberg"}, HTTP_HOST=ADMIN_HOST
    )
    assert again.status_code == 302
    latest = TenantAuditEntry.objects.filter(tenant_slug="wegberg").first()
    assert latest.details == {"changed": ["footer_text"]}
