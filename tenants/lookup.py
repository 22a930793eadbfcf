"""Host → tenant, kept in each process so that a request of a known host costs no query.

Every write on tenants or domains (the actions in `tenants/actions.py`, and any save or delete
of a Tenant or Domain row) changes a stamp in the shared cache (file cache or Redis, the one
all processes of the deployment use). Each process compares its stamp with the shared one at
most every TENANT_LOOKUP_CHECK_SECONDS (0.5 s) and forgets everything it knows when they
differ: a suspension, a resumed tenant or a new or removed domain reaches every worker within
a second. The stamp is written when the write commits (and once more right away, for the
process that writes); an entry also expires after TENANT_LOOKUP_MAX_AGE seconds, for changes
made by hand in SQL.

Unknown hosts are not kept (a scan of random host names must not fill memory).
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Model

STAMP_KEY = "kreisportal:tenant-lookup-stamp"

_entries: dict[str, tuple[float, Any]] = {}
_state = {"stamp": None, "checked": 0.0}
_lock = threading.Lock()


def _shared():
    return caches[settings.TENANT_LOOKUP_CACHE]


def _check_interval() -> float:
    return getattr(settings, "TENANT_LOOKUP_CHECK_SECONDS", 0.5)


def _max_age() -> float:
    return getattr(settings, "TENANT_LOOKUP_MAX_AGE", 30.0)


def _sync(now: float) -> None:
    """Forget everything when another process (or this one) changed tenants or domains."""
    if now - _state["checked"] < _check_interval():
        return
    shared = _shared()
    stamp = shared.get(STAMP_KEY)
    if stamp is None:  # cleared or evicted: nobody can say what changed
        shared.add(STAMP_KEY, uuid.uuid4().hex, timeout=None)
        stamp = shared.get(STAMP_KEY)
    with _lock:
        if stamp != _state["stamp"]:
            _entries.clear()
            _state["stamp"] = stamp
        _state["checked"] = now


def _copy(kept: Any) -> Any:
    """`copy.copy(kept)`; a model instance (a tenant, per request) gets what `copy.copy` would
    make of it (its own __dict__ and model state) without the detour through pickling's reduce
    protocol and the app registry."""
    if not isinstance(kept, Model):
        return copy.copy(kept)
    state = kept.__getstate__()
    if "_memoryview_attrs" in state:  # binary fields: Model.__setstate__ restores them
        return copy.copy(kept)
    clone = kept.__class__.__new__(kept.__class__)
    clone.__dict__.update(state)
    return clone


def cached_tenant(hostname: str, load):
    """The tenant of `hostname` (a copy per request: views may set attributes on it); `load()`
    asks the database and raises DoesNotExist for an unknown host."""
    now = time.monotonic()
    _sync(now)
    entry = _entries.get(hostname)
    if entry is not None and now - entry[0] < _max_age():
        return _copy(entry[1])
    stamp = _state["stamp"]
    tenant = load()
    with _lock:
        if _state["stamp"] == stamp:  # not forgotten while it was loading
            _entries[hostname] = (now, tenant)
    return _copy(tenant)


def current_stamp() -> str:
    """The tenants-and-domains stamp this process last saw (it changes, within a second in every
    process, with every tenant or domain write): part of cache keys of what shows tenant data."""
    return _state["stamp"] or ""


def forget_tenants() -> None:
    """This process forgets every host now (tests, and the process that made a change)."""
    with _lock:
        _entries.clear()
        _state["checked"] = 0.0


def tenants_changed() -> None:
    """Tell every process to forget what it knows: now (this process, and for the rare reader
    in another one) and once more when the change commits (so that no process keeps what it
    read between the first stamp and the commit)."""

    def publish() -> None:
        _shared().set(STAMP_KEY, uuid.uuid4().hex, timeout=None)
        forget_tenants()

    publish()
    transaction.on_commit(publish)


def _on_write(sender, **kwargs) -> None:
    tenants_changed()


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from tenants.models import Domain, Tenant

    for model in (Tenant, Domain):
        post_save.connect(_on_write, sender=model, dispatch_uid=f"tenant-lookup-{model.__name__}")
        post_delete.connect(
            _on_write, sender=model, dispatch_uid=f"tenant-lookup-del-{model.__name__}"
        )
