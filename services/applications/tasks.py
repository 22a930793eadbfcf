from kreisportal.celery import app


def _application(public_id: str):
    from services.applications.models import Application

    return Application.objects.select_related("form", "citizen", "payment").get(public_id=public_id)


@app.task(
    name="applications.run_pipeline", autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def run_application_pipeline(public_id: str) -> str:
    """Automated handling of one application (tenant comes with the task)."""
    from services.applications.actions import do_run_pipeline

    return do_run_pipeline(application=_application(public_id)).status


@app.task(name="applications.refund")
def refund_application_fee(public_id: str) -> bool:
    from services.applications.actions import do_refund_fee

    return do_refund_fee(application=_application(public_id))


@app.task(name="applications.reconcile")
def reconcile_applications(min_age_seconds: int = 60) -> dict:
    """Settle what a lost task or a crash left behind, per tenant: paid applications still
    awaiting payment (also through an earlier, replaced attempt that was paid late), payments
    kept by mistake (paid twice, or after withdrawal: refunded), automated applications never
    completed, fees of rejected applications not yet refunded. Every step is idempotent."""
    from datetime import timedelta

    from django.utils import timezone

    from payments.selectors import superseded_paid
    from services.applications.actions import do_mark_paid, do_refund_fee, do_run_pipeline
    from services.applications.models import CLERK, Application, Status

    cutoff = timezone.now() - timedelta(seconds=min_age_seconds)
    counts = {"paid": 0, "automated": 0, "refunded": 0}
    base = Application.objects.select_related("form", "citizen", "payment").filter(
        updated__lte=cutoff
    )
    for application in base.filter(status=Status.AWAITING_PAYMENT, payment__status="paid"):
        do_mark_paid(payment=application.payment)
        counts["paid"] += 1
    # a replaced attempt that was paid but is linked to nothing: do_mark_paid finds its
    # application through the chain and links it (fee still open) or refunds it (paid twice);
    # attempts of other owners (cadastral orders) are left to their own reconciliation
    for payment in superseded_paid().filter(application__isnull=True, paid_at__lte=cutoff):
        if do_mark_paid(payment=payment) is not None:
            counts["paid"] += 1
    # the fee of a withdrawn application, booked after the withdrawal: refunded
    for application in base.filter(status=Status.CANCELLED, payment__status="paid"):
        do_mark_paid(payment=application.payment)
        counts["refunded"] += 1
    stranded = base.filter(status__in=[Status.SUBMITTED, Status.PAID, Status.IN_PROGRESS]).exclude(
        form__handling=CLERK
    )
    for application in stranded:
        if application.payment_id and application.payment.status != "paid":
            continue
        do_run_pipeline(application=application)
        counts["automated"] += 1
    for application in base.filter(status=Status.REJECTED, payment__status="paid"):
        counts["refunded"] += int(do_refund_fee(application=application))
    return counts
