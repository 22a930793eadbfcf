"""What a payment pays for, and who is told when it is paid.

A payment records its owner's kind (`Payment.pays_for`, e.g. "application"); the app that owns
such payments registers one handler for that kind when it starts (`register_owner` in its
`AppConfig.ready`). Booking a "paid" calls exactly that handler after commit: one named route
from a paid payment to its owner, no signal every app receives and filters. Payments never
imports its owners (they sit above it); they register themselves here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from payments.models import Payment

logger = logging.getLogger(__name__)

PaidHandler = Callable[[Payment], None]
_owners: dict[str, PaidHandler] = {}


def register_owner(kind: str, on_paid: PaidHandler) -> None:
    """Register the handler of payments that pay for `kind`; a second one for a kind is refused."""
    if not kind:
        raise ValueError("an owner needs a kind")
    if kind in _owners and _owners[kind] is not on_paid:
        raise ValueError(f"payments for {kind!r} have an owner already")
    _owners[kind] = on_paid


def owner_kinds() -> list[str]:
    return sorted(_owners)


def tell_owner_paid(payment: Payment) -> None:
    """Called after commit, once per booked "paid"."""
    if not payment.pays_for:
        return  # a payment made without an owner (tests, manual bookings)
    handler = _owners.get(payment.pays_for)
    if handler is None:
        logger.error("payment %s pays for %r, which has no owner", payment.pk, payment.pays_for)
        return
    handler(payment)
