from kreisportal.celery import app


@app.task(name="payments.reconcile")
def reconcile_pending_payments(min_age_seconds: int = 600) -> int:
    """Settle pending payments whose webhook never came, by asking their provider."""
    from datetime import timedelta

    from django.utils import timezone

    from payments.actions import do_book_payment_event
    from payments.models import Payment
    from payments.providers import ProviderError, registry

    settled = 0
    stale = Payment.objects.filter(
        status=Payment.Status.PENDING,
        created__lte=timezone.now() - timedelta(seconds=min_age_seconds),
    ).exclude(provider_reference="")
    for payment in stale:
        try:
            outcome = registry[payment.provider].fetch_outcome(payment)
        except (ProviderError, KeyError, Exception):  # noqa: BLE001 - try again next run
            continue
        if outcome:
            _, booked = do_book_payment_event(
                payment_id=payment.pk, event_id=f"reconcile:{payment.pk}:{outcome}", outcome=outcome
            )
            settled += int(booked)
    return settled


@app.task(name="payments.refund")
def refund_payment(payment_id: str, reason: str = "") -> bool:
    """Give one payment back in full (a double payment, a fee for a withdrawn application).
    Idempotent; a provider error leaves it paid and the owner's reconciliation tries again."""
    import logging

    from payments.actions import do_refund_payment
    from payments.providers import ProviderError

    try:
        _, refunded = do_refund_payment(payment_id=payment_id, reason=reason)
    except ProviderError as exc:
        logging.getLogger(__name__).warning(
            "refund of payment %s failed, will retry: %s", payment_id, exc
        )
        return False
    return refunded
