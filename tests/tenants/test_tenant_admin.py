"""The district IT team's tenant administration on the public host (Django admin)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_tenants.utils import schema_context, schema_exists

from tenants.models import Domain, Tenant, TenantAuditEntry

PUBLIC = settings.BASE_DOMAIN
ADMIN_HOST = f"admin.{settings.BASE_DOMAIN}"


@pytest.fixture
def it_admin(client, db):
    from django.contrib.auth import get_user_model

    with schema_context("public"):
        get_user_model().objects.create_superuser("kreis-it", "it@kreis.example", "sicher-123")
    assert client.login(username="kreis-it", password="sicher-123")
    return client


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


def test_suspend_and_resume_actions(it_admin, client):
    gangelt = Tenant.objects.get(slug="gangelt")
    it_admin.post(
        "/admin/tenants/tenant/",
        {"action": "suspend_tenants", "_selected_action": [gangelt.pk]},
        HTTP_HOST=ADMIN_HOST,
    )
    assert Tenant.objects.get(slug="gangelt").is_suspended
    assert client.get("/", HTTP_HOST=f"gangelt.{PUBLIC}").status_code == 503
    it_admin.post(
        "/admin/tenants/tenant/",
        {"action": "resume_tenants", "_selected_action": [gangelt.pk]},
        HTTP_HOST=ADMIN_HOST,
    )
    assert not Tenant.objects.get(slug="gangelt").is_suspended


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
