"""Registry of automated pipelines: the next automated service is one more class."""

from __future__ import annotations

from payments.models import Payment
from payments.registry import Registry


class Pipeline:
    label = ""

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier

    def order_for_payment(self, payment: Payment):
        raise NotImplementedError

    def start(self, order) -> None:
        raise NotImplementedError


pipelines: Registry[Pipeline] = Registry()


@pipelines.register("liegenschaftsauskunft")
class CadastralExtractPipeline(Pipeline):
    label = "Liegenschaftsauskunft"

    def order_for_payment(self, payment: Payment):
        from services.fulfillment.models import CadastralOrder

        return CadastralOrder.objects.filter(payment=payment).first()

    def start(self, order) -> None:
        from kreisportal.tasks import dispatch
        from services.fulfillment.tasks import fulfil_cadastral_order

        dispatch(fulfil_cadastral_order, str(order.pk))
