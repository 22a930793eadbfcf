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
from playwright.sync_api import expect

from services.local.models import LocalSynonym, SearchQueryStat
from services.local.search_actions import (
    SynonymError,
    do_add_local_synonym,
    do_record_click,
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
    assert fields == {
        "id", "query", "searches", "empty", "partial", "last_total", "clicks", "last_seen"
    }  # fmt: skip


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


BROWSER_QUERIES = ("sperrmüll abholung termin", "hundesteuer anmelden hund")  # clicked, not


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
                SearchQueryStat.objects.filter(
                    query__in=[LOCAL_WORD.lower(), *BROWSER_QUERIES]
                ).delete()
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


# --- "no click": a results page that led to a click on a result ------------------------------

CLICK_QUERY = "Sperrmüll abholen lassen"
CLICK_URL = "/leistungen/suche/klick/"


def _beacon(client, slug="gangelt", origin=None, **data):
    host = f"{slug}.{BASE}"
    headers = {"HTTP_HOST": host}
    if origin is not False:
        headers["HTTP_ORIGIN"] = origin or f"http://{host}"
    return client.post(CLICK_URL, {"q": CLICK_QUERY, "leistung": SERVICE, **data}, **headers)


def _clicks(in_tenant, slug="gangelt", query=CLICK_QUERY):
    with in_tenant(slug):
        stat = SearchQueryStat.objects.filter(query=normalise_query(query)).first()
    return (stat.searches, stat.clicks) if stat else None


def test_results_page_carries_the_click_beacon(client, db):
    results = client.get("/leistungen/", {"q": CLICK_QUERY}, HTTP_HOST=f"gangelt.{BASE}")
    html = results.content.decode()
    assert f'data-search-click-url="{CLICK_URL}"' in html
    assert f'data-search-query="{CLICK_QUERY}"' in html  # the server normalises it
    assert "search-clicks.js" in html and f'data-leika-key="{SERVICE}"' in html


def test_click_beacon_counts_on_its_tenant_only(client, in_tenant):
    client.get("/leistungen/", {"q": CLICK_QUERY}, HTTP_HOST=f"gangelt.{BASE}")
    client.get("/leistungen/", {"q": CLICK_QUERY}, HTTP_HOST=f"erkelenz.{BASE}")
    assert _clicks(in_tenant) == (1, 0)
    assert _beacon(client).status_code == 204
    assert _clicks(in_tenant) == (1, 1)
    # never more clicks than searches; a second click on the same results page is not counted
    second = _beacon(client)
    assert second.status_code == 404 and "nicht gezählt" in second.json()["error"]
    assert _clicks(in_tenant) == (1, 1)
    assert _clicks(in_tenant, "erkelenz") == (1, 0)


def test_click_beacon_refuses_what_is_not_a_click_of_this_portal(client, in_tenant):
    client.get("/leistungen/", {"q": CLICK_QUERY}, HTTP_HOST=f"gangelt.{BASE}")
    # a GET (a prefetcher, a crawler following links) changes nothing
    get = client.get(
        CLICK_URL, {"q": CLICK_QUERY, "leistung": SERVICE}, HTTP_HOST=f"gangelt.{BASE}"
    )
    assert get.status_code == 405
    # another site, another tenant's pages, or no origin at all
    for origin in ("https://evil.example", f"http://erkelenz.{BASE}", False):
        refused = _beacon(client, origin=origin)
        assert refused.status_code == 403 and refused.json()["error"]
    bad_service = _beacon(client, leistung="12345678901234")
    assert bad_service.status_code == 400 and "leistung" in bad_service.json()["error"]
    assert _beacon(client, q="").status_code == 400
    never_searched = _beacon(client, q="nie gesucht")
    assert never_searched.status_code == 404
    assert _clicks(in_tenant) == (1, 0)
    # a browser that leaves Origin out but says same-origin is accepted
    ok = client.post(
        CLICK_URL,
        {"q": CLICK_QUERY, "leistung": SERVICE},
        HTTP_HOST=f"gangelt.{BASE}",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert ok.status_code == 204 and _clicks(in_tenant) == (1, 1)


def test_editor_sees_found_but_not_clicked_searches(client, in_tenant):
    with in_tenant("gangelt"):
        do_record_search(query="Hundesteuer", total=5, partial=False)
        do_record_search(query="Hundesteuer", total=5, partial=False)
        do_record_search(query="Personalausweis", total=9, partial=False)
        do_record_click(query="Personalausweis")
        do_record_search(query=LOCAL_WORD, total=0, partial=False)
    editor = _editor(client, in_tenant)
    html = editor.get("/cms/suche/", HTTP_HOST=f"gangelt.{BASE}").content.decode()
    not_found, rest = html.split('id="ohne-klick"', 1)
    no_click, top = rest.split('id="haeufig"', 1)
    assert LOCAL_WORD.lower() in not_found  # "not found" comes first
    assert "hundesteuer" in no_click and "personalausweis" not in no_click
    assert "<td>hundesteuer</td><td>2</td><td>0</td>" in top
    assert "<td>personalausweis</td><td>1</td><td>1</td>" in top
    # the district-wide view exists on the district's admin only
    assert editor.get("/cms/suche/kreis/", HTTP_HOST=f"gangelt.{BASE}").status_code == 404
    assert "/cms/suche/kreis/" not in html


def test_district_editor_sees_all_portals_summed(client, in_tenant):
    with in_tenant("gangelt"):
        do_record_search(query="Wertstoffhof Süd", total=0, partial=False)
        do_record_search(query="Wertstoffhof Süd", total=0, partial=False)
        do_record_search(query="Hundesteuer", total=5, partial=False)
    with in_tenant("erkelenz"):
        do_record_search(query="wertstoffhof süd", total=0, partial=False)
        do_record_search(query="Hundesteuer", total=5, partial=False)
        do_record_click(query="Hundesteuer")
    with in_tenant("kreis"):
        do_record_search(query="Waffenschein", total=4, partial=False)
    editor = _editor(client, in_tenant, slug="kreis")
    own = editor.get("/cms/suche/", HTTP_HOST=f"kreis.{BASE}").content.decode()
    assert "/cms/suche/kreis/" in own and "wertstoffhof" not in own
    response = editor.get("/cms/suche/kreis/", HTTP_HOST=f"kreis.{BASE}")
    assert response.status_code == 200
    html = response.content.decode()
    not_found, rest = html.split('id="kreis-ohne-klick"', 1)
    no_click, top = rest.split('id="kreis-haeufig"', 1)
    portals = "Gemeinde Gangelt (2), Stadt Erkelenz (1)"
    assert f"<td>3</td><td>3</td><td>0</td><td>0</td><td>{portals}</td>" in not_found
    assert "waffenschein" in no_click and "hundesteuer" not in no_click
    assert "Gemeinde Gangelt (1), Stadt Erkelenz (1)" in top
    # a municipality's editor cannot see it, nor can staff without the permission on the district
    other = _editor(client, in_tenant, slug="gangelt")
    assert other.get("/cms/suche/kreis/", HTTP_HOST=f"gangelt.{BASE}").status_code == 404
    clerk = _editor(client, in_tenant, slug="kreis", group="Sachbearbeitung")
    assert clerk.get("/cms/suche/kreis/", HTTP_HOST=f"kreis.{BASE}").status_code in (302, 403)
    anonymous = client.__class__().get("/cms/suche/kreis/", HTTP_HOST=f"kreis.{BASE}")
    assert anonymous.status_code == 302 and "wertstoffhof" not in anonymous.content.decode()


def test_click_on_a_result_is_counted_in_the_browser(  # noqa: F811
    committed_editor,
    tenant_server,
    page,  # noqa: F811
):
    """A citizen opens a result of one search and none of another; the editor sees the first
    with a click and the second under "found, but no click"."""
    gangelt = f"http://gangelt.localhost:{tenant_server}"
    clicked, ignored = BROWSER_QUERIES
    page.goto(f"{gangelt}/leistungen/?q={ignored}")
    expect(page.locator("main ol.service-list li").first).to_contain_text("Hund")
    page.goto(f"{gangelt}/leistungen/?q={clicked}")
    first = page.locator("main ol.service-list li a").first
    expect(first).to_contain_text("Sperrmüll")
    first.click()
    expect(page.locator("main h1")).to_contain_text("Sperrmüll")

    page.goto(f"{gangelt}/cms/login/")
    page.fill("#id_username", committed_editor)
    page.fill("#id_password", "Redaktion-2026")
    page.locator("form").get_by_role("button").last.click()
    page.wait_for_url(f"{gangelt}/cms/")
    page.goto(f"{gangelt}/cms/suche/")
    no_click = page.locator("tr.no-click-row", has_text=ignored)
    expect(no_click).to_contain_text("0")
    assert page.locator("tr.no-click-row", has_text=clicked).count() == 0
    top = page.locator("#haeufig ~ table tr", has_text=clicked).first
    expect(top.locator("td").nth(2)).to_have_text("1")  # searched once, clicked once
