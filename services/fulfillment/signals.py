from django.dispatch import receiver

from payments.signals import payment_paid
from services.fulfillment.models import CadastralOrder
from services.fulfillment.pipelines import pipelines


@receiver(payment_paid)
def _start_pipeline(sender, payment, **kwargs) -> None:
    """A paid payment starts the pipeline of the order it belongs to (queued as a task)."""
    for pipeline in pipelines:
        order = pipeline.order_for_payment(payment)
        if order is not None:
            CadastralOrder.objects.filter(pk=order.pk, status="awaiting_payment").update(
                status="paid"
            )
            pipeline.start(order)
            return
