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


@pytest.mark.parametrize("path", ["/", "/aktuelles/", "/impressum/"])
def test_a_cached_page_of_a_known_tenant_costs_no_query(path, django_assert_num_queries):
    client = Client(HTTP_HOST=host("erkelenz"))
    first = client.get(path)  # warm-up: the process learns the host, the page is cached
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    fresh = Client(HTTP_HOST=host("erkelenz"))
    with django_assert_num_queries(0):
        response = fresh.get(path)
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
    assert response.content.replace(b"\n", b"")[:200] == first.content.replace(b"\n", b"")[:200]
    # answered before sessions and auth: nothing of theirs on the request
    assert not hasattr(response.wsgi_request, "session")
    assert not hasattr(response.wsgi_request, "user")


def test_cached_pages_stay_per_language_and_per_tenant(django_assert_num_queries):
    german = Client(HTTP_HOST=host("erkelenz"))
    english = Client(HTTP_HOST=host("erkelenz"))
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert german.get("/").status_code == 200 and english.get("/").status_code == 200
    with django_assert_num_queries(0):
        de, en = german.get("/"), english.get("/")
    assert de["X-Page-Cache"] == en["X-Page-Cache"] == "hit"
    assert b'lang="de"' in de.content and b'lang="en"' in en.content
    other = Client(HTTP_HOST=host("gangelt")).get("/")
    assert other["X-Page-Cache"] == "miss" and b"Gangelt" in other.content


def test_signed_in_visitors_and_waiting_messages_never_get_the_cached_page():
    client = Client(HTTP_HOST=host("erkelenz"))
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    for cookie in (settings.SESSION_COOKIE_NAME, "messages"):
        visitor = Client(HTTP_HOST=host("erkelenz"))
        visitor.cookies[cookie] = "x"
        assert visitor.get("/").get("X-Page-Cache") != "hit", cookie


def test_a_suspended_tenant_never_answers_from_the_page_cache(tenant):
    from tenants import actions

    client = Client(HTTP_HOST=host("wassenberg"))
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    actions.do_suspend_tenant(tenant=tenant("wassenberg"))
    assert client.get("/").status_code == 503
