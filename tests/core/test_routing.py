"""Host routing: every demo tenant, the public host, custom domains, unknown and suspended hosts."""

import json

import pytest
from django.conf import settings

from tenants import actions
from tenants.demo import load_demo_tenants

DEMO = load_demo_tenants()


@pytest.mark.parametrize("demo", DEMO, ids=[d.slug for d in DEMO])
def test_each_demo_tenant_serves_its_own_home_page(client, db, demo):
    response = client.get("/", HTTP_HOST=f"{demo.slug}.{settings.BASE_DOMAIN}:8000")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{demo.name}</h1>" in html
    assert response.wsgi_request.tenant.schema_name == demo.slug.replace("-", "_")
    others = [d.name for d in DEMO if d.slug != demo.slug and d.name not in demo.name]
    assert not any(f"<h1>{name}</h1>" in html for name in others)


def test_public_host_lists_every_portal(client, db):
    response = client.get("/", HTTP_HOST=settings.BASE_DOMAIN)
    assert response.status_code == 200
    html = response.content.decode()
    for demo in DEMO:
        assert f"http://{demo.slug}.{settings.BASE_DOMAIN}/" in html
    assert "tenant_template" not in html and "Vorlage" not in html


def test_admin_host_leads_to_the_tenant_admin_login(client, db):
    """Only on admin.<base>: the bare base domain has no admin
    (tests/tenants/test_public_host.py)."""
    response = client.get("/admin/", HTTP_HOST=f"admin.{settings.BASE_DOMAIN}")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_tenant_host_has_no_district_admin(client, db):
    response = client.get("/admin/", HTTP_HOST=f"erkelenz.{settings.BASE_DOMAIN}")
    assert response.status_code == 404


def test_custom_domain_routes_to_its_tenant(client, tenant):
    actions.do_add_domain(tenant=tenant("wegberg"), hostname="service.wegberg.example")
    response = client.get("/", HTTP_HOST="service.wegberg.example")
    assert response.status_code == 200
    assert "<h1>Stadt Wegberg</h1>" in response.content.decode()


def test_unknown_host_gets_a_clear_404_page(client, db):
    response = client.get("/", HTTP_HOST="nirgendwo.example.org")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Portal nicht gefunden" in html
    assert "nirgendwo.example.org" in html


def test_unknown_subdomain_of_base_gets_404(client, db):
    response = client.get("/", HTTP_HOST=f"aachen.{settings.BASE_DOMAIN}")
    assert response.status_code == 404


def test_suspended_tenant_shows_friendly_503_but_keeps_its_admin(client, tenant):
    actions.do_suspend_tenant(tenant=tenant("selfkant"))
    host = f"selfkant.{settings.BASE_DOMAIN}"
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "vorübergehend nicht erreichbar" in response.content.decode()
    admin = client.get("/cms/", HTTP_HOST=host)
    assert admin.status_code == 302 and "/cms/login/" in admin["Location"]
    # other tenants keep serving
    assert client.get("/", HTTP_HOST=f"gangelt.{settings.BASE_DOMAIN}").status_code == 200
    actions.do_resume_tenant(tenant=tenant("selfkant"))
    assert client.get("/", HTTP_HOST=host).status_code == 200


@pytest.mark.parametrize("host", [settings.BASE_DOMAIN, f"heinsberg.{settings.BASE_DOMAIN}"])
def test_healthz_reports_database_and_broker(client, db, host):
    response = client.get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
    }


def test_healthz_answers_503_when_the_broker_is_unreachable(client, db, monkeypatch):
    from kreisportal.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "amqp://guest@127.0.0.1:1//")
    response = client.get("/healthz", HTTP_HOST=settings.BASE_DOMAIN)
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


@pytest.mark.parametrize("host", [settings.BASE_DOMAIN, f"admin.{settings.BASE_DOMAIN}"])
def test_unknown_path_on_the_public_host_is_a_404_not_an_error(client, db, host):
    assert client.get("/gibt-es-nicht/", HTTP_HOST=host).status_code == 404


def test_unknown_path_on_a_tenant_host_is_a_404(client, db):
    assert (
        client.get("/gibt-es-nicht/", HTTP_HOST=f"gangelt.{settings.BASE_DOMAIN}").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("domain", "status"),
    [
        ("erkelenz.localhost", 200),
        ("ERKELENZ.localhost.", 200),
        ("admin.localhost", 200),
        ("evil.example", 404),
        ("", 404),
    ],
)
def test_on_demand_tls_is_allowed_only_for_known_hosts(client, db, domain, status):
    response = client.get("/tls/allowed", {"domain": domain}, HTTP_HOST=settings.BASE_DOMAIN)
    assert response.status_code == status


def test_on_demand_tls_covers_custom_domains(client, tenant):
    actions.do_add_domain(tenant=tenant("gangelt"), hostname="buergerservice.gangelt.example")
    assert (
        client.get(
            "/tls/allowed",
            {"domain": "buergerservice.gangelt.example"},
            HTTP_HOST=settings.BASE_DOMAIN,
        ).status_code
        == 200
    )
