"""Reads on payments."""

from __future__ import annotations

from payments.models import Payment


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
