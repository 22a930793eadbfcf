"""Official municipality keys (Destatis Gemeindeverzeichnis, tenants/data/): the tenant admin
refuses keys the register does not know, in German, creating nothing, and suggests the name."""

from __future__ import annotations

import json

from django.conf import settings
from django_tenants.utils import schema_exists

from tenants.models import Tenant
from tenants.municipality_keys import lookup, parse_gv100ad

ADMIN_HOST = f"admin.{settings.BASE_DOMAIN}"


def test_the_register_knows_the_district_and_suggests_the_demo_names():
    demo = json.loads((settings.SHARED_DATA_DIR / "tenants.json").read_text())["tenants"]
    assert len(demo) == 11
    for tenant in demo:
        entry = lookup(tenant["ags"], tenant["kind"])
        assert entry is not None, tenant["ags"]
        assert entry.suggested_name == tenant["name"]
    erkelenz = lookup("05370004", "municipality")
    assert (erkelenz.name, erkelenz.ars) == ("Erkelenz, Stadt", "053700004004")
    assert lookup("09184", "district").suggested_name == "Landkreis München"
    assert lookup("05334", "district").suggested_name == "Städteregion Aachen"
    assert lookup("05370999", "municipality") is None
    assert lookup("05370", "municipality") is None  # a district's key is no municipality's


def test_parse_reads_the_fixed_columns_of_gv100ad():
    district = "40" + "20231130" + "05370" + " " * 7 + "Heinsberg".ljust(50) + " " * 50 + "43"
    # a municipality: AGS (8), then its Gemeindeverband (4); the ARS puts the Verband in between
    town = "60" + "20231130" + "05370004" + "0004" + "Erkelenz, Stadt".ljust(50)
    other = "50" + "20231130" + "053700000" + "ignored"
    entries = list(parse_gv100ad([district, other, town]))
    assert [(e.kind, e.key, e.ars, e.type, e.name, e.as_of) for e in entries] == [
        ("district", "05370", "05370", "Kreis", "Heinsberg", "2023-11-30"),
        ("municipality", "05370004", "053700004004", "", "Erkelenz, Stadt", "2023-11-30"),
    ]


def add(it_admin, **data):
    form = {"name": "", "slug": "neuort", "kind": "municipality", "start_status": "preparing"}
    return it_admin.post("/admin/tenants/tenant/add/", form | data, HTTP_HOST=ADMIN_HOST)


def test_an_unknown_key_is_refused_in_german_and_nothing_is_created(it_admin):
    before = Tenant.objects.count()
    response = add(it_admin, name="Neuort", ags="05370999")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["ags"] == [
        "Den Amtlichen Gemeindeschlüssel „05370999“ gibt es im Gemeindeverzeichnis des "
        "Statistischen Bundesamts nicht (Gebietsstand 30.11.2023). Bitte den Schlüssel prüfen."
    ]
    district = add(it_admin, name="Kreis Neu", kind="district", ags="05399")
    errors = district.context["adminform"].form.errors["ags"]
    assert "Den Kreisschlüssel „05399“ gibt es" in errors[0]
    # no name and an unknown key: the key's error only, no guess
    nameless = add(it_admin, ags="05370999")
    assert set(nameless.context["adminform"].form.errors) == {"ags"}
    assert Tenant.objects.count() == before and not schema_exists("neuort")


def test_the_name_is_suggested_from_the_key(it_admin):
    response = add(it_admin, ags="05358008")
    assert response.status_code == 302, response.context["adminform"].form.errors
    tenant = Tenant.objects.get(slug="neuort")
    assert tenant.name == "Stadt Düren"
    change = it_admin.get(f"/admin/tenants/tenant/{tenant.pk}/change/", HTTP_HOST=ADMIN_HOST)
    assert "Düren, Stadt (ARS 053580008008" in change.content.decode()
    # changing the key to one the register does not know is refused too
    refused = it_admin.post(
        f"/admin/tenants/tenant/{tenant.pk}/change/",
        {"name": tenant.name, "ags": "05358999"},
        HTTP_HOST=ADMIN_HOST,
    )
    assert "gibt es im Gemeindeverzeichnis" in refused.context["adminform"].form.errors["ags"][0]
    assert Tenant.objects.get(pk=tenant.pk).ags == "05358008"


def test_a_taken_slug_is_refused_and_nothing_is_created(it_admin):
    before = Tenant.objects.count()
    response = add(it_admin, slug="erkelenz", ags="05358008")
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    assert Tenant.objects.count() == before
