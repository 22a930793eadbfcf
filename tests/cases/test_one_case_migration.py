"""Cadastral orders placed before "one case" become applications of the cadastre handler:
the order's address (its id), citizen, state, payment, document, times and verification code
are kept, and the fee now pays for "application". Run on a committed throwaway tenant whose
fulfillment migrations are taken back to before the change, then forward again."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from payments.models import Payment
from services.accounts.models import Citizen
from services.applications.models import Application
from services.fulfillment.models import CadastralOrder

PROBE = "auftragsprobe"
BEFORE = ("fulfillment", "0004_order_is_a_case")
AFTER = ("fulfillment", "0006_order_fields_live_on_the_case")


@pytest.fixture
def probe_tenant(django_db_setup, django_db_blocker):
    from tenants.actions import do_create_tenant

    with django_db_blocker.unblock():
        tenant = do_create_tenant(
            name="Auftragsprobe", slug=PROBE, kind="municipality", ags="05370997", actor="tests"
        )
        try:
            connection.set_tenant(tenant)
            yield tenant
        finally:
            connection.set_schema_to_public()
            tenant.delete(force_drop=True)


def _migrate_to(target: tuple[str, str]):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return MigrationExecutor(connection).loader.project_state(target).apps


def test_orders_become_cases_with_their_references_kept(probe_tenant, django_db_blocker):
    with django_db_blocker.unblock():
        old = _migrate_to(BEFORE)
        # only fulfillment went back: the other apps' tables are current (their models too)
        Gemarkung = old.get_model("fulfillment", "Gemarkung")
        Parcel = old.get_model("fulfillment", "Parcel")
        OldOrder = old.get_model("fulfillment", "CadastralOrder")
        citizen = Citizen.objects.create(
            user=get_user_model().objects.create(username="erika-alt"), pseudonym="alt-bpk2-erika"
        )
        parcel = Parcel.objects.create(
            gemarkung=Gemarkung.objects.create(number="059999", name="Probe"),
            flur=2,
            zaehler=117,
            nenner=3,
            area_m2=512,
            usage="Wohnbaufläche",
            polygon=[[0, 0], [1, 0], [1, 1]],
        )
        ordered = timezone.now() - timedelta(days=40)
        orders = {}
        for status, product, code in (
            ("completed", "eigentumsnachweis", "AAAA-BBBB-CCCC"),
            ("awaiting_payment", "liegenschaftskarte", "DDDD-EEEE-FFFF"),
        ):
            payment = Payment.objects.create(
                provider="sandbox",
                amount_cents=2000,
                purpose="Liegenschaftsauskunft",
                payer=citizen,
                status="paid" if status == "completed" else "pending",
                pays_for="cadastral_order",
            )
            order = OldOrder.objects.create(
                id=uuid.uuid4(),
                citizen_id=citizen.pk,
                parcel=parcel,
                product=product,
                fee_cents=2000,
                payment_id=payment.pk,
                status=status,
                verification_code=code,
                document="liegenschaftsauskunft/2026/abc.pdf" if status == "completed" else "",
                completed=ordered + timedelta(minutes=1) if status == "completed" else None,
            )
            OldOrder.objects.filter(pk=order.pk).update(created=ordered)
            orders[status] = (order.pk, payment.pk, code)

        _migrate_to(AFTER)

        done_id, done_payment, done_code = orders["completed"]
        done = CadastralOrder.objects.select_related("application__payment").get(pk=done_id)
        case = done.application
        assert case.public_id == done_id  # the order's address is the case's
        assert (case.status, case.form.handling) == ("completed", "liegenschaftsauskunft")
        assert case.citizen.pseudonym == "alt-bpk2-erika" and case.payment_id == done_payment
        assert case.document.name == "liegenschaftsauskunft/2026/abc.pdf"
        assert done.verification_code == done_code and done.product == "eigentumsnachweis"
        assert case.created == ordered and case.completed_at == ordered + timedelta(minutes=1)
        assert case.status_label == "zugestellt" and case.display_title.startswith("Flurstücks-")
        assert case.events.get().action == "migrated"

        open_id, open_payment, _ = orders["awaiting_payment"]
        waiting = Application.objects.get(public_id=open_id)
        assert waiting.status == "awaiting_payment" and waiting.payment_id == open_payment
        assert waiting.payment.pays_for == "application"
        assert not Application.objects.filter(payment__pays_for="cadastral_order").exists()
        # one form for the cadastre, not one per order
        assert {a.form_id for a in Application.objects.all()} == {case.form_id}
