"""The application's state machine: every allowed transition, in one place."""

from __future__ import annotations

from services.applications.models import Status

TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.CANCELLED},
    Status.SUBMITTED: {
        Status.AWAITING_PAYMENT,
        Status.IN_PROGRESS,
        Status.REJECTED,
        Status.CANCELLED,
    },
    Status.AWAITING_PAYMENT: {Status.PAID, Status.CANCELLED},
    Status.PAID: {Status.IN_PROGRESS, Status.REJECTED},
    Status.IN_PROGRESS: {Status.COMPLETED, Status.REJECTED},
    Status.COMPLETED: set(),
    Status.REJECTED: set(),
    Status.CANCELLED: set(),
}
FINAL = {Status.COMPLETED, Status.REJECTED, Status.CANCELLED}
# states in which the clerk may act (take over, ask, decide)
OPEN_FOR_CLERK = {Status.SUBMITTED, Status.PAID, Status.IN_PROGRESS}
# states in which the citizen may withdraw: nothing has been paid or decided yet
WITHDRAWABLE = {Status.DRAFT, Status.SUBMITTED, Status.AWAITING_PAYMENT}


def may_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())
