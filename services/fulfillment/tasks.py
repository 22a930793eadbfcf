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
