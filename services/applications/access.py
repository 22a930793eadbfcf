"""Who may see an application and its files: the citizen who made it (staff use the inbox,
guarded by the applications.handle_application permission)."""

from __future__ import annotations

from django.http import Http404

from kreisportal.http import parse_uuid
from services.accounts.models import Citizen
from services.applications.models import Application, ApplicationUpload


def access_application(citizen: Citizen | None, public_id: str) -> Application:
    """The citizen's own application; another citizen's, another tenant's, a guessed id or no
    sign-in is 404 (never 403: the existence of an application is not revealed). Database
    errors are not caught."""
    pk = parse_uuid(public_id)
    application = (
        Application.objects.select_related("form__local_service__service", "payment")
        .filter(public_id=pk, citizen=citizen)
        .first()
        if citizen is not None and pk is not None
        else None
    )
    if application is None:
        raise Http404("Antrag nicht gefunden")
    return application


def access_upload(application: Application, upload_id: str) -> ApplicationUpload:
    """A file of an application the caller may see already (access_application first)."""
    pk = parse_uuid(upload_id)
    upload = application.uploads.filter(public_id=pk).first() if pk is not None else None
    if upload is None:
        raise Http404("Datei nicht gefunden")
    return upload
