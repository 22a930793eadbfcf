"""The automated pipeline of cadastral orders (Liegenschaftsauskunft): started when the order's
fee is booked. Automated handling of online applications is registered with applications
(services.applications.handlers).
"""

from __future__ import annotations

from kreisportal.registry import Registry
from payments.models import Payment


class Pipeline:
    label = ""
    handles_applications = False

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier

    def start(self, order) -> None:
        """Queue the work (a Celery task); it must be idempotent."""
        raise NotImplementedError


pipelines: Registry[Pipeline] = Registry()


@pipelines.register("liegenschaftsauskunft")
class CadastralExtractPipeline(Pipeline):
    label = "Liegenschaftsauskunft"

    def order_for_payment(self, payment: Payment):
        """The order to fulfil for this booked payment, through the chain of attempts: a late
        earlier attempt becomes the order's payment or, when the order is paid already, is
        refunded (then None)."""
        from services.fulfillment.actions import do_settle_order_payment

        return do_settle_order_payment(payment=payment)

    def start(self, order) -> None:
        from kreisportal.tasks import dispatch
        from services.fulfillment.models import CadastralOrder
        from services.fulfillment.tasks import fulfil_cadastral_order

        CadastralOrder.objects.filter(pk=order.pk, status="awaiting_payment").update(status="paid")
        dispatch(fulfil_cadastral_order, str(order.pk))


def start_pipeline_of_paid_order(payment: Payment) -> None:
    """The owner route of cadastral order fees (payments.owners): the paid order's pipeline."""
    pipeline = pipelines["liegenschaftsauskunft"]
    order = pipeline.order_for_payment(payment)
    if order is not None:
        pipeline.start(order)
