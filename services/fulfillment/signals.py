from django.dispatch import receiver

from payments.signals import payment_paid
from services.fulfillment.pipelines import pipelines


@receiver(payment_paid)
def _start_pipeline(sender, payment, **kwargs) -> None:
    """A paid payment starts the pipeline of the order it belongs to (queued as a task)."""
    for pipeline in pipelines:
        order = pipeline.order_for_payment(payment)
        if order is not None:
            pipeline.start(order)
            return
