from django.dispatch import receiver

from payments.signals import payment_paid


@receiver(payment_paid)
def _application_paid(sender, payment, **kwargs) -> None:
    """A booked payment moves its application on (and starts automated handling)."""
    from services.applications.actions import do_mark_paid

    do_mark_paid(payment=payment)
