"""Registry of automated pipelines: the next automated service is one more class.

Two kinds of work reach a pipeline: orders of a dedicated product (the Liegenschaftsauskunft,
started when their payment is booked) and online applications whose editor chose automated
handling instead of a clerk (`handles_applications`; the application's state machine starts them).
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


class ApplicationPipeline(Pipeline):
    """An application handled without a clerk: `produce` returns the document it is completed
    with; the task around it makes the run idempotent."""

    handles_applications = True

    def start(self, order) -> None:
        from kreisportal.tasks import dispatch
        from services.applications.tasks import run_application_pipeline

        dispatch(run_application_pipeline, str(order.public_id))

    def produce(self, application) -> tuple[str, bytes, str]:
        """(file name, PDF, message to the citizen)."""
        raise NotImplementedError


@pipelines.register("bestaetigung")
class ConfirmationPipeline(ApplicationPipeline):
    """A written confirmation of what was notified (e.g. a dog registered for the dog tax):
    the data are checked by the form, the confirmation is issued at once."""

    label = "schriftliche Bestätigung"

    def produce(self, application) -> tuple[str, bytes, str]:
        from services.applications.documents import render_confirmation

        pdf = render_confirmation(application)
        return (
            f"bestaetigung-{application.reference}.pdf",
            pdf,
            f"Ihr Antrag „{application.form.title}“ ({application.reference}) ist bestätigt. "
            "Die Bestätigung liegt dieser Nachricht bei.",
        )
