"""The written confirmation of what was notified (e.g. a dog registered for the dog tax): the
data are checked by the form, the confirmation is issued at once."""

from __future__ import annotations

from services.applications.documents import render_confirmation
from services.applications.handlers import AutomatedHandler, handlers


@handlers.register("bestaetigung")
class ConfirmationHandler(AutomatedHandler):
    label = "schriftliche Bestätigung"

    def produce(self, application) -> tuple[str, bytes, str]:
        pdf = render_confirmation(application)
        return (
            f"bestaetigung-{application.reference}.pdf",
            pdf,
            f"Ihr Antrag „{application.form.title}“ ({application.reference}) ist bestätigt. "
            "Die Bestätigung liegt dieser Nachricht bei.",
        )
