"""PDFs of an application: the submission receipt and the automated confirmation."""

from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from services.applications.models import Application, FieldKind

# Tagged PDF for screen readers (PDF/UA-1: structure tree, /Lang, title shown as the window
# title); checked in tests/cases/test_pdf_ua.py.
PDF_VARIANT = "pdf/ua-1"


def answers(application: Application) -> list[tuple[str, str]]:
    """(label, value as shown) for every field of the form, in the editor's order."""
    uploads: dict[str, list[str]] = {}
    for upload in application.uploads.all():
        uploads.setdefault(upload.field_name, []).append(upload.original_name)
    rows = []
    for spec in application.form.fields.all():
        if spec.kind == FieldKind.FILE:
            value = ", ".join(uploads.get(spec.name, [])) or "–"
        elif spec.kind == FieldKind.CHECKBOX:
            value = "ja" if application.data.get(spec.name) else "nein"
        elif spec.kind == FieldKind.DATE and application.data.get(spec.name):
            year, month, day = application.data[spec.name].split("-")
            value = f"{day}.{month}.{year}"
        else:
            value = str(application.data.get(spec.name, "")) or "–"
        rows.append((spec.label, value))
    return rows


def _render(template: str, application: Application, **extra) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        template,
        {
            "application": application,
            "answers": answers(application),
            "citizen": application.citizen,
            "tenant_name": _tenant_name(),
            "now": timezone.localtime(),
            **extra,
        },
    )
    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)


def _tenant_name() -> str:
    return getattr(getattr(connection, "tenant", None), "name", "")


def render_receipt(application: Application) -> bytes:
    return _render("applications/receipt_pdf.html", application)


def render_confirmation(application: Application) -> bytes:
    return _render("applications/confirmation_pdf.html", application)
