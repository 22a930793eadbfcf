"""What a request costs the database, and what browsers and a CDN may keep (issue 18).

Query counts, never timings: static files and the root files need no query on any host; the
cached page of a known tenant needs none after warm-up; uncached citizen pages stay ≤ 10.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


@pytest.mark.parametrize(
    "hostname",
    [host("erkelenz"), settings.BASE_DOMAIN, f"admin.{settings.BASE_DOMAIN}", "unbekannt.example"],
)
def test_static_and_root_files_never_touch_the_database(hostname, django_assert_num_queries):
    client = Client(HTTP_HOST=hostname)
    for path, content_type in (
        ("/static/kreisportal/portal.css", "text/css"),
        ("/favicon.ico", "image/"),
        ("/robots.txt", "text/plain"),
    ):
        with django_assert_num_queries(0):
            response = client.get(path)
        assert response.status_code == 200, (hostname, path)
        assert response["Content-Type"].startswith(content_type)
        assert "public" in response["Cache-Control"]


def test_root_files_are_kept_for_a_day():
    client = Client(HTTP_HOST=host("gangelt"))
    for path in ("/favicon.ico", "/robots.txt"):
        assert client.get(path)["Cache-Control"] == "public, max-age=86400"
    robots = b"".join(client.get("/robots.txt").streaming_content).decode()
    assert "Disallow: /konto/" in robots and "Disallow: /cms/" in robots


def test_branding_css_is_immutable_only_under_its_versioned_url(in_tenant):
    from wagtail.models import Site

    from cms.branding import BrandingSettings

    with in_tenant("heinsberg"):
        site = Site.objects.get(is_default_site=True)
        version = BrandingSettings.for_site(site).css_version
    client = Client(HTTP_HOST=host("heinsberg"))
    home = client.get("/").content.decode()
    assert f"/branding.css?v={version}" in home
    versioned = client.get(f"/branding.css?v={version}")
    assert versioned["Cache-Control"] == "public, max-age=31536000, immutable"
    for stale in ("/branding.css", "/branding.css?v=0123456789ab"):
        assert client.get(stale)["Cache-Control"] == "public, max-age=300"
