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


UNCACHED_VISITOR = "sessionid=kein-gueltiger-schluessel"  # not anonymous for the page cache
# (warm: the process keeps the tenant's chrome; cold: right after a purge, as publishing, a
# branding change or a service edit does), counted without django-tenants' SET search_path
PAGE_QUERIES = {
    "/": (3, 10),  # site, home page, session | + restrictions, chrome pages, branding, top
    # services, life situations, news, district news
    "/aktuelles/": (5, 9),  # site, home, child, news index, session | + restrictions, chrome
    # pages, branding, articles
    "/leistungen/99008001012000/": (5, 9),  # service, local part ×2, appointments, session |
    # + site, branding, restrictions, chrome pages
}


def _count(client: Client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, HTTP_COOKIE=UNCACHED_VISITOR)
    assert response.status_code == 200 and not response.has_header("X-Page-Cache"), path
    return len([q for q in ctx.captured_queries if not q["sql"].startswith("SET search_pa")])


@pytest.mark.parametrize("path", PAGE_QUERIES)
def test_uncached_pages_cost_few_queries_warm_and_right_after_a_purge(path):
    from django_tenants.utils import schema_context

    from cms.cache import purge_tenant_page_cache

    warm, cold = PAGE_QUERIES[path]
    client = Client(HTTP_HOST=host("erkelenz"))
    _count(client, path)  # the process learns the host, the district, the portal list
    with schema_context("erkelenz"):
        purge_tenant_page_cache()
    assert _count(client, path) == cold
    assert _count(client, path) == warm


def test_the_chrome_read_in_one_query_links_what_it_did_before(in_tenant):
    """Navigation, legal links and the Leichte-Sprache/Gebärdensprache links come from one
    query (cms.chrome.chrome_pages) and are those of the page's own tenant."""
    import re

    from wagtail.models import Site

    from cms.easy_read import EasyReadPage
    from cms.legal import LegalPage

    with in_tenant("gangelt"):
        root = Site.objects.get(is_default_site=True).root_page
        menu = [page.url for page in root.get_children().live().in_menu()]
        legal = [page.url for page in LegalPage.objects.live()]
        easy_read = EasyReadPage.objects.live().first()
    html = Client(HTTP_HOST=host("gangelt")).get("/").content.decode()
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, re.S).group(0)
    footer = re.search(r'<ul class="legal-links">.*?</ul>', html, re.S).group(0)
    assert menu and all(f'href="{url}"' in nav for url in menu)
    assert len(legal) == 3 and all(f'href="{url}"' in footer for url in legal)
    assert footer.index("impressum") < footer.index("datenschutz")
    if easy_read is not None:
        assert f'href="{easy_read.url}"' in html
    other = Client(HTTP_HOST=host("erkelenz")).get("/").content.decode()
    assert "Gemeinde Gangelt" not in other.split("<footer", 1)[1].split("portal-switch")[0]


def test_a_page_made_private_is_refused_and_leaves_the_footer_at_once(
    in_tenant, django_capture_on_commit_callbacks
):
    """View restrictions are read once per process and state of the tenant's pages (cms.chrome)
    and answer Wagtail's privacy check of the served page: a restriction added after the
    page was served (and kept) applies to the next request (its save purges)."""
    from wagtail.models import PageViewRestriction

    from cms.legal import LegalPage

    client = Client(HTTP_HOST=host("heinsberg"))
    cookie = {"HTTP_COOKIE": UNCACHED_VISITOR}
    assert client.get("/impressum/", **cookie).status_code == 200
    assert 'href="/impressum/"' in client.get("/", **cookie).content.decode()
    with in_tenant("heinsberg"), django_capture_on_commit_callbacks(execute=True):
        page = LegalPage.objects.get(kind="impressum")
        PageViewRestriction.objects.create(page=page, restriction_type="login")
    refused = client.get("/impressum/", **cookie)
    assert refused.status_code == 302 and "login" in refused["Location"].lower()
    assert 'href="/impressum/"' not in client.get("/", **cookie).content.decode()
    # another tenant's Impressum is untouched
    assert Client(HTTP_HOST=host("gangelt")).get("/impressum/", **cookie).status_code == 200


def test_content_types_are_kept_per_schema_across_tenant_switches(in_tenant):
    """django-tenants forgets content types on every schema switch; tenants.content_types
    keeps them per schema (a page's type costs no query per request), and a real clear
    (migrations) still empties everything."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from cms.home import HomePage

    with in_tenant("erkelenz"):
        erkelenz_id = ContentType.objects.get_for_model(HomePage).pk
    connection.set_schema_to_public()
    with in_tenant("erkelenz"):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert ContentType.objects.get_for_id(erkelenz_id).model == "homepage"
        assert not [q for q in ctx.captured_queries if "django_content_type" in q["sql"]]
        ContentType.objects.clear_cache()
        with CaptureQueriesContext(connection) as ctx:
            ContentType.objects.get_for_id(erkelenz_id)
        assert [q for q in ctx.captured_queries if "django_content_type" in q["sql"]]
