"""Celery app. Tasks are tenant-aware (tenant-schemas-celery): a task queued while the connection
is set to Erkelenz's schema runs in Erkelenz's schema on the worker."""

import os

from tenant_schemas_celery.app import CeleryApp as TenantAwareCeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kreisportal.settings")

app = TenantAwareCeleryApp("kreisportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# the request id of the request that queued a task is on the task's log records too
from kreisportal.request_id import connect_celery_signals  # noqa: E402

connect_celery_signals()
