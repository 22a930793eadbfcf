"""Every local change reaches the district-wide read model: after the transaction commits, a
tenant-aware task recomputes the affected rows (one task per transaction and tenant)."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kreisportal.outbox import record, send_or_store, send_recorded
from services.local.models import LocalService, Office

_PENDING_ATTR = "_kreisportal_pending_offer_sync"
# services.tasks.sync_offers_task, queued by name (the tasks module imports the finder, which
# imports this app's models). The services app imports the tasks module when it is ready, so the
# task is registered in every process and sending honours this process's Celery configuration
# (e.g. eager execution).
SYNC_OFFERS_TASK = "services.sync_offers"


def _task_name() -> str:
    return SYNC_OFFERS_TASK


def queue_offer_sync(service_ids: set[int] | None) -> None:
    """Collect service ids for this transaction; queue one task on commit.

    `None` means "all services of this tenant" (e.g. an office used by many services changed).
    Outside a transaction (autocommit) the change is already committed: send at once.
    """
    if not connection.in_atomic_block:
        _send({"ids": set(service_ids or ()), "all": service_ids is None,
               "schema": connection.schema_name})  # fmt: skip
        return
    pending = getattr(connection, _PENDING_ATTR, None)
    if pending is not None and not _callback_registered(pending):
        pending = None  # left over from a transaction that was rolled back
    if pending is None:
        pending = {"ids": set(), "all": False, "schema": connection.schema_name}
        # Recorded now, in this transaction, as "all services": what runs if this process dies
        # between commit and send. The exact ids replace it after commit.
        pending["entry_id"] = record(_task_name(), pending["schema"], [None], {})
        pending["callback"] = lambda: _send(pending)
        setattr(connection, _PENDING_ATTR, pending)
        transaction.on_commit(pending["callback"])
    if service_ids is None:
        pending["all"] = True
    else:
        pending["ids"] |= set(service_ids)


def _callback_registered(pending: dict) -> bool:
    return any(entry[1] is pending.get("callback") for entry in connection.run_on_commit)


def _send(pending: dict) -> None:
    """After commit: send now (the outbox row goes), or keep it if the broker is down."""
    if getattr(connection, _PENDING_ATTR, None) is pending:
        delattr(connection, _PENDING_ATTR)
    ids = None if pending["all"] else sorted(pending["ids"])
    if "entry_id" in pending:
        send_recorded(pending["entry_id"], _task_name(), pending["schema"], [ids], {})
    else:
        send_or_store(_task_name(), pending["schema"], [ids], {})


@receiver(post_save, sender=LocalService)
@receiver(post_delete, sender=LocalService)
def _local_service_changed(sender, instance: LocalService, **kwargs) -> None:
    queue_offer_sync({instance.service_id})


@receiver(post_save, sender=Office)
@receiver(post_delete, sender=Office)
def _office_changed(sender, instance: Office, **kwargs) -> None:
    queue_offer_sync(None)
