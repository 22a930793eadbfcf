"""The service list of the API: DRF pagination with the documented contract, and the district's
name as the responsible authority read from its tenant row (never from the code)."""

from __future__ import annotations

from django.conf import settings

from services.local.models import LocalService
from tenants.lookup import forget_tenants
from tenants.models import Tenant

BASE = settings.BASE_DOMAIN


def test_district_services_name_the_district_from_its_tenant_row(client, in_tenant):
    with in_tenant("erkelenz"):
        local = (
            LocalService.objects.select_related("service").filter(responsibility="district").first()
        )
        assert local is not None
    Tenant.objects.filter(kind="district").update(name="Kreis Umbenannt")
    forget_tenants()
    try:
        answer = client.get(
            "/api/v1/services/",
            {"q": local.service.name, "page_size": 100},
            HTTP_HOST=f"erkelenz.{BASE}",
        )
        assert answer.status_code == 200
        [item] = [i for i in answer.json()["results"] if i["leika_key"] == local.service.leika_key]
        assert item["responsible"] == {"level": "district", "authority": "Kreis Umbenannt"}
        detail = client.get(
            f"/api/v1/services/{local.service.leika_key}/", HTTP_HOST=f"erkelenz.{BASE}"
        ).json()
        assert detail["responsible"]["authority"] == "Kreis Umbenannt"
    finally:
        forget_tenants()


def test_pages_link_to_each_other_and_a_page_beyond_the_last_is_a_400(client, db):
    first = client.get("/api/v1/services/", {"page_size": 2}, HTTP_HOST=f"erkelenz.{BASE}")
    body = first.json()
    assert body["count"] > 4 and len(body["results"]) == 2 and body["previous"] is None
    second = client.get(body["next"], HTTP_HOST=f"erkelenz.{BASE}").json()
    assert "page=2" in body["next"] and "page=1" in second["previous"]
    assert {i["leika_key"] for i in second["results"]}.isdisjoint(
        {i["leika_key"] for i in body["results"]}
    )
    last = -(-body["count"] // 2)
    beyond = client.get(
        "/api/v1/services/", {"page_size": 2, "page": last + 1}, HTTP_HOST=f"erkelenz.{BASE}"
    )
    assert beyond.status_code == 400 and "page" in beyond.json()["errors"]
