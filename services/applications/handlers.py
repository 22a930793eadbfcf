"""Who handles an application after submission (and payment): the registry of handlers, owned
by applications.

`clerk` is the staff inbox (no entry here: `ApplicationForm.handling == "clerk"`); every other
handler is an automated one registered here by a plugin under `services/applications/contrib/`
(the written confirmation) or another app (the cadastral extract, `services.fulfillment`).
Plugins import applications, never the reverse. A new automated service is one class with
`produce()` and its template:

    @handlers.register("meldebescheinigung")
    class RegistrationCertificate(AutomatedHandler):
        label = "Meldebescheinigung"
        def produce(self, application): ...

Everything else a handler may say about its cases has a default here: the fee (the form's),
whether submission sends a receipt, how its states read to the citizen, where the citizen
follows the case, and the noun for it ("Antrag", or "Bestellung" for an ordered extract).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_noop

from kreisportal.outbox import dispatch
from kreisportal.registry import Registry

RUN_TASK = "applications.run_pipeline"  # services.applications.tasks.run_application_pipeline


class AutomatedHandler:
    """An application completed without a clerk: `produce` returns the document it is
    completed with; the task around it (do_run_pipeline) makes the run idempotent."""

    label = ""
    handles_applications = True  # offered to editors as a handling of their forms
    sends_receipt = True  # the receipt PDF ("Eingangsbestätigung") on submission
    # one case, several cases: for the citizen's records (translated where shown)
    noun = (gettext_noop("Antrag"), gettext_noop("Anträge"))
    status_labels: dict[str, str] = {}  # the state machine's states, in this service's words
    detail_route = "application-detail"  # URL name taking the application's public_id
    # completed by another system (a back office answering through FIT-Connect), not by
    # produce(): the reconciliation must not run the pipeline for it
    completes_itself = False

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier

    def fee_cents(self, application) -> int:
        return application.form.fee_cents

    def entry_url(self, form) -> str:
        """Where citizens start an application of this form ("Online beantragen")."""
        return reverse("application-form", args=[form.slug])

    def start(self, application) -> None:
        """Queue the work after commit (through the outbox)."""
        dispatch(RUN_TASK, str(application.public_id))

    def produce(self, application) -> tuple[str, bytes, str]:
        """(file name, PDF, message to the citizen)."""
        raise NotImplementedError

    def subject(self, application) -> str:
        """Subject of the postbox message the document is delivered with."""
        return application.form.title

    def title(self, application) -> str:
        """What the citizen sees the case as in lists."""
        return application.form.title

    def labels_for(self, application) -> dict[str, str]:
        """The states in this service's words, for this case (a referred case may differ)."""
        return self.status_labels

    def case_summary(self, application) -> list[tuple[str, str]]:
        """What the clerk needs to know about a case beyond the form's answers."""
        return []


handlers: Registry[AutomatedHandler] = Registry()


class ClerkHandling:
    """The staff inbox: the defaults of a handler, nothing automated."""

    identifier = "clerk"
    sends_receipt = True
    noun = AutomatedHandler.noun
    status_labels: dict[str, str] = {}
    detail_route = AutomatedHandler.detail_route
    fee_cents = AutomatedHandler.fee_cents
    entry_url = AutomatedHandler.entry_url
    title = AutomatedHandler.title
    labels_for = AutomatedHandler.labels_for
    case_summary = AutomatedHandler.case_summary


_CLERK = ClerkHandling()


def handling_of(application) -> AutomatedHandler | ClerkHandling:
    """The handler of an application's form (the clerk when none is registered under it)."""
    return form_handling(application.form)


def form_handling(form) -> AutomatedHandler | ClerkHandling:
    return handlers[form.handling] if form.handling in handlers else _CLERK


def detail_url(application) -> str:
    return reverse(handling_of(application).detail_route, args=[application.public_id])
