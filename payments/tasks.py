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
