"""Celery tasks of payments: thin, they call actions."""

import logging

from kreisportal.celery import app
from payments.actions import do_reconcile_pending, do_refund_payment
from payments.providers import ProviderError

logger = logging.getLogger(__name__)


@app.task(name="payments.reconcile")
def reconcile_pending_payments(min_age_seconds: int = 600) -> int:
    """Settle pending payments whose webhook never came, by asking their provider."""
    return do_reconcile_pending(min_age_seconds=min_age_seconds)


@app.task(name="payments.refund")
def refund_payment(payment_id: str, reason: str = "") -> bool:
    """Give one payment back in full (a double payment, a fee for a withdrawn application).
    Idempotent; a provider error leaves it paid and the owner's reconciliation tries again."""
    try:
        _, refunded = do_refund_payment(payment_id=payment_id, reason=reason)
    except ProviderError as exc:
        logger.warning("refund of payment %s failed, will retry: %s", payment_id, exc)
        return False
    return refunded
