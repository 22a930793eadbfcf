"""Tasks are never lost when the broker is down: a small outbox in the public schema.

`dispatch(task, *args, **kwargs)` queues a task after the current transaction commits, in the
schema that is current *now* (tenant-schemas-celery header). If the broker cannot be reached,
the write the citizen or editor made still stands: the task goes into `OutboxTask` (with its
schema name) and a warning is logged. `relay()` sends stored tasks once the broker answers; it
runs when a worker starts (`worker_ready`) and periodically from beat (`kreisportal.relay_outbox`).

A row is deleted in the same transaction in which its task was sent, and rows are taken with
`FOR UPDATE SKIP LOCKED`, so two relays never send the same task.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction

logger = logging.getLogger(__name__)

# What a publish raises when the broker is unreachable: kombu wraps connection errors in its
# OperationalError; transports may let OSError (refused, timed out, DNS) through.
try:
    from kombu.exceptions import OperationalError as _KombuOperationalError
except ImportError:  # pragma: no cover - kombu comes with celery
    _KombuOperationalError = OSError
BROKER_ERRORS: tuple[type[BaseException], ...] = (_KombuOperationalError, OSError)


def dispatch(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send `task` with these (JSON) arguments after commit; outbox if the broker is down."""
    schema = connection.schema_name
    transaction.on_commit(lambda: send_or_store(task.name, schema, list(args), kwargs))


def send_or_store(task_name: str, schema: str, args: list, kwargs: dict) -> bool:
    """Send now; on a broker error store the task in the outbox. True when sent."""
    try:
        _send(task_name, schema, args, kwargs)
        return True
    except BROKER_ERRORS as exc:
        _store(task_name, schema, args, kwargs, exc)
        return False


def _send(task_name: str, schema: str, args: list, kwargs: dict) -> None:
    from kreisportal.celery import app

    # No publish retries: a broker that is down must not hold up the citizen's request.
    options = {"headers": {"_schema_name": schema}, "retry": False}
    task = app.tasks.get(task_name)
    if task is not None:  # registered here: apply_async (honours task_always_eager)
        task.apply_async(args=args, kwargs=kwargs, **options)
    else:
        app.send_task(task_name, args=args, kwargs=kwargs, **options)


def _store(task_name: str, schema: str, args: list, kwargs: dict, exc: BaseException) -> None:
    from django_tenants.utils import schema_context

    from kreisportal.models import OutboxTask

    error = f"{exc.__class__.__name__}: {exc}"[:300]
    with schema_context("public"):
        OutboxTask.objects.create(
            schema_name=schema, task_name=task_name, args=args, kwargs=kwargs, last_error=error
        )
    logger.warning(
        "broker unreachable (%s): task %s for schema %s kept in the outbox",
        error,
        task_name,
        schema,
    )


def relay(*, schema_name: str | None = None, batch: int = 500) -> int:
    """Send stored tasks (all, or one schema's) until the outbox is empty or the broker fails.

    Returns the number sent.
    """
    from django_tenants.utils import schema_context

    from kreisportal.models import OutboxTask

    sent = 0
    with schema_context("public"):
        while True:
            with transaction.atomic():
                rows = OutboxTask.objects.select_for_update(skip_locked=True).order_by("id")
                if schema_name is not None:
                    rows = rows.filter(schema_name=schema_name)
                rows = list(rows[:batch])
                if not rows:
                    return sent
                for row in rows:
                    try:
                        _send(row.task_name, row.schema_name, row.args, row.kwargs)
                    except BROKER_ERRORS as exc:
                        OutboxTask.objects.filter(pk=row.pk).update(
                            attempts=row.attempts + 1,
                            last_error=f"{exc.__class__.__name__}: {exc}"[:300],
                        )
                        logger.warning("outbox relay: broker still unreachable (%s)", exc)
                        return sent
                    row.delete()
                    sent += 1
            if sent:
                logger.info("outbox relay: %d task(s) sent", sent)
