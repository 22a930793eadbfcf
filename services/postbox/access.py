"""Who may read a postbox message: the citizen it was sent to."""

from __future__ import annotations

from django.http import Http404

from kreisportal.http import parse_uuid
from services.accounts.models import Citizen
from services.postbox.models import PostboxMessage


def access_message(citizen: Citizen, message_id: str) -> PostboxMessage:
    """The citizen's own message; anything else (other citizen, other tenant, bad id) is 404.
    Database errors are not caught: they are a 503, not a missing message."""
    pk = parse_uuid(message_id)
    message = PostboxMessage.objects.filter(pk=pk, citizen=citizen).first() if pk else None
    if message is None:
        raise Http404("Nachricht nicht gefunden")
    return message
