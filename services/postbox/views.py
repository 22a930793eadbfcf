"""The citizen's postbox messages and their attachments (listed on "Mein Konto")."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from kreisportal.files import download_name, private_file_response
from services.accounts.access import citizen_required, current_citizen
from services.accounts.models import Citizen
from services.postbox.access import access_message
from services.postbox.actions import do_mark_read


@citizen_required
def message_detail(request: HttpRequest, citizen: Citizen, message_id: str) -> HttpResponse:
    message = access_message(citizen, message_id)
    do_mark_read(message=message)
    return TemplateResponse(request, "postbox/message.html", {"message": message})


def message_attachment(request: HttpRequest, message_id: str) -> HttpResponse:
    """A private file: 404 for anybody but its owner, a visitor not signed in included (no
    sign-in redirect that would confirm the message exists)."""
    citizen = current_citizen(request)
    if citizen is None:
        raise Http404("Nachricht nicht gefunden")
    message = access_message(citizen, message_id)
    if not message.attachment:
        raise Http404("Kein Anhang")
    return private_file_response(
        message.attachment,
        download_name=message.attachment_name or download_name(message.attachment, stem="anhang"),
        inline=request.GET.get("ansehen") == "1",
    )
