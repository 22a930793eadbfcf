"""Tasks are never lost: a transactional outbox in the public schema.

`dispatch(task, *args, **kwargs)` queues a task in the schema that is current *now*
(tenant-schemas-celery header). Inside a transaction it writes an `OutboxTask` row in that same
transaction, so the task exists exactly when the write that asked for it has committed; after
the commit it is sent at once and its row deleted. If the broker cannot be reached, the write the
citizen or editor made still stands and the row stays (with the error, and a warning logged);
if the process dies between commit and send, the row stays too. `relay()` sends stored tasks; it
runs when a worker starts (`worker_ready`) and periodically from beat (`kreisportal.relay_outbox`).
It leaves rows younger than `RELAY_GRACE` alone unless their send already failed: those are being
sent by the process that committed them.

The relay deletes a row in the same transaction in which its task was sent, and takes rows with
`FOR UPDATE SKIP LOCKED`, so two relays never send the same task. A task may still be sent twice
in rare cases (a process dying after sending but before deleting, or a send slower than the grace
period): tasks are idempotent, as they must be anyway for broker redelivery.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

# What a publish raises when the broker is unreachable: kombu wraps connection errors in its
# OperationalError; transports may let OSError (refused, timed out, DNS) through.
try:
    from kombu.exceptions import OperationalError as _KombuOperationalError
except ImportError:  # pragma: no cover - kombu comes with celery
    _KombuOperationalError = OSError
BROKER_ERRORS: tuple[type[BaseException], ...] = (_KombuOperationalError, OSError)


RELAY_GRACE = timedelta(seconds=60)


def dispatch(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` (a Celery task or its registered name) with these (JSON) arguments: recorded
    with the current transaction, sent after it commits; kept in the outbox if the broker is
    down. A name lets an action queue its app's task without importing the tasks module (which
    imports the actions)."""
    name = task if isinstance(task, str) else task.name
    schema = connection.schema_name
    args_list = list(args)
    if not connection.in_atomic_block:  # autocommit: no write to be atomic with
        send_or_store(name, schema, args_list, kwargs)
        return
    entry_id = record(name, schema, args_list, kwargs)
    transaction.on_commit(lambda: send_recorded(entry_id, name, schema, args_list, kwargs))


def record(task_name: str, schema: str, args: list, kwargs: dict) -> int:
    """Write the task into the outbox within the current transaction; returns its row id.

    The arguments may be a safe superset of what `send_recorded` will send after commit (e.g.
    "all services" while the exact ids are still being collected): they are what runs if this
    process dies before sending.
    """
    from kreisportal.models import OutboxTask

    # The table exists only in public, which every tenant's search path includes: no switch of
    # schema (each would cost a `SET search_path` round trip in the request).
    return OutboxTask.objects.create(
        schema_name=schema, task_name=task_name, args=args, kwargs=kwargs
    ).pk


def send_recorded(entry_id: int, task_name: str, schema: str, args: list, kwargs: dict) -> None:
    """After commit: send the task recorded as `entry_id` (with these, final, arguments) and
    delete its row; if the broker is unreachable the row stays, with these arguments."""
    from kreisportal.models import OutboxTask

    try:
        _send(task_name, schema, args, kwargs)
    except BROKER_ERRORS as exc:
        error = _describe(exc)
        OutboxTask.objects.filter(pk=entry_id).update(args=args, kwargs=kwargs, last_error=error)
        _warn_kept(error, task_name, schema)
        return
    OutboxTask.objects.filter(pk=entry_id).delete()


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
    from kreisportal.models import OutboxTask

    error = _describe(exc)
    # public is on every search path (see `record`)
    OutboxTask.objects.create(
        schema_name=schema, task_name=task_name, args=args, kwargs=kwargs, last_error=error
    )
    _warn_kept(error, task_name, schema)


def _describe(exc: BaseException) -> str:
    """The broker error as stored in `OutboxTask.last_error` (bounded by the column)."""
    return f"{exc.__class__.__name__}: {exc}"[:300]


def _warn_kept(error: str, task_name: str, schema: str) -> None:
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
                rows = (
                    OutboxTask.objects.select_for_update(skip_locked=True)
                    .filter(Q(created__lt=timezone.now() - RELAY_GRACE) | ~Q(last_error=""))
                    .order_by("id")
                )
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
                            last_error=_describe(exc),
                        )
                        logger.warning("outbox relay: broker still unreachable (%s)", exc)
                        return sent
                    row.delete()
                    sent += 1
            if sent:
                logger.info("outbox relay: %d task(s) sent", sent)
