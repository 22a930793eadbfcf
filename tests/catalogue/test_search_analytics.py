"""Search analytics for editors and local search words (issue 17): every citizen search is
counted per tenant without personal data; searches with no or partial results appear in the
tenant's Wagtail admin; an editor adds a local search word there and the same search finds the
service on that tenant only. The browser test drives the whole journey in chromium."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from services.local.models import LocalSynonym, SearchQueryStat
from services.local.search_actions import (
    SynonymError,
    do_add_local_synonym,
    do_record_search,
    normalise_query,
)
from services.search import search_services
from tests.support.browser import browser, page  # noqa: F401 - fixtures

BASE = settings.BASE_DOMAIN
LOCAL_WORD = "Klompenhof"  # a local name the catalogue cannot know
SERVICE = "99001009004001"  # Sperrmüll Entsorgung durch persönliche Abgabe


def _editor(client, in_tenant, slug="gangelt", group="Editors"):
    name = f"suche-{uuid.uuid4().hex[:8]}"
    with in_tenant(slug):
        user = get_user_model().objects.create_user(name, password="Redaktion-2026")
        user.groups.add(Group.objects.get(name=group))
    response = client.post(
        "/cms/login/", {"username": name, "password": "Redaktion-2026"}, HTTP_HOST=f"{slug}.{BASE}"
    )
    assert response.status_code == 302
    return client


def test_queries_are_normalised_and_counted_without_personal_data(in_tenant):
    assert normalise_query("  Wo ist der   WERTSTOFFHOF?! ") == "wo ist der wertstoffhof"
    with in_tenant("gangelt"):
        do_record_search(query="Wertstoffhof Süd", total=0, partial=False)
        do_record_search(query="wertstoffhof  süd", total=3, partial=True)
        do_record_search(query="Personalausweis", total=20, partial=False)
        stat = SearchQueryStat.objects.get(query="wertstoffhof süd")
        assert (stat.searches, stat.empty, stat.partial, stat.last_total) == (2, 1, 1, 3)
        assert SearchQueryStat.objects.get(query="personalausweis").poor == 0
    fields = {f.name for f in SearchQueryStat._meta.get_fields()}
    assert fields == {"id", "query", "searches", "empty", "partial", "last_total", "last_seen"}


def test_citizen_search_page_counts_the_search(client, in_tenant):
    client.get("/leistungen/", {"q": LOCAL_WORD}, HTTP_HOST=f"gangelt.{BASE}")
    with in_tenant("gangelt"):
        stat = SearchQueryStat.objects.get(query=LOCAL_WORD.lower())
    assert stat.searches == 1 and stat.empty == 1
    with in_tenant("erkelenz"):
        assert not SearchQueryStat.objects.filter(query=LOCAL_WORD.lower()).exists()


def test_local_synonym_finds_the_service_on_its_tenant_only(in_tenant):
    with in_tenant("gangelt"):
        assert search_services(LOCAL_WORD).total == 0
        do_add_local_synonym(term=LOCAL_WORD, leika_key=SERVICE)
        hits = search_services(LOCAL_WORD).hits
        assert hits[0].leika_key == SERVICE and hits[0].exact
        # the local word also works inside a longer query
        assert search_services(f"{LOCAL_WORD} Öffnungszeiten").hits[0].leika_key == SERVICE
    with in_tenant("erkelenz"):
        assert search_services(LOCAL_WORD).total == 0


def test_local_synonym_input_is_checked(in_tenant):
    with in_tenant("gangelt"):
        for term, key in (("", SERVICE), ("x" * 200, SERVICE), ("Hof", "12345678901234")):
            with pytest.raises(SynonymError):
                do_add_local_synonym(term=term, leika_key=key)
        assert not LocalSynonym.objects.exists()


def test_editor_sees_not_found_list_and_adds_a_word(client, in_tenant):
    with in_tenant("gangelt"):
        do_record_search(query=LOCAL_WORD, total=0, partial=False)
    editor = _editor(client, in_tenant)
    report = editor.get("/cms/suche/", HTTP_HOST=f"gangelt.{BASE}")
    assert report.status_code == 200 and LOCAL_WORD.lower() in report.content.decode()
    form = editor.get(
        "/cms/suche/suchbegriff/neu/",
        {"begriff": LOCAL_WORD, "leistung": "Sperrmüll"},
        HTTP_HOST=f"gangelt.{BASE}",
    )
    assert SERVICE in form.content.decode()
    saved = editor.post(
        "/cms/suche/suchbegriff/neu/",
        {"term": LOCAL_WORD, "leika_key": SERVICE},
        HTTP_HOST=f"gangelt.{BASE}",
    )
    assert saved.status_code == 302
    with in_tenant("gangelt"):
        synonym = LocalSynonym.objects.get()
    assert synonym.term == LOCAL_WORD.lower() and synonym.service.leika_key == SERVICE
    # another tenant's editor sees neither the statistics nor the word, nor can remove it
    other = _editor(client, in_tenant, slug="erkelenz")
    page_text = other.get("/cms/suche/", HTTP_HOST=f"erkelenz.{BASE}").content.decode()
    assert LOCAL_WORD.lower() not in page_text
    removed = other.post(
        f"/cms/suche/suchbegriff/{synonym.pk}/entfernen/", HTTP_HOST=f"erkelenz.{BASE}"
    )
    assert removed.status_code == 404
    with in_tenant("gangelt"):
        assert LocalSynonym.objects.filter(pk=synonym.pk).exists()


def test_staff_without_the_permission_get_no_search_admin(client, in_tenant):
    clerk = _editor(client, in_tenant, group="Sachbearbeitung")
    assert clerk.get("/cms/suche/", HTTP_HOST=f"gangelt.{BASE}").status_code in (302, 403)


# --- browser: the whole journey on a real server -----------------------------------------------


@pytest.fixture(scope="module")
def committed_editor(django_db_setup, django_db_blocker):
    """A committed Gangelt editor (the test server sees committed data only), removed after,
    with the statistics and local words the journey leaves behind. Module-scoped and named
    before `page`, so it runs before Playwright's event loop starts (Django refuses the ORM
    inside it)."""
    from django_tenants.utils import tenant_context

    from tenants.models import Tenant

    name = f"suche-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        gangelt = Tenant.objects.get(slug="gangelt")
        with tenant_context(gangelt):
            user = get_user_model().objects.create_user(name, password="Redaktion-2026")
            user.groups.add(Group.objects.get(name="Editors"))
    yield name
    with django_db_blocker.unblock():
        for slug in ("gangelt", "erkelenz"):
            with tenant_context(Tenant.objects.get(slug=slug)):
                LocalSynonym.objects.filter(term=LOCAL_WORD.lower()).delete()
                SearchQueryStat.objects.filter(query=LOCAL_WORD.lower()).delete()
                get_user_model().objects.filter(username=name).delete()


def test_not_found_search_becomes_a_local_word_in_the_browser(  # noqa: F811
    committed_editor,
    tenant_server,
    page,  # noqa: F811
):
    gangelt = f"http://gangelt.localhost:{tenant_server}"
    erkelenz = f"http://erkelenz.localhost:{tenant_server}"
    page.goto(f"{gangelt}/leistungen/?q={LOCAL_WORD}")
    assert "Keine Leistung gefunden" in page.locator("main").inner_text()

    page.goto(f"{gangelt}/cms/login/")
    page.fill("#id_username", committed_editor)
    page.fill("#id_password", "Redaktion-2026")
    page.locator("form").get_by_role("button").last.click()
    page.wait_for_url(f"{gangelt}/cms/")
    page.goto(f"{gangelt}/cms/suche/")
    row = page.locator("tr.not-found-row", has_text=LOCAL_WORD.lower())
    row.get_by_role("link", name="Suchbegriff anlegen").click()
    page.fill("#leistung", "Sperrmüll")
    page.get_by_role("button", name="Leistung suchen").click()
    page.get_by_label("Sperrmüll Entsorgung durch persönliche Abgabe").check()
    page.get_by_role("button", name="Suchbegriff speichern").click()
    assert LOCAL_WORD.lower() in page.locator("tr.synonym-row").first.inner_text()

    page.goto(f"{gangelt}/leistungen/?q={LOCAL_WORD}")
    first = page.locator("main ol.service-list li").first
    assert "Sperrmüll Entsorgung durch persönliche Abgabe" in first.inner_text()
    page.goto(f"{erkelenz}/leistungen/?q={LOCAL_WORD}")
    assert "Keine Leistung gefunden" in page.locator("main").inner_text()
