"""Writes on payments: one transaction each, idempotent bookings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from payments.models import ManualRefund, Payment, PaymentEvent
from payments.owners import tell_owner_paid
from payments.providers import ManualRefundRequired, registry

logger = logging.getLogger(__name__)
# states a provider's confirmed "paid" still overrides (see do_book_payment_event)
LATE_PAYABLE = {Payment.Status.FAILED, Payment.Status.CANCELLED}


class PaymentError(Exception):
    pass


def _announce_paid(payment: Payment, on_paid: Callable[[Payment], None] | None) -> None:
    if on_paid is not None:
        on_paid(payment)
    tell_owner_paid(payment)


@transaction.atomic
def do_create_payment(
    *,
    provider: str,
    amount_cents: int,
    purpose: str,
    payer=None,
    pays_for: str = "",
    booking_data: dict[str, str] | None = None,
) -> Payment:
    """A pending payment; `pays_for` names the owner kind told when it is paid
    (payments.owners), `booking_data` where the cash office books it (e.g. the local service's
    `booking_data`: cost centre, account)."""

    if provider not in registry:
        raise PaymentError(f"unknown payment provider {provider!r}")
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise PaymentError("the amount must be a positive number of cents")
    return Payment.objects.create(
        provider=provider,
        amount_cents=amount_cents,
        purpose=purpose,
        payer=payer,
        pays_for=pays_for,
        booking_data={str(k)[:40]: str(v)[:250] for k, v in (booking_data or {}).items() if v},
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

    A "paid" is booked even on a payment that is failed or cancelled here: the provider took the
    money (a capture that completed after all, a checkout finished in another tab after the
    citizen withdrew or started a new attempt), so it must not be lost. The owner's handler
    (payments.owners) decides what that payment now pays for, or refunds it.
    """
    if outcome not in {"paid", "failed", "cancelled"}:
        raise PaymentError(f"unknown outcome {outcome!r}")
    try:
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            PaymentEvent.objects.create(
                payment=payment, event_id=event_id, kind=outcome, payload=payload or {}
            )
            late_paid = outcome == "paid" and payment.status in LATE_PAYABLE
            if payment.status != Payment.Status.PENDING and not late_paid:
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


@transaction.atomic
def do_next_attempt(*, payment_id, provider: str) -> tuple[Payment, bool]:
    """The payment to hand to `provider` now for the purpose `payment_id` pays for.
    Returns (payment, is_new).

    The same payment while it is pending, of that provider and never handed to a provider yet
    (no provider reference: the sandbox, or a start that failed); otherwise — failed, cancelled,
    or started already (an open PayPal order or Stripe session must never be overwritten, it may
    still be paid) — a new payment that `replaces` it, with the same amount, purpose and payer.
    The earlier row stays as a record, with a "replaced" event naming its successor. A paid or
    refunded payment is not replaced (PaymentError). The caller holds the owner's row lock and
    links the new payment in the same transaction.
    """
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.status in {Payment.Status.PAID, Payment.Status.REFUNDED}:
        raise PaymentError(f"payment {payment.pk} is {payment.status}, nothing to pay again")
    if (
        payment.status == Payment.Status.PENDING
        and payment.provider == provider
        and not payment.provider_reference
    ):
        return payment, False
    if Payment.objects.filter(replaces=payment).exists():
        raise PaymentError(f"payment {payment.pk} has been replaced already")
    replacement = do_create_payment(
        provider=provider,
        amount_cents=payment.amount_cents,
        purpose=payment.purpose,
        payer=payment.payer,
        pays_for=payment.pays_for,
        booking_data=payment.booking_data,
    )
    replacement.replaces = payment
    replacement.save(update_fields=["replaces"])
    PaymentEvent.objects.create(
        payment=payment,
        event_id=f"replaced:{payment.pk}",
        kind="replaced",
        payload={"by": str(replacement.pk), "status": payment.status},
    )
    logger.info("payment %s (%s) replaced by %s", payment.pk, payment.status, replacement.pk)
    return replacement, True


def do_refund_payment(*, payment_id, reason: str = "") -> tuple[Payment, bool]:
    """Refund a paid payment in full, once. Returns (payment, refunded_now).

    The provider is called while the row is locked, with an idempotency key of its own, so a
    retry after a crash refunds nothing twice. A provider error leaves the payment paid and is
    raised (ProviderError); the caller retries later. A platform that cannot refund
    (ManualRefundRequired) gets a manual refund for staff, once; the payment stays paid until
    staff mark it done (do_complete_manual_refund).
    """

    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Payment.Status.PAID:
            return payment, False
        try:
            reference = registry[payment.provider].refund(payment)
        except ManualRefundRequired:
            _, created = ManualRefund.objects.get_or_create(
                payment=payment, defaults={"reason": reason[:200]}
            )
            if created:
                PaymentEvent.objects.create(
                    payment=payment,
                    event_id=f"manual-refund:{payment.pk}",
                    kind="manual_refund",
                    payload={"reason": reason[:200]},
                )
                logger.warning("payment %s needs a manual refund", payment.pk)
            return payment, False
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


def do_start_payment(*, payment: Payment, request, return_path: str):
    """Hand a pending payment to its provider; returns where to send the citizen (Redirect).
    The provider's reference (PayPal order, Stripe session) is stored here, never by the
    provider. ProviderError when the platform refuses or cannot be reached."""

    redirect = registry[payment.provider].start(payment, request, return_path=return_path)
    if redirect.reference:
        Payment.objects.filter(pk=payment.pk).update(provider_reference=redirect.reference)
        payment.provider_reference = redirect.reference
    return redirect


def do_book_webhook_events(*, provider: str, events) -> int:
    """Book the verified events of a provider's webhook (payments.providers.WebhookEvent);
    events naming no payment of that provider are ignored. Returns how many booked now."""
    booked = 0
    for event in events:
        payment = Payment.objects.filter(
            provider=provider, provider_reference=event.reference
        ).first()
        if payment is None:
            logger.info("%s webhook %s names no payment here", provider, event.event_id)
            continue
        _, now = do_book_payment_event(
            payment_id=payment.pk,
            event_id=event.event_id,
            outcome=event.outcome,
            method=event.method,
            payload={"event": event.kind} if event.kind else None,
        )
        booked += int(now)
    return booked


@transaction.atomic
def do_complete_manual_refund(*, refund_id: int, actor: str) -> tuple[ManualRefund, bool]:
    """Staff confirm that the cash office paid a manual refund back: the payment is refunded.
    Returns (refund, done_now); a second confirmation changes nothing."""
    refund = ManualRefund.objects.select_for_update().get(pk=refund_id)
    if refund.done_at is not None:
        return refund, False
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    refund.done_at = timezone.now()
    refund.done_by = actor[:150]
    refund.save(update_fields=["done_at", "done_by"])
    PaymentEvent.objects.create(
        payment=payment,
        event_id=f"refund:{payment.pk}",
        kind="refunded",
        payload={"reference": f"manual:{refund.pk}", "by": actor[:150]},
    )
    if payment.status == Payment.Status.PAID:
        payment.status = Payment.Status.REFUNDED
        payment.save(update_fields=["status"])
    logger.info("payment %s refunded by hand", payment.pk)
    return refund, True


def do_reconcile_pending(*, min_age_seconds: int = 600) -> int:
    """Settle pending payments whose webhook never came, by asking their provider; returns how
    many were booked now. A provider that cannot answer is asked again on the next run."""
    settled = 0
    stale = Payment.objects.filter(
        status=Payment.Status.PENDING,
        created__lte=timezone.now() - timedelta(seconds=min_age_seconds),
    ).exclude(provider_reference="")
    for payment in stale:
        try:
            outcome = registry[payment.provider].fetch_outcome(payment)
        except Exception:  # noqa: BLE001 - any failure of one provider: try again next run
            logger.warning("payment %s: outcome not available now", payment.pk, exc_info=True)
            continue
        if outcome:
            _, booked = do_book_payment_event(
                payment_id=payment.pk, event_id=f"reconcile:{payment.pk}:{outcome}", outcome=outcome
            )
            settled += int(booked)
    return settled
