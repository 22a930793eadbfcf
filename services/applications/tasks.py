"""Celery tasks of applications: thin — ids in, the application loaded again, an action called
(the tenant comes with the task)."""

from kreisportal.celery import app
from services.applications.actions import do_reconcile, do_refund_fee, do_run_pipeline
from services.applications.models import Application


def _application(public_id: str) -> Application:
    return Application.objects.select_related("form", "citizen", "payment").get(public_id=public_id)


@app.task(
    name="applications.run_pipeline", autoretry_for=(OSError,), retry_backoff=True, max_retries=3
)
def run_application_pipeline(public_id: str) -> str:
    """Automated handling of one application."""
    return do_run_pipeline(application=_application(public_id)).status


@app.task(name="applications.refund")
def refund_application_fee(public_id: str) -> bool:
    return do_refund_fee(application=_application(public_id))


@app.task(name="applications.reconcile")
def reconcile_applications(min_age_seconds: int = 60) -> dict:
    """Settle what a lost task or a crash left behind (services.applications.actions)."""
    return do_reconcile(min_age_seconds=min_age_seconds)
