"""The district IT team's tenant administration on the public host (Django admin)."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import schema_exists

from tenants.models import Domain, Tenant, TenantAuditEntry

PUBLIC = settings.BASE_DOMAIN
ADMIN_HOST = f"admin.{settings.BASE_DOMAIN}"


def test_anonymous_and_tenant_hosts_cannot_reach_tenant_admin(client, db):
    assert client.get("/admin/tenants/tenant/", HTTP_HOST=ADMIN_HOST).status_code == 302
    assert client.get("/admin/tenants/tenant/", HTTP_HOST=f"kreis.{PUBLIC}").status_code == 404


def test_list_shows_portals_only(it_admin):
    response = it_admin.get("/admin/tenants/tenant/", HTTP_HOST=ADMIN_HOST)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stadt Erkelenz" in html and "Kreis Heinsberg" in html
    assert "Vorlage für neue Mandanten" not in html
    assert response.context["cl"].result_count == 11


def test_create_from_the_admin_provisions_the_same_way_as_the_cli(it_admin):
    response = it_admin.post(
        "/admin/tenants/tenant/add/",
        {
            "name": "Gemeinde Beispielheim",
            "slug": "beispielheim",
            "kind": "municipality",
            "ags": "05358008",  # a real key (the admin checks the register), no demo tenant's
            "start_status": "active",
            "extra_domains": "www2.beispielheim.example",
        },
        HTTP_HOST=ADMIN_HOST,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tenant = Tenant.objects.get(slug="beispielheim")
    assert schema_exists("beispielheim")
    assert set(tenant.domains.values_list("domain", flat=True)) == {
        "beispielheim.localhost",
        "www2.beispielheim.example",
    }
    assert TenantAuditEntry.objects.get(tenant_slug="beispielheim").actor == "kreis-it"
    home = it_admin.get("/", HTTP_HOST="beispielheim.localhost")
    assert "<h1>Gemeinde Beispielheim</h1>" in home.content.decode()


def test_bad_input_in_the_admin_rerenders_with_messages_and_creates_nothing(it_admin):
    before = Tenant.objects.count()
    response = it_admin.post(
        "/admin/tenants/tenant/add/",
        {
            "name": "Doppelt",
            "slug": "erkelenz",
            "kind": "municipality",
            "ags": "123",
            "extra_domains": "gangelt.localhost",
        },
        HTTP_HOST=ADMIN_HOST,
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "already taken" in errors["slug"][0]
    assert "genau 8 Ziffern" in errors["ags"][0]
    assert "already taken" in errors["extra_domains"][0]
    assert Tenant.objects.count() == before


def _status_action(client, action: str, tenants, **extra):
    return client.post(
        "/admin/tenants/tenant/",
        {"action": action, "_selected_action": [t.pk for t in tenants], **extra},
        HTTP_HOST=ADMIN_HOST,
        follow=True,
    )


def test_suspend_and_resume_are_confirmed_and_say_what_citizens_see(it_admin, client):
    gangelt = Tenant.objects.get(slug="gangelt")
    # choosing the action only shows what will happen
    page = _status_action(it_admin, "suspend_tenants", [gangelt]).content.decode()
    assert "vorübergehend nicht erreichbar" in page
    assert "Niemand kann sich anmelden" in page
    assert "keine Anträge gestellt, keine Zahlungen" in page
    assert "Laufende Anträge bleiben unverändert erhalten" in page
    assert "Offene Zahlungen bleiben offen" in page
    assert 'name="confirmed" value="yes"' in page and "Jetzt sperren" in page
    assert not Tenant.objects.get(slug="gangelt").is_suspended
    assert not TenantAuditEntry.objects.filter(tenant_slug="gangelt", action="suspended").exists()
    # confirmed: suspended, and the message says what citizens see now
    done = _status_action(it_admin, "suspend_tenants", [gangelt], confirmed="yes")
    message = " ".join(str(m) for m in done.context["messages"])
    assert "Gemeinde Gangelt: gesperrt." in message
    assert "vorübergehend nicht erreichbar" in message and "bis zum Entsperren" in message
    assert Tenant.objects.get(slug="gangelt").is_suspended
    citizen = client.get("/", HTTP_HOST=f"gangelt.{PUBLIC}")
    assert citizen.status_code == 503
    assert "vorübergehend nicht erreichbar" in citizen.content.decode()
    # resuming is confirmed the same way and says the portal is back for everyone
    page = _status_action(it_admin, "resume_tenants", [gangelt]).content.decode()
    assert "sofort wieder für alle erreichbar" in page and "Jetzt entsperren" in page
    assert Tenant.objects.get(slug="gangelt").is_suspended
    done = _status_action(it_admin, "resume_tenants", [gangelt], confirmed="yes")
    message = " ".join(str(m) for m in done.context["messages"])
    assert "Gemeinde Gangelt: entsperrt. Das Portal ist wieder für alle" in message
    assert not Tenant.objects.get(slug="gangelt").is_suspended
    assert client.get("/", HTTP_HOST=f"gangelt.{PUBLIC}").status_code == 200


def test_confirmation_names_portals_the_action_does_not_apply_to(it_admin):
    """Resuming a portal that was in preparation says it goes back to „bald verfügbar“; a
    portal that is not suspended is named as not affected and left alone."""
    from tenants.actions import do_create_tenant, do_suspend_tenant

    preparing = do_create_tenant(
        name="Stadt Musterstadt",
        slug="musterstadt",
        kind="municipality",
        ags="05358008",
        status=Tenant.Status.PREPARING,
        actor="test",
    )
    do_suspend_tenant(tenant=preparing, actor="test")
    wegberg = Tenant.objects.get(slug="wegberg")
    page = _status_action(it_admin, "resume_tenants", [preparing, wegberg]).content.decode()
    assert "kehrt dorthin zurück" in page and "bald verfügbar" in page
    assert "Stadt Wegberg ist nicht gesperrt." in page
    assert f'name="_selected_action" value="{wegberg.pk}"' not in page
    done = _status_action(it_admin, "resume_tenants", [preparing], confirmed="yes")
    message = " ".join(str(m) for m in done.context["messages"])
    assert "entsperrt und wieder in Vorbereitung" in message
    assert Tenant.objects.get(pk=preparing.pk).is_preparing
    assert Tenant.objects.get(pk=wegberg.pk).status == Tenant.Status.ACTIVE


def test_domain_added_in_the_admin_routes_at_once(it_admin):
    wassenberg = Tenant.objects.get(slug="wassenberg")
    response = it_admin.post(
        "/admin/tenants/domain/add/",
        {"domain": "Rathaus.Wassenberg.Example", "tenant": wassenberg.pk},
        HTTP_HOST=ADMIN_HOST,
    )
    assert response.status_code == 302
    assert Domain.objects.get(domain="rathaus.wassenberg.example").tenant == wassenberg
    assert it_admin.get("/", HTTP_HOST="rathaus.wassenberg.example").status_code == 200


def test_editing_a_tenant_validates_the_official_key(it_admin):
    erkelenz = Tenant.objects.get(slug="erkelenz")
    response = it_admin.post(
        f"/admin/tenants/tenant/{erkelenz.pk}/change/",
        {"name": "Stadt Erkelenz", "ags": "05370008"},  # Gangelt's key
        HTTP_HOST=ADMIN_HOST,
    )
    assert response.status_code == 200
    assert "gehört schon zu" in response.context["adminform"].form.errors["ags"][0]
    assert Tenant.objects.get(slug="erkelenz").ags == "05370004"
