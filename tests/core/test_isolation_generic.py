"""Tenant isolation over every per-tenant model, taken from the app registry (not a hand-kept
list): a model added to a tenant app is covered without touching this file.

* ORM routing: in a tenant's context, every model's table resolves to that tenant's schema,
  never to another tenant's or (for tenant-only apps) to the public schema.
* Read and change: a row of Erkelenz marked with a unique text is found in Erkelenz, is not
  found from Gangelt, and an update issued from Gangelt for the same primary key leaves it as
  it was.
* UI and API: the marked text never appears on Gangelt's pages and API answers, while it does
  appear in Erkelenz's own API where that model is published (so the check can fail).
"""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.test import Client

from services.accounts.actions import do_sign_in_citizen
from services.postbox.actions import do_deliver_message

BASE = settings.BASE_DOMAIN
TENANT_ONLY_APPS = [app for app in settings.TENANT_APPS if app not in settings.SHARED_APPS]


def tenant_models() -> list[type[models.Model]]:
    """Every concrete model whose table lives in the tenant schemas."""
    found = []
    for config in apps.get_app_configs():
        if config.name not in settings.TENANT_APPS:
            continue
        for model in config.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def _schema_of_table(table: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.oid = to_regclass(%s)",
            [connection.ops.quote_name(table)],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def test_the_registry_walk_finds_the_tenant_data_models():
    labels = {model._meta.label for model in tenant_models()}
    for expected in (
        "accounts.Citizen",
        "postbox.PostboxMessage",
        "applications.Application",
        "payments.Payment",
        "fulfillment.CadastralOrder",  # the cadastre plugin's part of a case
        "services_local.LocalService",
        "services_local.Office",
        "wagtailcore.Page",
        "wagtailimages.Image",
    ):
        assert expected in labels


@pytest.mark.parametrize("slug", ["erkelenz", "gangelt", "kreis"])
def test_every_tenant_model_reads_and_writes_its_own_schema(in_tenant, slug):
    wrong = []
    with in_tenant(slug):
        schema = connection.schema_name
        for model in tenant_models():
            where = _schema_of_table(model._meta.db_table)
            if where != schema:
                wrong.append((model._meta.label, where))
    assert not wrong, f"tables resolved outside schema {slug}: {wrong}"


def test_tenant_only_tables_do_not_exist_in_the_public_schema(db):
    connection.set_schema_to_public()
    present = [
        model._meta.label
        for model in tenant_models()
        if model._meta.app_config.name in TENANT_ONLY_APPS
        and _schema_of_table(model._meta.db_table) is not None
    ]
    assert not present, f"tenant-only tables visible from the public schema: {present}"


def _text_field(model: type[models.Model]) -> models.Field | None:
    """A text column to mark a row with (long enough for the marker)."""
    for field in model._meta.local_concrete_fields:  # a parent table is its own model
        if field.primary_key or field.choices or getattr(field, "remote_field", None):
            continue
        if isinstance(field, (models.TextField, models.JSONField)) or (
            isinstance(field, models.CharField) and (field.max_length or 0) >= 24
        ):
            if field.name in {"path", "url_path", "content_type", "password"}:
                continue
            return field
    return None


def _changed(marker: object) -> object:
    return {"iso": "from-gangelt"} if isinstance(marker, dict) else "ISO-FROM-GANGELT"


def _make_citizen_rows() -> None:
    """Rows of the citizen-data models, which the demo seed leaves empty."""
    citizen = do_sign_in_citizen(
        identity={"pseudonym": "isolation-citizen", "given_name": "Iso", "level": "high"}
    )
    do_deliver_message(citizen=citizen, subject="Isolationstest", body="Nachricht")
    from payments.actions import do_create_payment
    from services.applications.models import Application, ApplicationForm

    payment = do_create_payment(
        provider="sandbox", amount_cents=1500, purpose="Isolationstest", payer=citizen
    )
    form = ApplicationForm.objects.order_by("pk").first()
    Application.objects.create(form=form, citizen=citizen, status="submitted", payment=payment)


def test_a_row_of_one_tenant_can_neither_be_read_nor_changed_from_another(in_tenant):
    marked: dict[str, tuple[type[models.Model], str, object, str]] = {}
    with in_tenant("erkelenz"):
        _make_citizen_rows()
        for model in tenant_models():
            field = _text_field(model)
            row = model._base_manager.order_by("pk").first() if field else None
            if row is None:
                continue
            text = f"ISO-{uuid.uuid4().hex[:16]}"
            marker = {"iso": text} if isinstance(field, models.JSONField) else text
            try:
                with transaction.atomic():
                    model._base_manager.filter(pk=row.pk).update(**{field.name: marker})
            except DatabaseError:
                continue  # a constraint on that column; the routing test still covers it
            marked[model._meta.label] = (model, field.name, row.pk, marker)
    for label in (
        "accounts.Citizen",
        "postbox.PostboxMessage",
        "applications.Application",
        "payments.Payment",
        "services_local.Office",
        "wagtailcore.Page",
    ):
        assert label in marked, f"{label} was not checked"

    with in_tenant("gangelt"):
        for label, (model, field, pk, marker) in marked.items():
            assert not model._base_manager.filter(**{field: marker}).exists(), label
            with transaction.atomic():
                model._base_manager.filter(pk=pk).update(**{field: _changed(marker)})
    with in_tenant("erkelenz"):
        for label, (model, field, pk, marker) in marked.items():
            value = model._base_manager.filter(pk=pk).values_list(field, flat=True).first()
            assert value == marker, f"{label}: changed from another tenant"

    # UI and API: none of Erkelenz's marked texts shows on Gangelt's host
    markers = [
        str(marker.get("iso") if isinstance(marker, dict) else marker)
        for (*_, marker) in marked.values()
    ]
    client = Client()
    office_marker = marked["services_local.Office"][3]
    own = client.get("/api/v1/offices/", HTTP_HOST=f"erkelenz.{BASE}")
    assert office_marker in own.content.decode(), "positive control: the marker is published"
    for path in ("/", "/leistungen/", "/api/v1/offices/", "/api/v1/services/?q=ISO"):
        page = client.get(path, HTTP_HOST=f"gangelt.{BASE}")
        assert page.status_code == 200, (path, page.status_code)
        leaked = [marker for marker in markers if marker in page.content.decode()]
        assert not leaked, (path, leaked)
