"""Reads on applications."""

from __future__ import annotations

from django.db.models import Count

from services.accounts.models import Citizen
from services.applications.handlers import AutomatedHandler, handlers
from services.applications.models import Application, ApplicationForm, Status
from services.postbox.models import PostboxMessage


def active_form(slug: str) -> ApplicationForm | None:
    """The online form citizens fill in at /antraege/<slug>/ (active ones only)."""
    return (
        ApplicationForm.objects.select_related("local_service__service")
        .prefetch_related("fields")
        .filter(slug=slug, active=True)
        .first()
    )


def draft_of(form: ApplicationForm, citizen: Citizen) -> Application | None:
    """The citizen's one open draft of the form (saved between visits), if any."""
    return (
        Application.objects.prefetch_related("uploads")
        .filter(form=form, citizen=citizen, status=Status.DRAFT)
        .first()
    )


def receipt_of(application: Application) -> PostboxMessage | None:
    """The postbox message carrying the submission receipt of this case, if one was sent."""
    return (
        PostboxMessage.objects.filter(
            citizen=application.citizen,
            subject=f"Eingangsbestätigung – {application.reference}",
        )
        .exclude(attachment="")
        .first()
    )


def export_applications(*, citizen: Citizen, export: dict) -> None:
    """The citizen's applications in the GDPR export (services.accounts.hooks)."""
    export["applications"] = [
        {
            "reference": a.reference,
            "form": a.form.title,
            "status": a.status,
            "data": a.data,
            "submitted": a.submitted_at.isoformat() if a.submitted_at else None,
            "files": [u.original_name for u in a.uploads.all()],
        }
        for a in citizen.applications.select_related("form").prefetch_related("uploads")
    ]


def count_kept_applications(*, citizen: Citizen, counts: list[tuple[int, str, str]]) -> None:
    """The citizen's cases in their handlers' words: "2 Anträge", "1 Bestellung"."""
    per_noun: dict[tuple[str, str], int] = {}
    rows = citizen.applications.values_list("form__handling").annotate(n=Count("pk"))
    for handling, number in rows:
        noun = handlers[handling].noun if handling in handlers else AutomatedHandler.noun
        per_noun[noun] = per_noun.get(noun, 0) + number
    for (one, many), number in sorted(
        per_noun.items(), key=lambda item: (item[0] != AutomatedHandler.noun, item[0])
    ):
        counts.append((number, one, many))
