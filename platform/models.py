"""Platform tables (public schema)."""

from __future__ import annotations

from django.db import models


class OutboxTask(models.Model):
    """A Celery task queued by a write, kept until it has been sent (`kreisportal.outbox`).

    Written in the transaction of the write that queued it and deleted once sent; what stays is
    a task whose broker was unreachable (`last_error`) or whose process died before sending.
    Arguments are ids only (thin tasks), so no citizen data leaves the tenant's schema.
    """

    schema_name = models.CharField(max_length=63, db_index=True)
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    options = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.task_name} in {self.schema_name}"
