"""Writes on the postbox: the one delivery path of every message to a citizen."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from services.accounts.models import Citizen
from services.postbox.hooks import message_delivered
from services.postbox.models import PostboxMessage


@transaction.atomic
def do_deliver_message(
    *,
    citizen: Citizen,
    subject: str,
    body: str,
    attachment: tuple[str, bytes] | None = None,
    notify: bool = False,
) -> PostboxMessage:
    """A message into the citizen's postbox; an attachment goes to private storage under a
    random name, its readable name is kept for the citizen's download. With `notify`, an e-mail
    notice (never the content) goes to the citizen's address after commit; further channels
    hear of it through `message_delivered`."""
    message = PostboxMessage(citizen=citizen, subject=subject, body=body)
    if attachment:
        message.attachment_name = attachment[0][-200:]
        message.attachment.save(attachment[0], ContentFile(attachment[1]), save=False)
    message.save()
    message_delivered.send(message=message)  # further channels (ZBP)
    if notify and citizen.email:
        notice = postbox_notice(subject=subject)
        transaction.on_commit(lambda: send_mail(*notice, None, [citizen.email], fail_silently=True))
    return message


def postbox_notice(*, subject: str) -> tuple[str, str]:
    """(subject, text) of the e-mail that tells a citizen a message is waiting in this tenant's
    postbox: the portal's name from the tenant, the content only behind the sign-in."""
    portal = getattr(connection.tenant, "name", "") or "dem Serviceportal"
    return (
        f"Neue Nachricht in Ihrem Postfach: {subject}"[:200],
        f"In Ihrem Postfach bei {portal} liegt eine neue Nachricht. "
        "Bitte melden Sie sich im Serviceportal an, um sie zu lesen.",
    )


def do_mark_read(*, message: PostboxMessage) -> None:
    if message.read_at is None:
        PostboxMessage.objects.filter(pk=message.pk).update(read_at=timezone.now())
