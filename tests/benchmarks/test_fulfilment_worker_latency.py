"""Liegenschaftsauskunft with a real worker process: payment booked → PDF in the postbox."""

from __future__ import annotations

import statistics

import pytest
from django_tenants.utils import schema_context

from services.applications.tasks import run_application_pipeline
from services.postbox.models import PostboxMessage
from tests.cases.test_fulfilment_worker import committed_paid_orders, mark_paid, wait_for
from tests.conftest import database_url_for_subprocess
from tests.support.workers import new_queue, start_worker, stop_worker

pytestmark = pytest.mark.benchmark
ORDERS = 12


def test_paid_to_postbox_with_a_real_worker(django_db_setup, django_db_blocker, benchmark_report):
    queue = new_queue()
    with django_db_blocker.unblock():
        worker = start_worker(queue, database_url_for_subprocess())
    try:
        with committed_paid_orders(django_db_blocker, ORDERS + 1) as (citizen, orders):
            warm_up, *measured = orders

            def delivered() -> int:
                with django_db_blocker.unblock(), schema_context("kreis"):
                    return PostboxMessage.objects.filter(citizen=citizen).count()

            samples = []
            for done, order in enumerate([warm_up, *measured], start=1):
                mark_paid(django_db_blocker, order)
                with django_db_blocker.unblock(), schema_context("kreis"):
                    run_application_pipeline.apply_async(args=[str(order.pk)], queue=queue)
                samples.append(wait_for(lambda done=done: delivered() == done) * 1000)
            samples = sorted(samples[1:])
    finally:
        stop_worker(worker)
    p50 = statistics.median(samples)
    p95 = samples[max(0, int(round(0.95 * len(samples))) - 1)]
    benchmark_report(
        f"Liegenschaftsauskunft paid → PDF in postbox, real worker (filesystem broker, "
        f"{len(samples)} orders): p50 {p50:.0f} ms | p95 {p95:.0f} ms (target ≤ 2 s)"
    )
