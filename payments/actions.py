"""Writes on payments: one transaction each, idempotent bookings."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.models import Payment, PaymentEvent

logger = logging.getLogger(__name__)


class PaymentError(Exception):
    pass


def _announce_paid(payment: Payment, on_paid: Callable[[Payment], None] | None) -> None:
    from payments.signals import payment_paid

    if on_paid is not None:
        on_paid(payment)
    payment_paid.send(sender=Payment, payment=payment)


@transaction.atomic
def do_create_payment(*, provider: str, amount_cents: int, purpose: str, payer=None) -> Payment:
    from payments.providers import registry

    if provider not in registry:
        raise PaymentError(f"unknown payment provider {provider!r}")
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise PaymentError("the amount must be a positive number of cents")
    return Payment.objects.create(
        provider=provider, amount_cents=amount_cents, purpose=purpose, payer=payer
    )


def do_book_payment_event(
    *,
    payment_id,
    event_id: str,
    outcome: str,
    method: str = "",
    payload: dict | None = None,
    on_paid: Callable[[Payment], None] | None = None,
) -> tuple[Payment, bool]:
    """Book a provider's event exactly once. Returns (payment, booked_now).

    A replayed event (same id), a double click or a late duplicate books nothing twice; a paid
    payment never goes back to failed. `on_paid` runs after commit, once.
    """
    if outcome not in {"paid", "failed", "cancelled"}:
        raise PaymentError(f"unknown outcome {outcome!r}")
    try:
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            PaymentEvent.objects.create(
                payment=payment, event_id=event_id, kind=outcome, payload=payload or {}
            )
            if payment.status != Payment.Status.PENDING:
                return payment, False
            payment.status = outcome
            payment.method = method[:20]
            if outcome == "paid":
                payment.paid_at = timezone.now()
            payment.save(update_fields=["status", "method", "paid_at"])
            if outcome == "paid":
                transaction.on_commit(lambda: _announce_paid(payment, on_paid))
            logger.info("payment %s %s via %s", payment.pk, outcome, payment.provider)
            return payment, True
    except IntegrityError:
        return Payment.objects.get(pk=payment_id), False


def do_refund_payment(*, payment_id, reason: str = "") -> tuple[Payment, bool]:
    """Refund a paid payment in full, once. Returns (payment, refunded_now).

    The provider is called while the row is locked, with an idempotency key of its own, so a
    retry after a crash refunds nothing twice. A provider error leaves the payment paid and is
    raised (ProviderError); the caller retries later.
    """
    from payments.providers import registry

    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Payment.Status.PAID:
            return payment, False
        reference = registry[payment.provider].refund(payment)
        PaymentEvent.objects.create(
            payment=payment,
            event_id=f"refund:{payment.pk}",
            kind="refunded",
            payload={"reference": reference, "reason": reason[:200]},
        )
        payment.status = Payment.Status.REFUNDED
        payment.save(update_fields=["status"])
        logger.info("payment %s refunded via %s", payment.pk, payment.provider)
        return payment, True
