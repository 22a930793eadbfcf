"""Editors' daily work (issue 19): fees in euros with a comma, "Angeboten" as Ja/Nein, the
dashboard with the portal's name, shortcuts and what needs attention; the district's home page
and every footer link the other live portals from the tenant list."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from services.local.forms import parse_euro
from services.local.models import LocalService, SearchQueryStat
from tenants.models import Tenant
from tenants.selectors import live_portal_links

ERKELENZ = "erkelenz.localhost"


def editor_client(schema: str, username: str = "tagwerk") -> Client:
    with schema_context(schema):
        user = get_user_model().objects.create_user(
            username, password="Geheim-2026!", is_staff=True
        )
        user.groups.add(*Group.objects.filter(name__in=["Redaktion", "Moderators"]))
        client = Client()
        assert client.login(username=username, password="Geheim-2026!")  # noqa: S106
    return client


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("96,00", 9600),
        ("96", 9600),
        ("96,5", 9650),
        ("1.234,50 €", 123450),
        ("96.00", 9600),
        ("0,99", 99),
        ("", None),
    ],
)
def test_fees_are_read_as_people_write_them(typed, cents):
    assert parse_euro(typed) == cents


@pytest.mark.parametrize("typed", ["abc", "96,000", "-5", "12,3,4", "1.23.4"])
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(ValueError):
        parse_euro(typed)


def form_data(page_html: str) -> dict[str, str]:
    """The edit form's fields as the browser would send them (inputs, selects, textareas)."""
    form = page_html[page_html.index("<form") : page_html.index("</form>")]
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        if 'type="checkbox"' in tag and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = value.group(1) if value else ("on" if "checkbox" in tag else "")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = selected.group(1) if selected else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        data[name] = body.strip()
    return data


def test_the_fee_is_entered_in_euros_and_stored_in_cents(db):
    client = editor_client("erkelenz")
    with schema_context("erkelenz"):
        local = LocalService.objects.select_related("service").order_by("service__name").first()
        LocalService.objects.filter(pk=local.pk).update(fee_cents=4600)
    url = f"/cms/snippets/services_local/localservice/edit/{local.pk}/"
    page = client.get(url, HTTP_HOST=ERKELENZ)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Gebühr vor Ort (Euro)" in html and 'value="46,00"' in html
    data = form_data(html)
    refused = client.post(url, {**data, "fee_cents": "sechsundneunzig"}, HTTP_HOST=ERKELENZ)
    assert refused.status_code == 200
    assert "Bitte einen Betrag in Euro eingeben, z. B. 96,00." in refused.content.decode()
    with schema_context("erkelenz"):
        assert LocalService.objects.get(pk=local.pk).fee_cents == 4600  # nothing changed
    # saved through the admin's own form class, every other field as the form shows it
    from services.local.wagtail_hooks import LocalServiceViewSet

    with schema_context("erkelenz"):
        user = get_user_model().objects.get(username="tagwerk")
        form_class = LocalServiceViewSet.edit_handler.bind_to_model(LocalService).get_form_class()
        instance = LocalService.objects.get(pk=local.pk)
        shown = form_class(instance=instance, for_user=user)
        sent = {}
        for name in shown.fields:
            value = shown[name].value()
            if value is True:
                sent[name] = "on"
            elif value not in (None, False):
                sent[name] = value
        assert sent["fee_cents"] == "46,00"
        form = form_class({**sent, "fee_cents": "96,00"}, instance=instance, for_user=user)
        assert form.is_valid(), form.errors
        form.save()
        assert LocalService.objects.get(pk=local.pk).fee_cents == 9600


def test_offered_reads_ja_or_nein_in_the_catalogue_list(db):
    client = editor_client("erkelenz")
    listing = client.get("/cms/snippets/services_local/localservice/", HTTP_HOST=ERKELENZ)
    html = listing.content.decode()
    assert listing.status_code == 200
    assert re.search(r"<td[^>]*>\s*(Ja|Nein)\s*</td>", html)
    assert not re.search(r"<td[^>]*>\s*(True|False)\s*</td>", html)


def test_the_dashboard_names_the_portal_with_shortcuts_and_what_needs_attention(db):
    client = editor_client("erkelenz")
    with schema_context("erkelenz"):
        SearchQueryStat.objects.create(query="hundesteuer zurück", searches=3, empty=3)
    html = client.get("/cms/", HTTP_HOST=ERKELENZ).content.decode()
    assert "Stadt Erkelenz" in re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)
    for shortcut in ("Neue Meldung", "Leistungskatalog"):
        assert shortcut in html, shortcut
    # the inbox refuses editors without the clerk's permission, so no shortcut leads there
    assert "Posteingang (Anträge)" not in html
    with schema_context("erkelenz"):
        clerk = get_user_model().objects.get(username="tagwerk")
        clerk.user_permissions.add(Permission.objects.get(codename="handle_application"))
    assert "Posteingang (Anträge)" in client.get("/cms/", HTTP_HOST=ERKELENZ).content.decode()
    assert "Braucht Ihre Aufmerksamkeit" in html
    assert re.search(r"\d+ Suchanfragen? ohne Treffer", html)


def test_a_new_portals_dashboard_points_to_its_checklist_and_legal_pages(db):
    from tenants.actions import do_create_tenant

    tenant = do_create_tenant(
        name="Stadt Musterstadt",
        slug="musterstadt",
        kind="municipality",
        ags="05358008",
        status=Tenant.Status.PREPARING,
    )
    client = editor_client(tenant.schema_name)
    html = client.get("/cms/", HTTP_HOST="musterstadt.localhost").content.decode()
    assert "Checkliste zum Live-Schalten" in html and 'href="#go-live-heading"' in html
    assert "Impressum ist nicht veröffentlicht" in html


def test_the_district_home_links_the_municipalities_and_every_footer_the_other_portals(db):
    Tenant.objects.filter(slug="selfkant").update(status=Tenant.Status.PREPARING)
    from tenants.lookup import tenants_changed

    tenants_changed()
    kreis = Client().get("/", HTTP_HOST="kreis.localhost").content.decode()
    section = kreis[kreis.index('id="municipalities-heading"') :]
    section = section[: section.index("</section>")]
    links = re.findall(r'href="([^"]+)"', section)
    assert "http://erkelenz.localhost/" in links and "http://wegberg.localhost/" in links
    assert len(links) == 9  # ten municipalities, Selfkant still in preparation
    assert "selfkant" not in section
    footer = Client().get("/", HTTP_HOST=ERKELENZ).content.decode()
    switch = footer[footer.index('class="portal-switch"') :]
    switch = switch[: switch.index("</details>")]
    assert "Andere Kommune wählen" in switch
    assert "http://kreis.localhost/" in switch and "http://gangelt.localhost/" in switch
    assert "erkelenz.localhost" not in switch and "selfkant" not in switch
    # the list costs no query once the process knows it
    live_portal_links(scheme="http")
    with CaptureQueriesContext(connection) as queries:
        assert len(live_portal_links(scheme="http")) == 10
    assert len(queries) == 0


def test_the_catalogue_review_shortcut_only_for_those_the_page_lets_in(db):
    """A staff member without the right to change local services (say, a news writer) would
    meet a refusal there: no link leads them to it."""
    moderator = Client()
    with schema_context("erkelenz"):
        user = get_user_model().objects.create_user(
            "nur-moderation", password="Geheim-2026!", is_staff=True
        )
        user.user_permissions.add(Permission.objects.get(codename="access_admin"))
        assert not user.has_perm("services_local.change_localservice")
        assert moderator.login(username="nur-moderation", password="Geheim-2026!")  # noqa: S106
    assert "Katalog prüfen" not in moderator.get("/cms/", HTTP_HOST=ERKELENZ).content.decode()
    assert moderator.get("/cms/katalog-pruefen/", HTTP_HOST=ERKELENZ).status_code in (302, 403)
    editor = editor_client("erkelenz")
    assert "Katalog prüfen" in editor.get("/cms/", HTTP_HOST=ERKELENZ).content.decode()
    assert editor.get("/cms/katalog-pruefen/", HTTP_HOST=ERKELENZ).status_code == 200
