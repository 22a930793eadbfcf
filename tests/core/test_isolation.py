"""Tenant isolation: a row written in one tenant's schema is invisible from another."""

from django.conf import settings
from wagtail.models import Page, Site

from cms.home import HomePage


def _add_page(title: str, slug: str) -> Page:
    home = HomePage.objects.get()
    page = home.add_child(instance=Page(title=title, slug=slug))
    page.save_revision().publish()
    return page


def test_page_of_one_tenant_is_invisible_to_another_by_orm(in_tenant):
    with in_tenant("erkelenz"):
        page = _add_page("Nur für Erkelenz", "nur-erkelenz")
        assert Page.objects.filter(title="Nur für Erkelenz").exists()
    with in_tenant("gangelt"):
        assert not Page.objects.filter(title="Nur für Erkelenz").exists()
        # the same primary key in another schema is a different row or none at all
        assert not Page.objects.filter(pk=page.pk, title="Nur für Erkelenz").exists()


def test_page_of_one_tenant_is_unreachable_from_another_by_http(client, in_tenant):
    with in_tenant("erkelenz"):
        _add_page("Nur für Erkelenz", "nur-erkelenz")
    base = settings.BASE_DOMAIN
    assert client.get("/nur-erkelenz/", HTTP_HOST=f"erkelenz.{base}").status_code == 200
    assert client.get("/nur-erkelenz/", HTTP_HOST=f"gangelt.{base}").status_code == 404


def test_a_change_in_one_tenant_does_not_touch_another(in_tenant):
    with in_tenant("heinsberg"):
        home = HomePage.objects.get()
        home.intro = "Geändert in Heinsberg"
        home.save()
    with in_tenant("wassenberg"):
        assert HomePage.objects.get().intro != "Geändert in Heinsberg"


def test_each_tenant_has_its_own_wagtail_site_with_its_hostname(in_tenant):
    with in_tenant("waldfeucht"):
        site = Site.objects.get()
        assert site.hostname == f"waldfeucht.{settings.BASE_DOMAIN}"
        assert site.root_page.specific.title == "Gemeinde Waldfeucht"
    with in_tenant("kreis"):
        assert Site.objects.get().hostname == f"kreis.{settings.BASE_DOMAIN}"


def test_editor_of_one_tenant_cannot_log_in_to_another_tenants_admin(in_tenant, client):
    from django.contrib.auth import get_user_model

    with in_tenant("erkelenz"):
        get_user_model().objects.create_superuser("redakteurin", password="geheim-123")
    with in_tenant("gangelt"):
        assert not get_user_model().objects.filter(username="redakteurin").exists()
    base = settings.BASE_DOMAIN
    credentials = {"username": "redakteurin", "password": "geheim-123"}
    refused = client.post("/cms/login/", credentials, HTTP_HOST=f"gangelt.{base}")
    assert refused.status_code == 200  # form re-rendered with an error
    assert client.get("/cms/", HTTP_HOST=f"gangelt.{base}").status_code == 302
    accepted = client.post("/cms/login/", credentials, HTTP_HOST=f"erkelenz.{base}")
    assert accepted.status_code == 302
    assert client.get("/cms/", HTTP_HOST=f"erkelenz.{base}").status_code == 200
    # the Erkelenz session cookie is worthless on Gangelt's host
    assert client.get("/cms/", HTTP_HOST=f"gangelt.{base}").status_code == 302
