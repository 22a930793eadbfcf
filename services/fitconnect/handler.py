"""The applications' handler "FIT-Connect": on submission (after payment where there is a fee)
the application is delivered to the back office responsible for it, which then works it in its
own specialist system; its answer comes back through the event log."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from services.applications.handlers import AutomatedHandler, handlers
from services.fitconnect.actions import do_queue_application


@handlers.register("fitconnect")
class FitConnectHandler(AutomatedHandler):
    label = "Zustellung über FIT-Connect an das Fachverfahren"
    # completed by the back office, not by produce(): the applications' reconciliation must not
    # run the pipeline for it (see the README of this app: the one line this needs there)
    completes_itself = True
    status_labels = {
        "submitted": gettext_noop("eingereicht, wird an die zuständige Stelle übermittelt"),
        "in_progress": gettext_noop("in Bearbeitung bei der zuständigen Stelle"),
    }

    def start(self, application) -> None:
        """Queue the delivery in the caller's transaction (sent after commit)."""
        do_queue_application(application=application)

    def produce(self, application) -> tuple[str, bytes, str]:
        raise NotImplementedError(
            "FIT-Connect applications are completed by their back office, not by the pipeline"
        )
