"""A real Celery worker process runs a task in the schema of the tenant that queued it."""

from __future__ import annotations

import os

import pytest
from celery.result import AsyncResult
from django_tenants.utils import schema_context

from kreisportal.celery import app
from kreisportal.tasks import current_schema
from tests.conftest import database_url_for_subprocess
from tests.support.workers import new_queue, start_worker, stop_worker


@pytest.fixture(scope="module")
def worker_queue(django_db_setup, django_db_blocker):
    queue = new_queue()
    with django_db_blocker.unblock():
        process = start_worker(queue, database_url_for_subprocess())
    yield queue
    stop_worker(process)


@pytest.mark.parametrize("slug", ["erkelenz", "uebach-palenberg", "kreis"])
def test_task_runs_in_the_schema_of_the_tenant_that_queued_it(worker_queue, in_tenant, slug):
    with in_tenant(slug):
        result = current_schema.apply_async(queue=worker_queue)
    assert result.get(timeout=60) == slug.replace("-", "_")


def test_task_queued_on_the_public_schema_runs_in_public(worker_queue, db):
    with schema_context("public"):
        result = current_schema.apply_async(queue=worker_queue)
    assert result.get(timeout=60) == "public"


def test_task_queued_in_a_tenants_request_runs_in_that_tenants_schema(
    worker_queue, client, db, settings
):
    settings.ROOT_URLCONF = "tests.support.urls_tasks"
    settings.TEST_TASK_QUEUE = worker_queue
    response = client.get("/queue-schema-probe", HTTP_HOST=f"hueckelhoven.{settings.BASE_DOMAIN}")
    assert response.status_code == 200
    assert AsyncResult(response.content.decode()).get(timeout=60) == "hueckelhoven"


def test_broker_needs_no_server_unless_one_is_configured():
    configured = os.environ.get("CELERY_BROKER_URL")
    assert app.conf.broker_url == (configured or "filesystem://")


def test_beat_sends_periodic_tasks_to_portal_schemas_only(db):
    from django.conf import settings

    from kreisportal.beat import PortalScheduler

    schemas = set(PortalScheduler.get_queryset().values_list("schema_name", flat=True))
    assert "erkelenz" in schemas and "kreis" in schemas
    assert "public" not in schemas and settings.TENANT_BASE_SCHEMA not in schemas
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == {
        "payments.reconcile",
        "applications.reconcile",
        "fitconnect.poll",  # event logs of FIT-Connect deliveries, ZBP fan-out
        "appointments.expire_holds",
        "appointments.send_reminders",
        "kreisportal.relay_outbox",
        "identity.purge_broker_records",  # the one entry for the public schema
    }
    app.loader.import_default_modules()  # what a worker does at start: autodiscovered tasks
    assert tasks <= set(app.tasks.keys())
