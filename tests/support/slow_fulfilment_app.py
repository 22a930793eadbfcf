"""Celery app for the kill test: the real app, with PDF rendering held up after it announces
that a fulfilment has started (so the test can kill the worker in the middle of it)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery.signals import worker_ready

from kreisportal.celery import app

__all__ = ["app"]


@worker_ready.connect
def _hold_up_rendering(**kwargs) -> None:
    from services.fulfillment import handler

    original = handler.render_extract

    def slow_render(order, **options):
        Path(os.environ["FULFILMENT_STARTED_MARKER"]).write_text(str(order.pk))
        time.sleep(120)
        return original(order, **options)

    handler.render_extract = slow_render
