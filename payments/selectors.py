"""Reads on payments."""

from __future__ import annotations

from django.conf import settings

from payments.models import ManualRefund, Payment, PaymentSettings


def attempt_ids(payment: Payment) -> list:
    """The ids of every attempt for the same purpose as `payment` (the chain of `replaces`,
    oldest first, `payment` included). An owner links one of them; a late "paid" on any of them
    finds its owner through this list."""
    ids = [payment.pk]
    earlier = payment.replaces_id
    while earlier is not None and earlier not in ids:
        ids.insert(0, earlier)
        earlier = Payment.objects.filter(pk=earlier).values_list("replaces_id", flat=True).first()
    later = Payment.objects.filter(replaces_id=payment.pk).values_list("pk", flat=True).first()
    while later is not None and later not in ids:
        ids.append(later)
        later = Payment.objects.filter(replaces_id=later).values_list("pk", flat=True).first()
    return ids


def superseded_paid():
    """Paid payments that belong to a chain of attempts: candidates for an owner's
    reconciliation (a late "paid" whose handler never ran becomes the owner's payment or is
    refunded)."""
    from django.db.models import Q

    return Payment.objects.filter(status=Payment.Status.PAID).filter(
        Q(replaces__isnull=False) | Q(replaced_by__isnull=False)
    )


def payment_settings() -> PaymentSettings:
    """This tenant's payment settings (unsaved defaults when its editors never saved any)."""
    return PaymentSettings.objects.first() or PaymentSettings()


def tenant_provider() -> str:
    """The payment provider this tenant chose, else the platform's (PAYMENT_PROVIDER). What an
    owner passes to do_create_payment / do_next_attempt."""
    return payment_settings().provider or settings.PAYMENT_PROVIDER


def open_manual_refunds():
    """Refunds the cash office still has to pay back by hand, oldest first."""
    return (
        ManualRefund.objects.filter(done_at__isnull=True)
        .select_related("payment")
        .order_by("created")
    )
