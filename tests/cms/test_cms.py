"""Each tenant's face: page types, news feeds, district news, branding, legal pages, page cache,
uploads, roles — and that none of it leaks to another tenant."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.branding import BrandingSettings, contrast_ratio
from cms.cache import purge_all_page_caches
from cms.district_news.models import DistrictNewsItem
from cms.legal import LegalPage, missing_legal_kinds
from cms.news import NewsArticlePage, NewsIndexPage

BASE = settings.BASE_DOMAIN


def host(slug: str) -> str:
    return f"{slug}.{BASE}"


def login(client, in_tenant, slug: str, *, group: str | None = None, superuser: bool = False):
    from django.contrib.auth import get_user_model

    with in_tenant(slug):
        users = get_user_model().objects
        if superuser:
            user = users.create_superuser(f"admin-{slug}", password="Geheim-2026!")
        else:
            user = users.create_user(f"user-{slug}", password="Geheim-2026!")
            user.groups.add(Group.objects.get(name=group))
    response = client.post(
        "/cms/login/", {"username": user.username, "password": "Geheim-2026!"}, HTTP_HOST=host(slug)
    )
    assert response.status_code == 302
    return user


# --- pages ---------------------------------------------------------------------------------


def test_demo_sites_have_news_about_and_legal_pages(in_tenant):
    for slug in ("kreis", "erkelenz", "selfkant"):
        with in_tenant(slug):
            assert NewsArticlePage.objects.live().count() >= 3
            assert missing_legal_kinds() == []
            assert BrandingSettings.for_site(Site.objects.get()).logo is not None


@pytest.mark.parametrize("slug", ["kreis", "gangelt", "wegberg"])
def test_home_news_article_and_legal_pages_render(client, db, slug):
    home = client.get("/", HTTP_HOST=host(slug))
    assert home.status_code == 200
    html = home.content.decode()
    assert "Häufig gesucht" in html and "Aktuelles" in html
    assert "/impressum/" in html and "/datenschutz/" in html and "/barrierefreiheit/" in html
    news = client.get("/aktuelles/", HTTP_HOST=host(slug))
    assert news.status_code == 200
    with_links = [
        line for line in news.content.decode().split('href="') if line.startswith("/aktuelles/")
    ]
    article_path = with_links[0].split('"')[0]
    assert client.get(article_path, HTTP_HOST=host(slug)).status_code == 200
    for legal in ("impressum", "datenschutz", "barrierefreiheit"):
        assert client.get(f"/{legal}/", HTTP_HOST=host(slug)).status_code == 200


def test_rss_and_atom_feeds_list_the_tenants_news(client, in_tenant):
    with in_tenant("heinsberg"):
        titles = set(NewsArticlePage.objects.live().values_list("title", flat=True))
    rss = client.get("/aktuelles/feed/rss/", HTTP_HOST=host("heinsberg"))
    assert rss.status_code == 200 and "rss" in rss["Content-Type"] or "xml" in rss["Content-Type"]
    items = {item.findtext("title") for item in ET.fromstring(rss.content).iter("item")}
    assert items == titles
    atom = client.get("/aktuelles/feed/atom/", HTTP_HOST=host("heinsberg"))
    entries = ET.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == len(titles)
    with in_tenant("gangelt"):
        gangelt_titles = set(NewsArticlePage.objects.values_list("title", flat=True))
    assert not (items & gangelt_titles - titles)


def test_municipal_home_shows_district_news_from_the_read_model(client, db):
    assert DistrictNewsItem.objects.count() >= 3
    item = DistrictNewsItem.objects.first()
    html = client.get("/", HTTP_HOST=host("wassenberg")).content.decode()
    assert "Aus dem Kreis" in html and item.title in html
    assert f"http://kreis.{BASE}{item.path}" in html
    DistrictNewsItem.objects.filter(pk=item.pk).update(title="Geänderter Titel im Lesemodell")
    purge_all_page_caches()  # what a sync of the read model does after its writes
    assert (
        "Geänderter Titel im Lesemodell"
        in client.get("/", HTTP_HOST=host("wassenberg")).content.decode()
    )
    assert "Aus dem Kreis" not in client.get("/", HTTP_HOST=host("kreis")).content.decode()


def test_publishing_district_news_updates_the_read_model(in_tenant):
    with in_tenant("kreis"):
        index = NewsIndexPage.objects.get()
        article = index.add_child(
            instance=NewsArticlePage(
                title="Kreishaus am Brückentag geschlossen",
                slug="brueckentag",
                teaser="Bitte beachten.",
            )
        )
        article.save_revision().publish()
        assert DistrictNewsItem.objects.filter(page_id=article.pk, title=article.title).exists()
        article.unpublish()
    assert not DistrictNewsItem.objects.filter(page_id=article.pk).exists()


def test_district_publication_purges_the_municipal_home_pages(
    client, in_tenant, django_capture_on_commit_callbacks
):
    assert client.get("/", HTTP_HOST=host("waldfeucht"))["X-Page-Cache"] == "miss"
    assert client.get("/", HTTP_HOST=host("waldfeucht"))["X-Page-Cache"] == "hit"
    with in_tenant("kreis"), django_capture_on_commit_callbacks(execute=True):
        index = NewsIndexPage.objects.get()
        article = index.add_child(
            instance=NewsArticlePage(
                title="Neue Buslinie im Kreis",
                slug="neue-buslinie",
                teaser="Ab Dezember.",
                date="2026-11-25",
            )
        )
        article.save_revision().publish()
    fresh = client.get("/", HTTP_HOST=host("waldfeucht"))
    assert fresh["X-Page-Cache"] == "miss" and "Neue Buslinie im Kreis" in fresh.content.decode()


def test_municipal_news_never_reach_the_district_read_model(in_tenant):
    with in_tenant("gangelt"):
        index = NewsIndexPage.objects.get()
        article = index.add_child(
            instance=NewsArticlePage(title="Nur Gangelt", slug="nur-gangelt", teaser="x")
        )
        article.save_revision().publish()
    assert not DistrictNewsItem.objects.filter(title="Nur Gangelt").exists()


# --- branding ------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54


def test_low_contrast_colours_are_refused_with_the_ratio(in_tenant):
    with in_tenant("gangelt"):
        branding = BrandingSettings.for_site(Site.objects.get())
        branding.primary_colour = "#77aaff"
        with pytest.raises(ValidationError) as exc:
            branding.full_clean()
    message = str(exc.value)
    assert "primary_colour" in exc.value.message_dict and "2.34:1" in message and "4.5:1" in message


def test_branding_settings_form_refuses_low_contrast(client, in_tenant):
    login(client, in_tenant, "selfkant", superuser=True)
    with in_tenant("selfkant"):
        site = Site.objects.get()
        before = BrandingSettings.for_site(site).accent_colour
    response = client.post(
        f"/cms/settings/cms/brandingsettings/{site.pk}/",
        {
            "primary_colour": "#1d4f91",
            "accent_colour": "#ffdd00",
            "font": "serif",
            "header_variant": "bar",
            "footer_text": "",
        },
        HTTP_HOST=host("selfkant"),
    )
    assert response.status_code == 200
    assert "Zu wenig Kontrast" in response.content.decode()
    with in_tenant("selfkant"):
        assert BrandingSettings.for_site(site).accent_colour == before


def test_branding_is_rendered_as_css_custom_properties_per_tenant(client, in_tenant):
    looks = {}
    for slug in (
        "kreis",
        "erkelenz",
        "gangelt",
        "geilenkirchen",
        "heinsberg",
        "hueckelhoven",
        "selfkant",
        "uebach-palenberg",
        "waldfeucht",
        "wassenberg",
        "wegberg",
    ):
        html = client.get("/", HTTP_HOST=host(slug)).content.decode()
        with in_tenant(slug):
            branding = BrandingSettings.for_site(Site.objects.get())
        # a linked stylesheet, not an inline <style>: the Content-Security-Policy forbids those
        assert f'href="/branding.css?v={branding.css_version}"' in html and "<style" not in html
        css = client.get("/branding.css", HTTP_HOST=host(slug))
        assert css["Content-Type"].startswith("text/css")
        assert f"--color-primary:{branding.primary_colour}" in css.content.decode()
        looks[slug] = (branding.primary_colour, branding.font, branding.header_variant)
    assert len(set(looks.values())) >= 4
    assert len({primary for primary, _, _ in looks.values()}) >= 4


# --- legal pages ---------------------------------------------------------------------------


def test_dashboard_warns_while_a_legal_page_is_missing(client, in_tenant):
    login(client, in_tenant, "waldfeucht", superuser=True)
    assert (
        "Pflichtseiten fehlen"
        not in client.get("/cms/", HTTP_HOST=host("waldfeucht")).content.decode()
    )
    with in_tenant("waldfeucht"):
        LegalPage.objects.get(kind="barrierefreiheit").unpublish()
    html = client.get("/cms/", HTTP_HOST=host("waldfeucht")).content.decode()
    assert "Pflichtseiten fehlen" in html and "Erklärung zur Barrierefreiheit" in html


def test_a_second_impressum_is_refused(in_tenant):
    with in_tenant("erkelenz"):
        home = Page.objects.get(depth=2)
        with pytest.raises(ValidationError):
            home.add_child(
                instance=LegalPage(
                    title="Noch ein Impressum",
                    slug="impressum-2",
                    kind="impressum",
                    body="<p>x</p>",
                )
            )


# --- page cache ----------------------------------------------------------------------------


def test_pages_are_cached_per_tenant_and_purged_on_publish(client, in_tenant):
    first = client.get("/aktuelles/", HTTP_HOST=host("hueckelhoven"))
    assert first["X-Page-Cache"] == "miss"
    assert client.get("/aktuelles/", HTTP_HOST=host("hueckelhoven"))["X-Page-Cache"] == "hit"
    # the same path of another tenant is its own entry
    other = client.get("/aktuelles/", HTTP_HOST=host("wegberg"))
    assert other["X-Page-Cache"] == "miss" and other.content != first.content
    with in_tenant("hueckelhoven"):
        index = NewsIndexPage.objects.get()
        index.intro = "Neu eingeleitet nach Veröffentlichung."
        index.save_revision().publish()
    fresh = client.get("/aktuelles/", HTTP_HOST=host("hueckelhoven"))
    assert fresh["X-Page-Cache"] == "miss"
    assert "Neu eingeleitet nach Veröffentlichung." in fresh.content.decode()
    # purging Hückelhoven leaves Wegberg's entry alone
    assert client.get("/aktuelles/", HTTP_HOST=host("wegberg"))["X-Page-Cache"] == "hit"


def test_logged_in_editors_never_get_cached_pages(client, in_tenant):
    assert client.get("/", HTTP_HOST=host("erkelenz"))["X-Page-Cache"] == "miss"
    assert client.get("/", HTTP_HOST=host("erkelenz"))["X-Page-Cache"] == "hit"
    login(client, in_tenant, "erkelenz", group="Editors")
    assert not client.get("/", HTTP_HOST=host("erkelenz")).has_header("X-Page-Cache")


# --- uploads and their isolation -----------------------------------------------------------


def test_logo_files_are_served_only_on_their_own_tenants_host(client, in_tenant):
    with in_tenant("erkelenz"):
        logo_url = BrandingSettings.for_site(Site.objects.get()).logo.file.url
    assert logo_url.startswith("/media/erkelenz/")
    assert client.get(logo_url, HTTP_HOST=host("erkelenz")).status_code == 200
    assert client.get(logo_url, HTTP_HOST=host("gangelt")).status_code == 404
    assert client.get("/media/../erkelenz/x", HTTP_HOST=host("gangelt")).status_code == 404


def test_images_of_another_tenant_are_not_reachable_in_the_admin(client, in_tenant):
    with in_tenant("erkelenz"):
        erkelenz_image = get_image_model().objects.get(title__startswith="Logo")
    login(client, in_tenant, "gangelt", superuser=True)
    response = client.get(f"/cms/images/{erkelenz_image.pk}/", HTTP_HOST=host("gangelt"))
    assert "Stadt Erkelenz" not in response.content.decode()
    listing = client.get("/cms/images/", HTTP_HOST=host("gangelt")).content.decode()
    assert "Logo Stadt Erkelenz" not in listing and "Logo Gemeinde Gangelt" in listing


def test_oversized_image_upload_gets_a_clear_message(client, in_tenant, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1024
    login(client, in_tenant, "wegberg", superuser=True)
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 4096
    response = client.post(
        "/cms/images/add/",
        {"title": "Zu groß", "file": SimpleUploadedFile("gross.png", png, "image/png")},
        HTTP_HOST=host("wegberg"),
    )
    assert response.status_code == 200
    assert (
        "too large" in response.content.decode() or "zu groß" in response.content.decode().lower()
    )
    with in_tenant("wegberg"):
        assert not get_image_model().objects.filter(title="Zu groß").exists()


def test_wrong_file_type_is_refused(client, in_tenant):
    login(client, in_tenant, "wegberg", superuser=True)
    response = client.post(
        "/cms/images/add/",
        {
            "title": "Skript",
            "file": SimpleUploadedFile("x.exe", b"MZ...", "application/octet-stream"),
        },
        HTTP_HOST=host("wegberg"),
    )
    assert response.status_code == 200
    with in_tenant("wegberg"):
        assert not get_image_model().objects.filter(title="Skript").exists()


# --- roles ---------------------------------------------------------------------------------


def test_editors_draft_and_moderators_publish(in_tenant):
    from django.contrib.auth import get_user_model

    with in_tenant("geilenkirchen"):
        users = get_user_model().objects
        editor = users.create_user("editor-g")
        editor.groups.add(Group.objects.get(name="Editors"))
        moderator = users.create_user("moderator-g")
        moderator.groups.add(Group.objects.get(name="Moderators"))
        page = NewsIndexPage.objects.get()
        assert page.permissions_for_user(editor).can_edit()
        assert not page.permissions_for_user(editor).can_publish()
        assert page.permissions_for_user(moderator).can_publish()


def test_english_ui_strings_are_available(client, db):
    german = client.get("/", HTTP_HOST=host("erkelenz")).content.decode()
    assert 'lang="de"' in german and "Zum Inhalt springen" in german
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_HOST=host("erkelenz")
    )
    assert response.status_code == 302
    english = client.get("/", HTTP_HOST=host("erkelenz")).content.decode()
    assert (
        'lang="en"' in english
        and "Skip to content" in english
        and "Frequently requested" in english
    )


def test_german_stays_the_default_whatever_the_browser_prefers(client, db):
    html = client.get(
        "/", HTTP_HOST=host("erkelenz"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    ).content.decode()
    assert 'lang="de"' in html and "Zum Inhalt springen" in html


@pytest.mark.parametrize("path", ["/", "/aktuelles/", "/impressum/", "/leistungen/99008001012000/"])
def test_queries_per_page_are_bounded(client, db, path):
    """A page the page cache does not answer (a visitor with a session) costs ≤ 10 queries once
    the process has rendered the tenant's chrome (cms.chrome); ≤ 20 for the first such page of a
    process, which also reads what the process keeps for every request (content types, the
    portal list, the tenant's page list). tests/cms/test_page_speed.py asserts the exact counts,
    warm and right after a purge. Counted without django-tenants' `SET search_path`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(cookie: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, HTTP_HOST=host("erkelenz"), HTTP_COOKIE=cookie)
        assert response.status_code == 200 and not response.has_header("X-Page-Cache")
        return len([q for q in ctx.captured_queries if not q["sql"].startswith("SET search_pa")])

    cold = count("sessionid=kein-gueltiger-schluessel")
    assert cold <= 20
    assert count("sessionid=kein-gueltiger-schluessel") <= 10


def test_documents_of_another_tenant_are_unreachable_by_guessed_url(client, in_tenant):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    with in_tenant("erkelenz"):
        document = get_document_model().objects.create(
            title="Haushaltsplan Erkelenz", file=ContentFile(b"%PDF-1.4 demo", name="haushalt.pdf")
        )
        url = document.url
    assert client.get(url, HTTP_HOST=host("erkelenz")).status_code == 200
    assert client.get(url, HTTP_HOST=host("gangelt")).status_code == 404
    assert client.get(document.file.url, HTTP_HOST=host("gangelt")).status_code == 404
