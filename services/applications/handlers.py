"""Who handles an application after submission (and payment): the registry of handlers, owned
by applications.

`clerk` is the staff inbox (no entry here: `ApplicationForm.handling == "clerk"`); every other
handler is an automated one registered here by a plugin under `services/applications/contrib/`
(the written confirmation) or another app (the cadastral extract). Plugins import applications,
never the reverse. A new automated service is one class with `produce()` and its template:

    @handlers.register("meldebescheinigung")
    class RegistrationCertificate(AutomatedHandler):
        label = "Meldebescheinigung"
        def produce(self, application): ...
"""

from __future__ import annotations

from kreisportal.outbox import dispatch
from kreisportal.registry import Registry

RUN_TASK = "applications.run_pipeline"  # services.applications.tasks.run_application_pipeline


class AutomatedHandler:
    """An application completed without a clerk: `produce` returns the document it is
    completed with; the task around it (do_run_pipeline) makes the run idempotent."""

    label = ""
    handles_applications = True  # offered to editors as a handling of their forms

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier

    def start(self, application) -> None:
        """Queue the work after commit (through the outbox)."""
        dispatch(RUN_TASK, str(application.public_id))

    def produce(self, application) -> tuple[str, bytes, str]:
        """(file name, PDF, message to the citizen)."""
        raise NotImplementedError


handlers: Registry[AutomatedHandler] = Registry()
