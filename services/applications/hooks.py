"""Hooks of applications: apps that must hear of a case's progress (the citizen's federal
postbox, services.fitconnect.zbp) connect a receiver instead of reading the audit trail."""

from __future__ import annotations

from kreisportal.hooks import Hook

# receivers(event: ApplicationEvent): sent in the transaction of every state change, with the
# audit entry that records it (queue outside work with kreisportal.outbox.dispatch)
status_changed = Hook("application_status_changed")
