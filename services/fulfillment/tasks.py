from kreisportal.celery import app


@app.task(
    name="fulfillment.cadastral_order", autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def fulfil_cadastral_order(order_id: str) -> str:
    """Generate the PDF and deliver it (tenant comes with the task)."""
    from services.fulfillment.actions import do_fulfil_cadastral_order
    from services.fulfillment.models import CadastralOrder

    order = CadastralOrder.objects.select_related("parcel__gemarkung", "citizen", "payment").get(
        pk=order_id
    )
    return do_fulfil_cadastral_order(order=order).status


@app.task(name="fulfillment.reconcile")
def reconcile_cadastral_orders(min_age_seconds: int = 60) -> int:
    """Orders whose payment is booked but whose document never came (the process died between
    payment and fulfilment, or a task was lost) are fulfilled now. Run periodically per tenant."""
    from datetime import timedelta

    from django.utils import timezone

    from payments.selectors import superseded_paid
    from services.fulfillment.actions import do_fulfil_cadastral_order, do_settle_order_payment
    from services.fulfillment.models import CadastralOrder

    # a replaced attempt that was paid but whose booking was never settled (crash, lost
    # task): it becomes its order's payment (fulfilled below) or is refunded (paid twice);
    # attempts of applications are left to their own reconciliation
    for payment in superseded_paid().filter(
        cadastralorder__isnull=True,
        paid_at__lte=timezone.now() - timedelta(seconds=min_age_seconds),
    ):
        do_settle_order_payment(payment=payment)
    stale = (
        CadastralOrder.objects.select_related("parcel__gemarkung", "citizen", "payment")
        .filter(
            payment__status="paid",
            payment__paid_at__lte=timezone.now() - timedelta(seconds=min_age_seconds),
        )
        .exclude(status=CadastralOrder.Status.COMPLETED)
    )
    done = 0
    for order in stale:
        do_fulfil_cadastral_order(order=order)
        done += 1
    return done
