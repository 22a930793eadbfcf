"""The citizen's federal postbox and status monitor (ZBP): status changes of applications and
the notices put into our postbox also go to the ZBP of citizens who signed in with BundID, as
FIT-Connect submissions to the ZBP's destination (`message_v6`, `status_v6`), addressed by the
mailbox handle of the login (BundID attribute `legacyPostkorbHandle`, OID 2.5.4.18: a delivery
address, never used to identify anyone).

The fan-out reads the audit trail and the postbox from a cursor (beat, every minute): a status
or message committed by any app reaches the ZBP without that app knowing of it, and nothing is
lost when the ZBP is down (the delivery row waits and is retried). Each ZBP delivery is a
`Delivery` row with its outcome; the postbox message and its e-mail notice stay where they are.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from kreisportal.outbox import dispatch
from services.accounts.models import Citizen
from services.applications.models import ApplicationEvent, Status
from services.fitconnect import sandbox
from services.fitconnect.metadata import Submission
from services.fitconnect.models import Delivery, Environment, FitConnectSettings, ZbpCursor
from services.postbox.models import PostboxMessage

MESSAGE_SERVICE = "urn:schema-fitko-de:fit-connect:id.bund.de:message_v6"
STATUS_SERVICE = "urn:schema-fitko-de:fit-connect:id.bund.de:status_v6"
MESSAGE_SCHEMA = (
    "https://schema.fitko.de/fit-connect/id.bund.de/message_v6/1.0.0/zbp-message.schema.json"
)
STATUS_SCHEMA = (
    "https://schema.fitko.de/fit-connect/id.bund.de/status_v6/1.0.0/zbp-status.schema.json"
)
ATTEMPT_TASK = "fitconnect.attempt"
# the application's states the citizen's status monitor shows, in the ZBP's words
ZBP_STATUS = {
    Status.SUBMITTED: ("SUBMITTED", "eingereicht"),
    Status.IN_PROGRESS: ("PROCESSING", "in Bearbeitung"),
    Status.COMPLETED: ("COMPLETED", "abgeschlossen"),
    Status.REJECTED: ("COMPLETED", "abgelehnt"),
}
# where the identity app may keep the handle (the BundID attribute mapping is being added)
HANDLE_FIELDS = ("mailbox_handle", "postkorb_handle", "legacy_postkorb_handle", "zbp_handle")


def mailbox_handle(citizen: Citizen) -> str:
    """The ZBP address from the citizen's BundID login, or "" (no BundID login, no handle)."""
    for name in HANDLE_FIELDS:
        value = getattr(citizen, name, "") or ""
        if value:
            return str(value)
    return ""


def zbp_destination(environment: str) -> str:
    if environment == Environment.SANDBOX:
        return sandbox.zbp_id()
    return settings.FITCONNECT_ZBP_DESTINATION


def _sender() -> str:
    return getattr(connection.tenant, "name", "") or "Serviceportal"


@transaction.atomic
def do_fan_out() -> int:
    """New status changes and postbox messages since the cursor → ZBP deliveries (for citizens
    with a mailbox handle); returns how many were queued. Runs with the tenant's schema."""
    config = FitConnectSettings.load()
    cursor = ZbpCursor.objects.select_for_update().first()
    if config.zbp_environment == Environment.OFF:
        if cursor is not None:
            cursor.delete()  # switched on again later: start from then
        return 0
    if cursor is None:
        ZbpCursor.objects.create(
            last_event_id=ApplicationEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
            messages_after=timezone.now(),
        )
        return 0
    destination = zbp_destination(config.zbp_environment)
    queued = 0
    events = (
        ApplicationEvent.objects.select_related("application__form", "application__citizen")
        .filter(pk__gt=cursor.last_event_id, to_status__in=list(ZBP_STATUS))
        .order_by("pk")
    )
    last_event = cursor.last_event_id
    for event in events[:500]:
        last_event = max(last_event, event.pk)
        queued += _queue_status(event, config, destination)
    messages = (
        PostboxMessage.objects.select_related("citizen")
        .filter(created__gt=cursor.messages_after)
        .order_by("created")
    )
    last_message = cursor.messages_after
    for message in messages[:500]:
        last_message = max(last_message, message.created)
        queued += _queue_message(message, config, destination)
    cursor.last_event_id = last_event
    cursor.messages_after = last_message
    cursor.save(update_fields=["last_event_id", "messages_after"])
    return queued


def _queue_status(event: ApplicationEvent, config, destination: str) -> int:
    application = event.application
    handle = mailbox_handle(application.citizen)
    if not handle or event.to_status not in ZBP_STATUS:
        return 0
    code, words = ZBP_STATUS[event.to_status]
    payload = {
        "type": "status",
        "mailbox": handle,
        "applicationId": str(application.public_id),
        "status": code,
        "publicServiceName": {"de": application.form.title},
        "senderName": _sender(),
        "createdDate": event.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "statusDetails": {"de": (f"{words}: {event.message}" if event.message else words)[:500]},
        "reference": application.reference,
    }
    return _queue(
        f"status:{event.pk}", Delivery.Kind.ZBP_STATUS, payload, config, destination, application
    )


def on_status_changed(*, event: ApplicationEvent) -> None:
    """The applications' status hook (in the change's transaction): the status goes to the
    citizen's status monitor at once; the fan-out's cursor finds it queued already."""
    config = FitConnectSettings.load()
    if config.zbp_environment == Environment.OFF:
        return
    _queue_status(event, config, zbp_destination(config.zbp_environment))


def _queue_message(message: PostboxMessage, config, destination: str) -> int:
    handle = mailbox_handle(message.citizen)
    if not handle:
        return 0
    payload = {
        "type": "message",
        "mailbox": handle,
        "sender": _sender(),
        "title": message.subject,
        "content": (
            f"{message.body}\n\nDiese Nachricht und ihre Anlagen finden Sie auch im Postfach "
            f"bei {_sender()}."
        ),
        "service": _sender(),
        "reference": str(message.pk),
        "trustLevel": message.citizen.trust_level,
    }
    return _queue(
        f"message:{message.pk}", Delivery.Kind.ZBP_MESSAGE, payload, config, destination, None
    )


def on_message_delivered(*, message: PostboxMessage) -> None:
    """The postbox's channel hook (in the message's transaction): the ZBP delivery is queued at
    once; the fan-out's cursor finds it queued already (one delivery per message)."""
    config = FitConnectSettings.load()
    if config.zbp_environment == Environment.OFF:
        return
    _queue_message(message, config, zbp_destination(config.zbp_environment))


def _queue(key, kind, payload, config, destination, application) -> int:
    delivery, created = Delivery.objects.get_or_create(
        dedupe_key=key,
        defaults={
            "kind": kind,
            "application": application,
            "environment": config.zbp_environment,
            "destination_id": destination or "",
            "authority_name": "Zentrales Bürgerpostfach",
            "payload": payload,
        },
    )
    if created:
        dispatch(ATTEMPT_TASK, str(delivery.public_id))
    return int(created)


def zbp_submission(delivery: Delivery) -> Submission:
    """A ZBP delivery as a FIT-Connect submission: the content as JSON in an envelope with its
    SHA-512 sum (the ZBP's author signature needs the portal's author certificate, which the
    ZBP issues on registration: not part of the sandbox, see the README of this app)."""
    payload = dict(delivery.payload)
    kind = payload.pop("type", "")
    handle = payload.pop("mailbox", "")
    if kind == "status":
        content = {**payload}
        service, schema, name = STATUS_SERVICE, STATUS_SCHEMA, "ZBP Statusmeldung"
    else:
        content = {"mailboxUuid": handle, **payload}
        service, schema, name = MESSAGE_SERVICE, MESSAGE_SCHEMA, payload.get("title", "Nachricht")
    if kind == "status":
        content["mailboxUuid"] = handle
    text = json.dumps(content, ensure_ascii=False, sort_keys=True)
    envelope = {"content": text, "sha512sum": hashlib.sha512(text.encode()).hexdigest()}
    return Submission(
        service_identifier=service,
        service_name=str(name)[:200],
        data=json.dumps(envelope, ensure_ascii=False).encode(),
        data_schema_uri=schema,
        reference=delivery.dedupe_key,
    )
