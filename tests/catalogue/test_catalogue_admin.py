"""Editors maintain the local catalogue in their tenant's Wagtail admin; no other tenant's."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from services.local.models import LocalService
from services.models import ServiceOffer

BASE = settings.BASE_DOMAIN
LIST = "/cms/snippets/services_local/localservice/"


@pytest.fixture
def erkelenz_editor(client, in_tenant):
    from django.contrib.auth import get_user_model

    with in_tenant("erkelenz"):
        user = get_user_model().objects.create_user(
            "redaktion", password="Redaktion-2026", is_staff=False
        )
        user.groups.add(Group.objects.get(name="Editors"))
    response = client.post(
        "/cms/login/",
        {"username": "redaktion", "password": "Redaktion-2026"},
        HTTP_HOST=f"erkelenz.{BASE}",
    )
    assert response.status_code == 302
    return client


def test_editor_finds_a_service_by_name_and_by_key(erkelenz_editor):
    by_name = erkelenz_editor.get(LIST, {"q": "Hundesteuer"}, HTTP_HOST=f"erkelenz.{BASE}")
    assert by_name.status_code == 200 and "Hundesteuer Festsetzung" in by_name.content.decode()
    by_key = erkelenz_editor.get(LIST, {"q": "99050012104000"}, HTTP_HOST=f"erkelenz.{BASE}")
    assert "Gewerbe Anmeldung" in by_key.content.decode()
    filtered = erkelenz_editor.get(LIST, {"offered": "false"}, HTTP_HOST=f"erkelenz.{BASE}")
    assert filtered.status_code == 200


def test_editor_change_shows_on_the_citizen_page_at_once(erkelenz_editor, in_tenant):
    with in_tenant("erkelenz"):
        local = LocalService.objects.get(service__leika_key="99102013002000")
        office_id = str(local.office_id)
    response = erkelenz_editor.post(
        f"{LIST}edit/{local.pk}/",
        {
            "offered": "on",
            "responsibility": "self",
            "other_authority": "",
            "office": office_id,
            "fee_cents": "",
            "local_notes": "Hundemarken gibt es im Bürgerbüro, Zimmer 12.",
            "local_documents": "",
            "online_level": "information",
            "online_url": "",
        },
        HTTP_HOST=f"erkelenz.{BASE}",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = erkelenz_editor.get("/leistungen/99102013002000/", HTTP_HOST=f"erkelenz.{BASE}")
    assert "Hundemarken gibt es im Bürgerbüro, Zimmer 12." in page.content.decode()


def test_invalid_edit_rerenders_with_a_message(erkelenz_editor, in_tenant):
    with in_tenant("erkelenz"):
        local = LocalService.objects.get(service__leika_key="99102013002000")
    response = erkelenz_editor.post(
        f"{LIST}edit/{local.pk}/",
        {
            "offered": "on",
            "responsibility": "other",
            "other_authority": "",
            "online_level": "online",
            "online_url": "",
            "fee_cents": "-5",
        },
        HTTP_HOST=f"erkelenz.{BASE}",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte die zuständige Behörde nennen." in html
    with in_tenant("erkelenz"):
        assert LocalService.objects.get(pk=local.pk).responsibility == "self"


def test_bulk_offer_changes_many_rows_and_the_read_model(
    erkelenz_editor, in_tenant, tenant, django_capture_on_commit_callbacks
):
    from kreisportal.celery import app

    with in_tenant("erkelenz"):
        ids = list(
            LocalService.objects.filter(offered=False)
            .order_by("service__name")
            .values_list("pk", flat=True)[:50]
        )
    query = "&".join(f"id={pk}" for pk in ids)
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = erkelenz_editor.post(
                f"/cms/bulk/services_local/localservice/offer/?{query}&next={LIST}",
                {},
                HTTP_HOST=f"erkelenz.{BASE}",
            )
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    with in_tenant("erkelenz"):
        assert LocalService.objects.filter(pk__in=ids, offered=True).count() == 50
        service_ids = list(
            LocalService.objects.filter(pk__in=ids).values_list("service_id", flat=True)
        )
    assert (
        ServiceOffer.objects.filter(
            tenant=tenant("erkelenz"), service_id__in=service_ids, offered=True
        ).count()
        == 50
    )


def test_editors_cannot_add_local_rows(erkelenz_editor):
    assert erkelenz_editor.get(f"{LIST}add/", HTTP_HOST=f"erkelenz.{BASE}").status_code in (
        302,
        403,
    )


def test_another_tenants_rows_are_unreachable_by_guessed_url(erkelenz_editor, in_tenant):
    with in_tenant("gangelt"):
        gangelt_row = LocalService.objects.get(service__leika_key="99102013002000")
    # Gangelt's row id does not exist in Erkelenz's schema …
    assert (
        erkelenz_editor.get(
            f"{LIST}edit/{gangelt_row.pk}/", HTTP_HOST=f"erkelenz.{BASE}"
        ).status_code
        == 404
    )
    response = erkelenz_editor.post(
        f"{LIST}edit/{gangelt_row.pk}/",
        {"offered": "", "responsibility": "self"},
        HTTP_HOST=f"erkelenz.{BASE}",
    )
    assert response.status_code == 404
    with in_tenant("gangelt"):
        assert LocalService.objects.get(pk=gangelt_row.pk).offered == gangelt_row.offered
    # … and the Erkelenz session is not valid on Gangelt's host (last: the test client shares
    # one cookie jar across hosts, and Gangelt's answer clears the unknown session cookie)
    assert (
        erkelenz_editor.get(
            f"{LIST}edit/{gangelt_row.pk}/", HTTP_HOST=f"gangelt.{BASE}"
        ).status_code
        == 302
    )
