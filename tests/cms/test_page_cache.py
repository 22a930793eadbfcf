"""The page cache beyond the home page (issue 18): the catalogue's service pages are cached per
tenant and language and purged by every change they show; anonymous pages carry no per-visitor
data, so browsers and a CDN may keep them (public, ETag, 304); the language switch works
without a CSRF token."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from tests.benchmarks.test_server_throughput import _start
from tests.conftest import database_url_for_subprocess


def host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _local_service(in_tenant, slug: str):
    """A service the tenant answers for itself, with an office (the fullest service page)."""
    from services.local.models import LocalService, Responsibility

    with in_tenant(slug):
        return (
            LocalService.objects.select_related("service", "office")
            .filter(office__isnull=False, responsibility=Responsibility.SELF)
            .order_by("service__leika_key")
            .first()
        )


def _warm(client: Client, path: str):
    first = client.get(path)
    assert first.status_code == 200
    again = client.get(path)
    assert again["X-Page-Cache"] == "hit", path
    return again


# --- service pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cached_service_page_costs_no_query(in_tenant, django_assert_num_queries):
    local = _local_service(in_tenant, "erkelenz")
    path = f"/leistungen/{local.service.leika_key}/"
    first = Client(HTTP_HOST=host("erkelenz")).get(path)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = Client(HTTP_HOST=host("erkelenz")).get(path)
    assert hit["X-Page-Cache"] == "hit" and hit.content == first.content
    assert local.office.name in hit.content.decode()


@pytest.mark.django_db
def test_service_pages_are_cached_per_language_and_per_tenant(in_tenant):
    local = _local_service(in_tenant, "gangelt")
    path = f"/leistungen/{local.service.leika_key}/"
    german = _warm(Client(HTTP_HOST=host("gangelt")), path)
    english_client = Client(HTTP_HOST=host("gangelt"))
    english_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = english_client.get(path)
    assert english["X-Page-Cache"] == "miss" and b'lang="en"' in english.content
    assert b'lang="de"' in german.content
    other = Client(HTTP_HOST=host("selfkant")).get(path)
    assert other["X-Page-Cache"] == "miss" and b"Selfkant" in other.content


@pytest.mark.django_db
def test_search_results_and_signed_in_visitors_are_not_cached():
    client = Client(HTTP_HOST=host("erkelenz"))
    for _ in range(2):
        assert not client.get("/leistungen/?q=Hund").has_header("X-Page-Cache")
    visitor = Client(HTTP_HOST=host("erkelenz"))
    visitor.cookies[settings.SESSION_COOKIE_NAME] = "x"
    assert visitor.get("/").get("X-Page-Cache") != "hit"


@pytest.mark.django_db
def test_a_local_service_edit_purges_that_tenants_pages_only(
    in_tenant, django_capture_on_commit_callbacks
):
    local = _local_service(in_tenant, "heinsberg")
    path = f"/leistungen/{local.service.leika_key}/"
    mine, other = Client(HTTP_HOST=host("heinsberg")), Client(HTTP_HOST=host("wegberg"))
    _warm(mine, path)
    _warm(other, path)
    with in_tenant("heinsberg"), django_capture_on_commit_callbacks(execute=True):
        local.local_notes = "Bitte Wartemarke am Eingang ziehen (Testhinweis)."
        local.save()
    fresh = mine.get(path)
    assert fresh["X-Page-Cache"] == "miss"
    assert "Bitte Wartemarke am Eingang ziehen" in fresh.content.decode()
    assert other.get(path)["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_office_changes_and_deleted_local_services_purge_the_page(
    in_tenant, django_capture_on_commit_callbacks
):
    local = _local_service(in_tenant, "wassenberg")
    path = f"/leistungen/{local.service.leika_key}/"
    client = Client(HTTP_HOST=host("wassenberg"))
    _warm(client, path)
    with in_tenant("wassenberg"), django_capture_on_commit_callbacks(execute=True):
        office = local.office
        office.phone = "02432 99 99 99"
        office.save()
    fresh = client.get(path)
    assert fresh["X-Page-Cache"] == "miss" and "02432 99 99 99" in fresh.content.decode()
    _warm(client, path)
    with in_tenant("wassenberg"), django_capture_on_commit_callbacks(execute=True):
        local.delete()
    gone = client.get(path)
    assert gone["X-Page-Cache"] == "miss" and office.name not in gone.content.decode()


@pytest.mark.django_db
def test_many_rows_in_one_transaction_purge_once(in_tenant, django_capture_on_commit_callbacks):
    from services.local.models import LocalService

    with in_tenant("erkelenz"), django_capture_on_commit_callbacks() as callbacks:
        for local in LocalService.objects.all()[:20]:
            local.save()
    purges = [c for c in callbacks if getattr(c, "_page_purge_schema", None) == "erkelenz"]
    assert len(purges) == 1


@pytest.mark.django_db
def test_a_branding_change_purges_the_tenants_pages(in_tenant, django_capture_on_commit_callbacks):
    from wagtail.models import Site

    from cms.branding import BrandingSettings

    client = Client(HTTP_HOST=host("selfkant"))
    _warm(client, "/")
    with in_tenant("selfkant"), django_capture_on_commit_callbacks(execute=True):
        branding = BrandingSettings.for_site(Site.objects.get(is_default_site=True))
        branding.footer_text = "Gemeinde Selfkant – Fußzeile geändert"
        branding.save()
    fresh = client.get("/")
    assert fresh["X-Page-Cache"] == "miss" and "Fußzeile geändert" in fresh.content.decode()


@pytest.mark.django_db
def test_a_catalogue_import_purges_every_tenants_service_pages(
    in_tenant, django_capture_on_commit_callbacks
):
    from services.xzufi import NAMESPACE
    from services.xzufi.importer import import_xzufi

    local = _local_service(in_tenant, "erkelenz")
    key = local.service.leika_key
    path = f"/leistungen/{key}/"
    clients = [Client(HTTP_HOST=host(slug)) for slug in ("erkelenz", "gangelt", "kreis")]
    for client in clients:
        _warm(client, path)
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<xzufi:transfer.operation.040101 xmlns:xzufi="{NAMESPACE}" xzufiVersion="2.2.0">'
        f"<xzufi:nachrichtenkopf/><xzufi:schreibe><xzufi:leistung>"
        f"<xzufi:referenzLeiKa><code>{key}</code></xzufi:referenzLeiKa>"
        f"<xzufi:modulText><xzufi:leikaTextmodul><code>14</code></xzufi:leikaTextmodul>"
        f'<xzufi:inhalt languageCode="de">Kurztext aus dem Redaktionssystem (Test)</xzufi:inhalt>'
        f"</xzufi:modulText></xzufi:leistung></xzufi:schreibe>"
        f"</xzufi:transfer.operation.040101>"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        assert import_xzufi(data=document).changed == 1
    for client in clients:
        fresh = client.get(path)
        assert fresh["X-Page-Cache"] == "miss"
        assert "Kurztext aus dem Redaktionssystem (Test)" in fresh.content.decode()


@pytest.mark.django_db
def test_a_change_of_the_district_purges_every_portal(tenant):
    """Tenant and domain rows (names, addresses of the portals, the district's link) are shown
    on every portal's pages: any write purges them all (the tenant-lookup stamp)."""
    client = Client(HTTP_HOST=host("waldfeucht"))
    _warm(client, "/")
    from django.db import connection

    connection.set_schema_to_public()  # the request left the portal's schema set
    district = tenant("kreis")
    district.name = "Kreis Heinsberg (umbenannt im Test)"
    district.save()
    fresh = client.get("/")
    assert fresh["X-Page-Cache"] == "miss"


@pytest.mark.django_db
def test_open_now_is_kept_no_longer_than_until_the_office_next_opens_or_closes(in_tenant):
    import datetime

    from django.utils import timezone

    from services.views import _seconds_until_hours_change

    local = _local_service(in_tenant, "erkelenz")
    office = local.office
    office.opening_hours = [{"weekday": 0, "opens": "08:00", "closes": "12:00"}]
    monday = timezone.make_aware(datetime.datetime(2026, 11, 30, 11, 30))
    assert _seconds_until_hours_change(office, monday) == 30 * 60
    sunday = timezone.make_aware(datetime.datetime(2026, 11, 29, 23, 0))
    assert _seconds_until_hours_change(office, sunday) == 9 * 3600
    assert _seconds_until_hours_change(office, monday + datetime.timedelta(hours=2)) == 24 * 3600
    page = Client(HTTP_HOST=host("erkelenz")).get(f"/leistungen/{local.service.leika_key}/")
    max_age = int(re.search(r"max-age=(\d+)", page["Cache-Control"]).group(1))
    assert 0 < max_age <= 60


# --- HTTP caching -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["home", "news", "service"])
def test_anonymous_pages_may_be_kept_by_browsers_and_a_cdn(kind, in_tenant):
    path = {"home": "/", "news": "/aktuelles/"}.get(kind)
    if path is None:
        path = f"/leistungen/{_local_service(in_tenant, 'hueckelhoven').service.leika_key}/"
    client = Client(HTTP_HOST=host("hueckelhoven"))
    for response in (client.get(path), client.get(path)):  # the miss and the hit alike
        assert response.status_code == 200
        assert response["Cache-Control"].startswith("public, max-age=")
        assert "Cookie" in response["Vary"] and "Accept-Language" not in response["Vary"]
        assert response.has_header("ETag") and response.has_header("Last-Modified")
        assert not response.cookies, "nothing personal may be kept by a shared cache"
        assert "csrfmiddlewaretoken" not in response.content.decode()
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH='"anders"').status_code == 200


@pytest.mark.django_db
def test_personal_pages_are_never_kept():
    client = Client(HTTP_HOST=host("hueckelhoven"))
    for path in ("/konto/", "/antraege/"):
        control = client.get(path)["Cache-Control"]
        assert "private" in control and "no-store" in control, path


# --- the language switch ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_next_anonymous_visitor_can_switch_the_language_of_a_cached_page():
    """Red-team finding: the first visitor's CSRF token was cached with the page and the next
    visitor's switch answered 403. The switch needs no token now; the page carries none."""
    Client(HTTP_HOST=host("erkelenz")).get("/")
    second = Client(enforce_csrf_checks=True, HTTP_HOST=host("erkelenz"))
    page = second.get("/")
    assert page["X-Page-Cache"] == "hit" and "csrfmiddlewaretoken" not in page.content.decode()
    switched = second.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/aktuelles/"},
        HTTP_ORIGIN=f"http://{host('erkelenz')}",
    )
    assert switched.status_code == 302 and switched["Location"] == "/aktuelles/"
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert b'lang="en"' in second.get("/").content


@pytest.mark.django_db
def test_the_language_switch_refuses_other_sites_and_unknown_languages():
    client = Client(HTTP_HOST=host("erkelenz"))
    forged = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_ORIGIN="https://evil.example"
    )
    assert forged.status_code == 403 and "dieses Portals" in forged.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in forged.cookies
    unknown = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert (
        unknown.status_code == 400
        and "Diese Sprache gibt es hier nicht" in unknown.content.decode()
    )
    away = client.post("/i18n/setlang/", {"language": "de", "next": "https://evil.example/"})
    assert away.status_code == 302 and away["Location"] == "/"
    assert client.get("/i18n/setlang/").status_code == 405


# --- two server processes -----------------------------------------------------------------------


def _page(port: int, hostname: str, path: str) -> tuple[int, str, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": hostname})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read().decode()
            return response.status, response.headers.get("X-Page-Cache", ""), body
    except urllib.error.HTTPError as error:
        return error.code, "", ""


@pytest.mark.usefixtures("django_db_setup")
def test_a_local_service_edit_shows_on_two_server_processes_within_the_check_interval(
    django_db_blocker,
):
    """Each process reads the tenant's generation at most every PAGE_CACHE_CHECK_SECONDS
    (cms.cache): the edit shows within that time on both, however often they are asked."""
    from django_tenants.utils import tenant_context

    from services.local.models import LocalService, Responsibility
    from tenants.models import Tenant

    env = {
        "DATABASE_URL": database_url_for_subprocess(),
        # the same shared cache as this process (where the purge is written)
        "KREISPORTAL_HOME": str(settings.KREISPORTAL_HOME),
        "STATIC_ROOT": str(settings.STATIC_ROOT),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    with django_db_blocker.unblock():
        geilenkirchen = Tenant.objects.get(slug="geilenkirchen")
        with tenant_context(geilenkirchen):
            local = (
                LocalService.objects.select_related("service")
                .filter(responsibility=Responsibility.SELF)
                .order_by("service__leika_key")
                .first()
            )
            notes_before = local.local_notes
    path, hostname = f"/leistungen/{local.service.leika_key}/", host("geilenkirchen")
    servers = [_start("kreisportal.wsgi:application", env) for _ in range(2)]
    ports = [port for _, port in servers]
    note = f"Hinweis geändert um {time.time():.0f} (Test)"
    try:
        for port in ports:  # both have the page cached
            _page(port, hostname, path)
            status, cache_state, body = _page(port, hostname, path)
            assert status == 200 and cache_state == "hit" and note not in body
        with django_db_blocker.unblock(), tenant_context(geilenkirchen):
            from django.db import transaction

            from cms.cache import page_generation

            before = page_generation()
            with transaction.atomic():  # as the admin saves it; purged when it commits
                local.local_notes = note
                local.save()
            assert page_generation() != before
        committed = time.monotonic()
        asked_after = {}  # port → when the first request that showed the edit was sent
        while len(asked_after) < len(ports) and time.monotonic() - committed < 5:
            for port in set(ports) - set(asked_after):
                sent = time.monotonic() - committed
                status, _, body = _page(port, hostname, path)
                assert status == 200, port
                if note in body:
                    asked_after[port] = sent
        # the interval, plus the time one request of the other process may take (a render)
        limit = settings.PAGE_CACHE_CHECK_SECONDS + 1.0
        assert len(asked_after) == 2 and max(asked_after.values()) < limit, asked_after
        for port in ports:  # and then it is served from the cache again
            assert _page(port, hostname, path)[1] == "hit"
    finally:
        with django_db_blocker.unblock(), tenant_context(geilenkirchen):
            LocalService.objects.filter(pk=local.pk).update(local_notes=notes_before)
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=30)


# --- 404 and static files -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_missing_page_is_answered_from_the_cache_until_a_purge(
    in_tenant, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.models import Site

    client = Client(HTTP_HOST=host("gangelt"))
    first = client.get("/gibt-es-hier-nicht/")
    # a path no URL pattern, page or redirect of the tenant answers: its kept 404 page
    assert first.status_code == 404 and first["X-Page-Cache"] == "not-found"
    with django_assert_num_queries(0):
        again = Client(HTTP_HOST=host("gangelt")).get("/gibt-es-hier-nicht/")
    assert again.status_code == 404 and again["X-Page-Cache"] == "not-found"
    assert again.content == first.content and "no-store" in again["Cache-Control"]
    # a 404 the chain answered (here: a service the catalogue does not have) is stored per path
    client.get("/leistungen/00000000000000/")
    with django_assert_num_queries(0):
        stored = Client(HTTP_HOST=host("gangelt")).get("/leistungen/00000000000000/")
    assert stored.status_code == 404 and stored["X-Page-Cache"] == "hit"
    with in_tenant("gangelt"), django_capture_on_commit_callbacks(execute=True):
        Redirect.objects.create(
            old_path="/gibt-es-hier-nicht",
            site=Site.objects.get(is_default_site=True),
            redirect_link="/aktuelles/",
        )
    moved = client.get("/gibt-es-hier-nicht/")
    assert moved.status_code in (301, 302) and moved["Location"].endswith("/aktuelles/")


@pytest.mark.django_db
def test_static_files_carry_the_security_headers_without_the_chain():
    response = Client(HTTP_HOST=host("erkelenz")).get(
        "/static/kreisportal/portal.css", HTTP_X_REQUEST_ID="statisch-0001"
    )
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Request-ID"] == "statisch-0001"
    assert not hasattr(response.wsgi_request, "tenant")


@pytest.mark.django_db
def test_a_first_time_404_costs_no_query_and_reads_like_the_chains(django_assert_num_queries):
    """A path never asked for before that nothing of the tenant can answer (cms.cache
    `_known_not_found`) gets the tenant's 404 page without sessions, the Wagtail lookup or the
    redirects: the same bytes and headers the whole chain gives, with its own path in them."""
    client = Client(HTTP_HOST=host("erkelenz"))
    assert client.get("/gibt-es-nicht-eins/").status_code == 404  # the 404 page, once
    with django_assert_num_queries(0):
        fast = Client(HTTP_HOST=host("erkelenz")).get("/gibt-es-nicht-zwei/")
    assert fast.status_code == 404 and fast["X-Page-Cache"] == "not-found"
    assert not hasattr(fast.wsgi_request, "session")
    assert b"seite=/gibt-es-nicht-zwei/" in fast.content
    assert b'value="/gibt-es-nicht-zwei/"' in fast.content
    assert b"kp-not-found-placeholder" not in fast.content
    # the whole chain's answer for the same path (a session cookie takes it past the cache)
    chain = Client(HTTP_HOST=host("erkelenz")).get(
        "/gibt-es-nicht-zwei/", HTTP_COOKIE="sessionid=kein-gueltiger-schluessel"
    )
    assert chain.status_code == 404 and not chain.has_header("X-Page-Cache")
    assert fast.content == chain.content
    for header in ("Content-Type", "Content-Language", "Vary", "X-Frame-Options"):
        assert fast[header] == chain[header], header
    assert "no-store" in fast["Cache-Control"] and "no-store" in chain["Cache-Control"]
    english = Client(HTTP_HOST=host("erkelenz"))
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert b'lang="en"' in english.get("/gibt-es-nicht-drei/").content


@pytest.mark.django_db
def test_a_page_published_where_a_404_was_shows_at_once(in_tenant):
    from wagtail.models import Site

    from cms.content import ContentPage

    client = Client(HTTP_HOST=host("wegberg"))
    assert client.get("/neu-im-rathaus/").status_code == 404
    assert client.get("/neu-im-rathaus/").status_code == 404  # the kept 404 page
    with in_tenant("wegberg"):
        home = Site.objects.get(is_default_site=True).root_page
        page = home.add_child(instance=ContentPage(title="Neu im Rathaus", slug="neu-im-rathaus"))
        page.save_revision().publish()
    shown = client.get("/neu-im-rathaus/")
    assert shown.status_code == 200 and b"Neu im Rathaus" in shown.content


@pytest.mark.django_db
def test_each_tenant_gets_its_own_404_page_and_pages_that_route_themselves_still_answer():
    erkelenz = Client(HTTP_HOST=host("erkelenz")).get("/fehlt-ueberall/")
    gangelt = Client(HTTP_HOST=host("gangelt")).get("/fehlt-ueberall/")
    assert erkelenz.status_code == gangelt.status_code == 404
    assert (
        b"Erkelenz" in erkelenz.content and b"Erkelenz" not in gangelt.content.split(b"<footer")[0]
    )
    assert b"Gangelt" in gangelt.content.split(b"<footer")[0]
    client = Client(HTTP_HOST=host("gangelt"))
    assert client.get("/aktuelles/feed/rss/").status_code == 200  # a routable page's sub-path
    assert client.get("/aktuelles").status_code == 301  # CommonMiddleware adds the slash
    assert client.get("/leistungen/99008001012000/").status_code == 200
    assert client.get("/leistungen/00000000000000/").status_code == 404  # the view's own 404


# --- what each process keeps ---------------------------------------------------------------------


def test_each_process_keeps_the_pages_it_served_within_a_byte_limit(monkeypatch):
    from cms.cache import StoredPage, _footprint, _ProcessPages

    def page(size: int, seconds: float = 60) -> StoredPage:
        return StoredPage(200, (("Content-Type", "text/html"),), b"x" * size, time.time() + seconds)

    each = _footprint("a", page(400))  # content, headers, key and what surrounds them
    assert each > 400
    kept = _ProcessPages(limit=2 * each + 10)
    kept.put("a", page(400))
    kept.put("b", page(400))
    kept.put("c", page(400))  # over the limit: the oldest goes
    assert kept.get("a") is None and kept.get("b") and kept.get("c")
    assert kept.size == 2 * each
    kept.put("b", page(100))  # a page stored again replaces its old size
    assert kept.size == each + _footprint("b", page(100))
    kept.put("huge", page(2 * each))  # larger than the whole store: never kept
    assert kept.get("huge") is None and kept.get("b") and kept.get("c")
    kept.put("old", page(10, seconds=-1))  # past its end of life: neither kept nor counted
    assert kept.get("old") is None and kept.size == each + _footprint("b", page(100))
    # a page ends by this process's own clock: a wall clock set back keeps it no longer
    kept.put("brief", page(10, seconds=0.2))
    assert kept.get("brief") is not None
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3600)
    time.sleep(0.25)
    assert kept.get("brief") is None


@pytest.mark.django_db
def test_a_page_kept_in_the_process_is_served_without_the_shared_cache_until_a_purge(
    in_tenant, django_assert_num_queries
):
    from django.core.cache import cache
    from wagtail.models import Site

    from cms.cache import _key, purge_tenant_page_cache

    client = Client(HTTP_HOST=host("wegberg"))
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    # the shared cache loses the page (evicted, or a Redis restart): this process still has
    # it, under the same generation
    with in_tenant("wegberg"):
        key = _key(RequestFactory(HTTP_HOST=host("wegberg")).get("/"), "de")
        assert cache.get(key) is not None
        cache.delete(key)
    with django_assert_num_queries(0):
        hit = client.get("/")
    assert hit["X-Page-Cache"] == "hit" and hit.content == first.content
    with in_tenant("wegberg"):
        home = Site.objects.get(is_default_site=True).root_page.specific
        purge_tenant_page_cache()
    after = client.get("/")
    assert after["X-Page-Cache"] == "miss" and home.title in after.content.decode()


def test_a_purge_in_this_process_is_not_undone_by_a_read_that_began_before_it():
    from cms.cache import _generations, _keep_generation, forget_kept_pages

    forget_kept_pages()
    _keep_generation("tenant_x", 10.0, 7)  # the purge's new generation, at 10.0
    _keep_generation("tenant_x", 9.5, 6)  # a read of the shared cache that began before it
    assert _generations["tenant_x"] == (10.0, 7)
    _keep_generation("tenant_x", 10.5, 8)  # a later read keeps what it found
    assert _generations["tenant_x"] == (10.5, 8)
    forget_kept_pages()


# --- shared links -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_shared_link_with_a_click_id_is_the_cached_page_without_it(
    in_tenant, django_assert_num_queries
):
    """A news item shared on social networks arrives with a new click id per visit: the cached
    page answers, and no visitor's id ends up in the page another visitor gets."""
    client = Client(HTTP_HOST=host("gangelt"))
    shared = client.get("/?fbclid=IwAR0first-visitor&utm_source=facebook&utm_medium=social")
    assert shared.status_code == 200 and shared["X-Page-Cache"] == "miss"
    assert "IwAR0first" not in shared.content.decode() and "utm_" not in shared.content.decode()
    with django_assert_num_queries(0):
        plain = Client(HTTP_HOST=host("gangelt")).get("/")
        other = Client(HTTP_HOST=host("gangelt")).get("/?fbclid=IwAR0second&gclid=x1")
    assert plain["X-Page-Cache"] == other["X-Page-Cache"] == "hit"
    assert plain.content == shared.content == other.content


@pytest.mark.django_db
def test_parameters_a_page_reads_are_kept_next_to_tracking_ones(in_tenant):
    client = Client(HTTP_HOST=host("erkelenz"))
    second = client.get("/aktuelles/?seite=2")
    tagged = client.get("/aktuelles/?utm_campaign=newsletter&seite=2&mc_eid=abc")
    first = client.get("/aktuelles/")
    assert second.status_code == tagged.status_code == 200
    assert tagged["X-Page-Cache"] == "hit" and tagged.content == second.content
    assert tagged.content != first.content  # the page number still counts
    assert "mc_eid" not in tagged.content.decode()


@pytest.mark.django_db
def test_head_requests_are_answered_from_the_cache_and_never_stored(django_assert_num_queries):
    """Uptime checks and link checkers ask with HEAD."""
    client = Client(HTTP_HOST=host("selfkant"))
    cold = client.head("/")
    assert cold.status_code == 200 and cold.get("X-Page-Cache") != "hit" and not cold.content
    assert client.get("/")["X-Page-Cache"] == "miss"  # the HEAD stored nothing
    with django_assert_num_queries(0):
        warm = client.head("/")
    page = client.get("/")
    assert warm.status_code == 200 and warm["X-Page-Cache"] == "hit"
    assert warm["ETag"] == page["ETag"] and warm["Content-Length"] == str(len(page.content))
    # a missing path asked with HEAD first stores nothing a GET would then be answered with
    missing = client.head("/leistungen/00000000000001/")
    assert missing.status_code == 404 and missing.get("X-Page-Cache") != "hit"
    assert client.get("/leistungen/00000000000001/")["X-Page-Cache"] == "miss"
