"""Reliability of the automated Liegenschaftsauskunft with real worker processes: a worker killed
in the middle of a fulfilment, and the job completes exactly once after a restart.

The worker sees committed data only, so these tests commit their rows (outside the per-test
transaction) and remove them afterwards."""

from __future__ import annotations

import signal
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.utils import timezone
from django_tenants.utils import schema_context

from payments.models import Payment
from services.accounts.actions import do_sign_in_citizen
from services.applications.models import Application
from services.applications.tasks import run_application_pipeline
from services.fulfillment.actions import do_place_cadastral_order
from services.fulfillment.models import CadastralOrder, Parcel
from services.postbox.models import PostboxMessage
from tests.conftest import database_url_for_subprocess
from tests.support.workers import new_queue, start_worker, stop_worker


@contextmanager
def committed_paid_orders(django_db_blocker, count: int):
    """`count` paid map orders of a fresh citizen in the district, committed; removed after."""
    with django_db_blocker.unblock(), schema_context("kreis"):
        citizen = do_sign_in_citizen(
            identity={"pseudonym": f"worker-test-{uuid.uuid4().hex}", "level": "substantial"}
        )
        orders = [
            do_place_cadastral_order(
                citizen=citizen, parcel=parcel, product="liegenschaftskarte", trust_level="basic"
            )
            for parcel in Parcel.objects.select_related("gemarkung")[:count]
        ]
    try:
        yield citizen, orders
    finally:
        with django_db_blocker.unblock(), schema_context("kreis"):
            PostboxMessage.objects.filter(citizen=citizen).delete()
            payments = [o.payment_id for o in orders]
            Application.objects.filter(citizen=citizen).delete()  # and the orders with them
            Payment.objects.filter(pk__in=payments).delete()
            user = citizen.user
            citizen.delete()
            user.delete()


def mark_paid(django_db_blocker, order: CadastralOrder) -> None:
    """The payment as booked (the provider's part is tested elsewhere); the task is sent by
    the test to the worker's own queue."""
    with django_db_blocker.unblock(), schema_context("kreis"):
        Payment.objects.filter(pk=order.payment_id).update(status="paid", paid_at=timezone.now())
        Application.objects.filter(pk=order.application_id).update(status="paid")


def wait_for(condition, timeout: float = 90.0, interval: float = 0.01) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if condition():
            return time.perf_counter() - started
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def test_worker_killed_mid_fulfilment_completes_exactly_once_after_restart(
    django_db_setup, django_db_blocker, tmp_path
):
    marker = Path(tmp_path) / "started"
    queue = new_queue()
    with django_db_blocker.unblock():
        database_url = database_url_for_subprocess()
    with committed_paid_orders(django_db_blocker, 1) as (citizen, [order]):
        mark_paid(django_db_blocker, order)
        doomed = start_worker(
            queue,
            database_url,
            app="tests.support.slow_fulfilment_app",
            env={"FULFILMENT_STARTED_MARKER": str(marker)},
        )
        try:
            with django_db_blocker.unblock(), schema_context("kreis"):
                run_application_pipeline.apply_async(args=[str(order.pk)], queue=queue)
            wait_for(marker.exists)
            doomed.send_signal(signal.SIGKILL)  # no warm shutdown, nothing acknowledged
            doomed.wait(timeout=20)
        finally:
            if doomed.poll() is None:
                doomed.kill()

        def delivered() -> int:
            with django_db_blocker.unblock(), schema_context("kreis"):
                return PostboxMessage.objects.filter(citizen=citizen).count()

        assert delivered() == 0
        with django_db_blocker.unblock(), schema_context("kreis"):
            assert CadastralOrder.objects.get(pk=order.pk).status == "paid"

        restarted = start_worker(queue, database_url)
        try:
            wait_for(lambda: delivered() == 1)
            # the same job delivered again (a broker with late acks redelivers): no second PDF
            with django_db_blocker.unblock(), schema_context("kreis"):
                again = run_application_pipeline.apply_async(args=[str(order.pk)], queue=queue)
            assert again.get(timeout=60) == "completed"
        finally:
            stop_worker(restarted)
        with django_db_blocker.unblock(), schema_context("kreis"):
            order.refresh_from_db()
            assert order.status == "completed" and order.document
            assert PostboxMessage.objects.filter(citizen=citizen).count() == 1
