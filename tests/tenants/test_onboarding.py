"""A new municipality from the web UI: legal page drafts from the tenant's master data, the
first editor's account, editors' branding, deleting with a typed confirmation."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from cms.legal import TO_COMPLETE, LegalPage
from tenants.models import Tenant
from tests.support.legal import complete_and_publish_legal_pages

ADMIN_HOST = f"admin.{settings.BASE_DOMAIN}"

IMPRINT = {
    "address_street": "Marktplatz 1",
    "address_postcode": "41800",
    "address_city": "Musterstadt",
    "representative": "Bürgermeisterin Erika Beispiel",
    "contact_phone": "02451 123-0",
    "contact_email": "rathaus@musterstadt.example",
    "supervisory_authority": "Landrat des Kreises Heinsberg (Kommunalaufsicht)",
}


# a real key (Düren) that no demo tenant has: the admin checks keys against the official register
MUSTERSTADT_AGS = "05358008"


def create_musterstadt(it_admin, start_status="active", **imprint) -> Tenant:
    response = it_admin.post(
        "/admin/tenants/tenant/add/",
        {
            "name": "Stadt Musterstadt",
            "slug": "musterstadt",
            "kind": "municipality",
            "ags": MUSTERSTADT_AGS,
            "start_status": start_status,
            **imprint,
        },
        HTTP_HOST=ADMIN_HOST,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Tenant.objects.get(slug="musterstadt")


def footer_links(html: str) -> list[str]:
    legal = re.search(r'<ul class="legal-links">(.*?)</ul>', html, re.S)
    return re.findall(r'href="([^"]+)"', legal.group(1)) if legal else []


# --- 1. legal pages from templates ------------------------------------------------------------


def test_new_tenant_gets_three_legal_drafts_with_the_impressum_filled(it_admin):
    tenant = create_musterstadt(it_admin, **IMPRINT)
    assert tenant.representative == "Bürgermeisterin Erika Beispiel"
    with schema_context(tenant.schema_name):
        pages = {page.kind: page for page in LegalPage.objects.all()}
        assert set(pages) == {"impressum", "datenschutz", "barrierefreiheit"}
        assert not any(page.live for page in pages.values())  # drafts: editors publish
        impressum = pages["impressum"].body
        for value in (
            "Stadt Musterstadt",
            "Marktplatz 1",
            "41800 Musterstadt",
            "Bürgermeisterin Erika Beispiel",
            "02451 123-0",
            "rathaus@musterstadt.example",
            "Kommunalaufsicht",
        ):
            assert value in impressum, value
        # the USt-IdNr and the person responsible remain for the municipality to complete
        assert TO_COMPLETE in impressum
        privacy = pages["datenschutz"].body
        assert "Datenschutzbeauftragte" in privacy and TO_COMPLETE in privacy
        statement = pages["barrierefreiheit"].body
        # the EU model accessibility statement's sections
        for heading in (
            "Stand der Vereinbarkeit",
            "Nicht barrierefreie Inhalte",
            "Erstellung dieser Erklärung",
            "Feedback und Kontakt",
            "Durchsetzungsverfahren",
        ):
            assert heading in statement, heading
        assert "rathaus@musterstadt.example" in statement


def test_missing_master_data_is_marked_in_the_impressum(it_admin):
    tenant = create_musterstadt(it_admin)
    with schema_context(tenant.schema_name):
        impressum = LegalPage.objects.get(kind="impressum").body
    assert f"[{TO_COMPLETE}: Straße und Hausnummer]" in impressum
    assert f"[{TO_COMPLETE}: zuständige Kommunalaufsicht]" in impressum


def test_footer_links_only_published_legal_pages_and_none_404(it_admin, client):
    tenant = create_musterstadt(it_admin, **IMPRINT)
    host = "musterstadt.localhost"
    html = client.get("/", HTTP_HOST=host).content.decode()
    assert footer_links(html) == []
    assert client.get("/impressum/", HTTP_HOST=host).status_code == 404  # a draft is not served
    with schema_context(tenant.schema_name):
        LegalPage.objects.get(kind="impressum").save_revision().publish()
    html = client.get("/", HTTP_HOST=host).content.decode()
    assert footer_links(html) == ["/impressum/"]
    for link in footer_links(html):
        assert client.get(link, HTTP_HOST=host).status_code == 200


def inline_data(tenant: Tenant) -> dict:
    """The management form and rows of the (read-only) domain inline of the change form."""
    domains = list(tenant.domains.order_by("domain"))
    data = {"domains-TOTAL_FORMS": len(domains), "domains-INITIAL_FORMS": len(domains)}
    data |= {"domains-MIN_NUM_FORMS": 0, "domains-MAX_NUM_FORMS": 1000}
    for i, domain in enumerate(domains):
        data |= {f"domains-{i}-id": domain.pk, f"domains-{i}-tenant": tenant.pk}
    return data


def test_imprint_master_data_is_editable_in_the_tenant_admin(it_admin):
    erkelenz = Tenant.objects.get(slug="erkelenz")
    response = it_admin.post(
        f"/admin/tenants/tenant/{erkelenz.pk}/change/",
        {"name": erkelenz.name, "ags": erkelenz.ags, **IMPRINT, "contact_email": "kein-mail"},
        HTTP_HOST=ADMIN_HOST,
    )
    assert response.status_code == 200
    assert "contact_email" in response.context["adminform"].form.errors
    response = it_admin.post(
        f"/admin/tenants/tenant/{erkelenz.pk}/change/",
        {"name": erkelenz.name, "ags": erkelenz.ags, **IMPRINT, **inline_data(erkelenz)},
        HTTP_HOST=ADMIN_HOST,
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    erkelenz.refresh_from_db()
    assert erkelenz.supervisory_authority == IMPRINT["supervisory_authority"]
    page = it_admin.get(f"/admin/tenants/tenant/{erkelenz.pk}/change/", HTTP_HOST=ADMIN_HOST)
    assert "Angaben für das Impressum" in page.content.decode()


# --- 2. the first editor from the web UI: tests/tenants/test_invitations.py -------------------


# --- 3. editors own their branding -------------------------------------------------------------


def editor_login(client, schema: str, host: str, group: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    with schema_context(schema):
        user = get_user_model().objects.create_user("brand-editor", password="Geheim-2026!")
        user.groups.add(Group.objects.get(name=group))
    response = client.post(
        "/cms/login/", {"username": "brand-editor", "password": "Geheim-2026!"}, HTTP_HOST=host
    )
    assert response.status_code == 302


BRANDING = {"primary_colour": "#004225", "font": "serif", "header_variant": "split"}


@pytest.mark.parametrize("group", ["Moderators", "Editors"])
def test_editors_open_and_save_branding_and_bad_contrast_is_still_refused(client, db, group):
    from wagtail.models import Site

    from cms.branding import BrandingSettings

    editor_login(client, "wegberg", "wegberg.localhost", group)
    with schema_context("wegberg"):
        site = Site.objects.get()
        logo_id = BrandingSettings.for_site(site).logo_id
    url = f"/cms/settings/cms/brandingsettings/{site.pk}/"
    page = client.get(url, HTTP_HOST="wegberg.localhost")
    assert page.status_code == 200
    html = page.content.decode()
    assert "keinen Zugang" not in html
    # the live preview with its script; the refused pair below is refused by the server all the same
    assert "data-branding-preview" in html and "cms/branding-preview.js" in html
    assert "Stadt Wegberg" in html.split("data-branding-preview", 1)[1]
    data = {**BRANDING, "logo": logo_id or "", "footer_text": ""}
    refused = client.post(url, {**data, "accent_colour": "#ffdd00"}, HTTP_HOST="wegberg.localhost")
    assert refused.status_code == 200 and "Zu wenig Kontrast" in refused.content.decode()
    saved = client.post(url, {**data, "accent_colour": "#8a1538"}, HTTP_HOST="wegberg.localhost")
    assert saved.status_code == 302
    with schema_context("wegberg"):
        branding = BrandingSettings.for_site(site)
        assert (branding.primary_colour, branding.accent_colour) == ("#004225", "#8a1538")


def test_new_tenants_inherit_the_branding_permission_and_the_demo_editor_has_it(it_admin, client):
    from django.contrib.auth import get_user_model

    tenant = create_musterstadt(it_admin)
    for schema in (settings.TENANT_BASE_SCHEMA, tenant.schema_name):
        with schema_context(schema):
            from django.contrib.auth.models import Group

            for name in ("Editors", "Moderators"):
                codenames = set(
                    Group.objects.get(name=name).permissions.values_list("codename", flat=True)
                )
                assert {"view_brandingsettings", "change_brandingsettings"} <= codenames
    with schema_context("erkelenz"):
        demo = get_user_model().objects.filter(username="demo-redaktion").first()
        if demo is not None:
            assert demo.has_perm("cms.change_brandingsettings")


# --- 4. deleting asks for the slug; AGS errors in German ------------------------------------------


def test_delete_has_a_confirmation_page_and_needs_the_slug_typed(it_admin, settings, tmp_path):
    from django_tenants.utils import schema_exists

    settings.KREISPORTAL_HOME = tmp_path
    waldfeucht = Tenant.objects.get(slug="waldfeucht")
    # the changelist action leads to the confirmation page, deleting nothing
    chosen = it_admin.post(
        "/admin/tenants/tenant/",
        {"action": "delete_tenants_with_backup", "_selected_action": [waldfeucht.pk]},
        HTTP_HOST=ADMIN_HOST,
    )
    url = f"/admin/tenants/tenant/{waldfeucht.pk}/loeschen/"
    assert chosen.status_code == 302 and chosen["Location"] == url
    page = it_admin.get(url, HTTP_HOST=ADMIN_HOST).content.decode()
    assert "waldfeucht.localhost" in page and str(tmp_path / "backups") in page
    assert "Kurzname" in page
    wrong = it_admin.post(url, {"confirm_slug": "Waldfeucht"}, HTTP_HOST=ADMIN_HOST)
    assert wrong.status_code == 200 and "Der Kurzname stimmt nicht" in wrong.content.decode()
    assert schema_exists("waldfeucht") and not list(tmp_path.glob("backups/*"))
    # pg_dump reads the committed demo schema; the drop is rolled back with the test
    done = it_admin.post(url, {"confirm_slug": "waldfeucht"}, HTTP_HOST=ADMIN_HOST)
    assert done.status_code == 302
    dumps = list((tmp_path / "backups").glob("waldfeucht-*.dump"))
    assert len(dumps) == 1 and dumps[0].stat().st_size > 10_000
    assert not Tenant.objects.filter(slug="waldfeucht").exists()
    assert not schema_exists("waldfeucht")


def test_deleting_several_at_once_is_refused(it_admin):
    pks = list(Tenant.objects.filter(slug__in=["gangelt", "selfkant"]).values_list("pk", flat=True))
    response = it_admin.post(
        "/admin/tenants/tenant/",
        {"action": "delete_tenants_with_backup", "_selected_action": pks},
        HTTP_HOST=ADMIN_HOST,
        follow=True,
    )
    assert "genau einen Mandanten" in response.content.decode()
    assert Tenant.objects.filter(slug__in=["gangelt", "selfkant"]).count() == 2


def test_ags_errors_are_german_in_the_admin(it_admin):
    def ags_error(ags, kind="municipality"):
        response = it_admin.post(
            "/admin/tenants/tenant/add/",
            {"name": "Neu", "slug": "neuort", "kind": kind, "ags": ags},
            HTTP_HOST=ADMIN_HOST,
        )
        return response.context["adminform"].form.errors["ags"][0]

    assert ags_error("123") == (
        "Ungültiger Amtlicher Gemeindeschlüssel „123“: für eine Gemeinde genau 8 Ziffern angeben."
    )
    assert "für einen Kreis (Kreisschlüssel) genau 5 Ziffern" in ags_error("0537", "district")
    assert ags_error("05370004") == (
        "Der Amtliche Gemeindeschlüssel „05370004“ gehört schon zu Stadt Erkelenz."
    )


# --- 5. "in Vorbereitung", preview, go-live checklist -------------------------------------------

MUSTERSTADT = "musterstadt.localhost"


def test_a_portal_in_preparation_shows_citizens_bald_verfuegbar(it_admin, client):
    from django.test import Client

    tenant = create_musterstadt(it_admin, start_status="preparing", **IMPRINT)
    assert tenant.is_preparing
    citizen = Client()
    home = citizen.get("/", HTTP_HOST=MUSTERSTADT)
    assert home.status_code == 503
    assert "bald verfügbar" in home.content.decode()
    assert "no-cache" in home["Cache-Control"] or "no-store" in home["Cache-Control"]
    assert citizen.get("/leistungen/", HTTP_HOST=MUSTERSTADT).status_code == 503
    assert citizen.get("/cms/login/", HTTP_HOST=MUSTERSTADT).status_code == 200  # staff sign in
    # a forged preview link or cookie changes nothing
    assert citizen.get("/vorschau/?t=erfunden", HTTP_HOST=MUSTERSTADT).status_code == 503
    citizen.cookies["kp_preview"] = "erfunden"
    assert citizen.get("/", HTTP_HOST=MUSTERSTADT).status_code == 503


def test_the_it_teams_preview_and_signed_in_staff_see_the_portal(it_admin):
    from django.test import Client

    tenant = create_musterstadt(it_admin, start_status="preparing")
    change = it_admin.get(f"/admin/tenants/tenant/{tenant.pk}/change/", HTTP_HOST=ADMIN_HOST)
    assert "Portal in Vorbereitung ansehen" in change.content.decode()
    link = it_admin.get(f"/admin/tenants/tenant/{tenant.pk}/vorschau/", HTTP_HOST=ADMIN_HOST)
    assert link.status_code == 302
    assert link["Location"].startswith(f"http://{MUSTERSTADT}/vorschau/?t=")
    previewer = Client()
    opened = previewer.get(
        link["Location"].removeprefix(f"http://{MUSTERSTADT}"), HTTP_HOST=MUSTERSTADT
    )
    assert opened.status_code == 302 and opened["Location"] == "/"
    home = previewer.get("/", HTTP_HOST=MUSTERSTADT)
    assert home.status_code == 200 and "<h1>Stadt Musterstadt</h1>" in home.content.decode()
    # the preview cookie is for Musterstadt only
    other = Tenant.objects.get(slug="selfkant")
    Tenant.objects.filter(pk=other.pk).update(status=Tenant.Status.PREPARING)
    from tenants.lookup import tenants_changed

    tenants_changed()
    previewer.cookies["kp_preview"] = previewer.cookies["kp_preview"].value
    assert previewer.get("/", HTTP_HOST="selfkant.localhost").status_code == 503
    # an editor signed in to the tenant's /cms/ sees it too
    editor = Client()
    editor_login(editor, tenant.schema_name, MUSTERSTADT, "Moderators")
    assert editor.get("/", HTTP_HOST=MUSTERSTADT).status_code == 200


def test_go_live_is_refused_while_the_checklist_is_open_then_switches(it_admin, client):
    from django.core.files.base import ContentFile
    from django.test import Client
    from wagtail.images import get_image_model
    from wagtail.models import Site

    from cms.branding import BrandingSettings

    tenant = create_musterstadt(it_admin, start_status="preparing", **IMPRINT)

    def go_live():
        return it_admin.post(
            "/admin/tenants/tenant/",
            {"action": "go_live", "_selected_action": [tenant.pk]},
            HTTP_HOST=ADMIN_HOST,
            follow=True,
        ).content.decode()

    change_url = f"/admin/tenants/tenant/{tenant.pk}/change/"
    checklist = it_admin.get(change_url, HTTP_HOST=ADMIN_HOST).content.decode()
    assert "Checkliste zum Live-Schalten" in checklist
    assert "<li>Impressum veröffentlichen</li>" in checklist
    refused = go_live()
    assert "kann noch nicht live gehen" in refused
    for item in (
        "Impressum veröffentlichen",
        "Datenschutzerklärung veröffentlichen",
        "Branding festlegen",
        "angemeldet",
    ):
        assert item in refused, item
    assert Tenant.objects.get(pk=tenant.pk).is_preparing
    # the editor signs in, publishes the legal pages, sets the logo
    editor = Client()
    editor_login(editor, tenant.schema_name, MUSTERSTADT, "Moderators")
    dashboard = editor.get("/cms/", HTTP_HOST=MUSTERSTADT).content.decode()
    assert "Checkliste zum Live-Schalten" in dashboard
    assert "<li>Impressum veröffentlichen</li>" in dashboard
    assert "Branding festlegen" in dashboard and "angemeldet" not in dashboard  # signed in now
    with schema_context(tenant.schema_name):
        complete_and_publish_legal_pages()
        logo = get_image_model()(
            title="Logo",
            file=ContentFile(
                b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', name="logo.svg"
            ),
        )
        logo.save()
        branding = BrandingSettings.for_site(Site.objects.get())
        branding.logo = logo
        branding.save()
    checklist = it_admin.get(change_url, HTTP_HOST=ADMIN_HOST).content.decode()
    assert "Dienststellen des Bürgerbüros eintragen" in checklist
    assert "örtlichen Leistungskatalog prüfen" in checklist
    # the offices of the Bürgerbüro, the catalogue reviewed ("Katalog geprüft")
    from services.local.models import Office

    with schema_context(tenant.schema_name):
        Office.objects.create(
            name="Bürgerbüro", street="Marktplatz 1", postcode="41800", city="Musterstadt"
        )
    assert editor.post("/cms/katalog-pruefen/", HTTP_HOST=MUSTERSTADT).status_code == 302
    checklist = it_admin.get(change_url, HTTP_HOST=ADMIN_HOST).content.decode()
    assert "Erfüllt: der Mandant kann live geschaltet werden." in checklist
    assert "ist live" in go_live()
    assert not Tenant.objects.get(pk=tenant.pk).is_preparing
    assert Client().get("/", HTTP_HOST=MUSTERSTADT).status_code == 200
    dashboard = editor.get("/cms/", HTTP_HOST=MUSTERSTADT).content.decode()
    assert "Checkliste zum Live-Schalten" not in dashboard


def test_a_portal_suspended_in_preparation_resumes_into_preparation(it_admin):
    """Suspending and resuming must not skip the go-live checklist."""
    from tenants.actions import do_resume_tenant, do_suspend_tenant

    tenant = create_musterstadt(it_admin, start_status="preparing")
    assert tenant.is_preparing
    do_suspend_tenant(tenant=tenant, actor="test")
    assert Tenant.objects.get(pk=tenant.pk).status == Tenant.Status.SUSPENDED
    do_resume_tenant(tenant=Tenant.objects.get(pk=tenant.pk), actor="test")
    assert Tenant.objects.get(pk=tenant.pk).status == Tenant.Status.PREPARING
    # a live portal suspended and resumed is live again
    live = Tenant.objects.get(slug="wegberg")
    do_suspend_tenant(tenant=live, actor="test")
    do_resume_tenant(tenant=Tenant.objects.get(pk=live.pk), actor="test")
    assert Tenant.objects.get(pk=live.pk).status == Tenant.Status.ACTIVE
