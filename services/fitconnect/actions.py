"""Writes of FIT-Connect: queue a delivery, make one attempt (announce, upload the encrypted
attachments, submit), follow the event log, and what its events do to the application.

A delivery is a row first (in the transaction that asked for it) and HTTP afterwards: nothing
is lost when a remote side is down, an attempt that finds the API unavailable is retried with
backoff (30 s, 1, 2, 4 … min, at most an hour apart) until MAX_ATTEMPTS, then it is failed and
shown to staff. An attempt leases its row, so two workers never send the same delivery; the
submission id is stored as soon as the API gives it, so a retry continues that submission
instead of creating a second one.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import uuid
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from kreisportal.outbox import dispatch
from services.applications import states
from services.applications.actions import ApplicationRefused, do_hand_over, do_reject
from services.applications.documents import answers, render_receipt
from services.applications.models import Application, ApplicationEvent
from services.fitconnect import crypto, sandbox
from services.fitconnect.client import (
    ApiRefused,
    ApiUnavailable,
    RoutingApi,
    SubmissionApi,
    verify_event,
)
from services.fitconnect.metadata import Attachment, Submission, build_metadata, leika_identifier
from services.fitconnect.models import (
    Delivery,
    DeliveryEvent,
    Environment,
    FitConnectSettings,
    FormDestination,
)
from services.fitconnect.zbp import zbp_submission

logger = logging.getLogger(__name__)
ATTEMPT_TASK = "fitconnect.attempt"  # services.fitconnect.tasks.attempt_delivery
MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=5)
EVENTS = "https://schema.fitko.de/fit-connect/events/"
ACTOR = "FIT-Connect"
# audit actions: shown as they are where the applications' labels do not know them
SUBMITTED_ACTION = "übermittelt"
FAILED_ACTION = "Zustellung fehlgeschlagen"
RETRY_ACTION = "Zustellung wird wiederholt"
ACCEPTED_ACTION = "fitconnect_accepted"  # a status change: shown with the status's label


class DeliveryImpossible(Exception):
    """Configuration or remote answer that makes this delivery fail until staff act."""


def tenant_settings() -> FitConnectSettings:
    return FitConnectSettings.load()


def api_for(environment: str):
    """The Submission API of an environment: the in-process sandbox or the configured one."""
    if environment == Environment.SANDBOX:
        return sandbox.SandboxApi()
    if environment in {Environment.TEST, Environment.PRODUCTION}:
        return SubmissionApi()
    raise DeliveryImpossible("FIT-Connect ist für dieses Portal ausgeschaltet.")


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


# --- queue ---------------------------------------------------------------------------------------


def do_queue_application(*, application: Application) -> Delivery:
    """The application's delivery to its back office (once: a second call returns the first);
    the attempt is sent after commit through the outbox."""
    key = f"application:{application.public_id}"
    delivery = Delivery.objects.filter(dedupe_key=key).first()
    if delivery is None:
        delivery = Delivery.objects.create(
            kind=Delivery.Kind.APPLICATION,
            dedupe_key=key,
            application=application,
            environment=tenant_settings().environment,
        )
    if delivery.state == Delivery.State.PENDING:
        dispatch(ATTEMPT_TASK, str(delivery.public_id))
    return delivery


# --- one attempt ---------------------------------------------------------------------------------


def _lease(delivery_id: str) -> Delivery | None:
    now = timezone.now()
    leased = Delivery.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        public_id=delivery_id,
        state=Delivery.State.PENDING,
    ).update(locked_until=now + LEASE, attempts=F("attempts") + 1)
    if not leased:
        return None
    return Delivery.objects.select_related("application__form__local_service__service").get(
        public_id=delivery_id
    )


def do_attempt(*, delivery_id: str) -> Delivery | None:
    """One try at sending the delivery; None when it is not due or another worker has it."""
    delivery = _lease(delivery_id)
    if delivery is None:
        return None
    try:
        _send(delivery)
    except ApiUnavailable as exc:
        _retry_later(delivery, str(exc))
    except (ApiRefused, crypto.KeyRefused, crypto.SignatureInvalid, DeliveryImpossible) as exc:
        _fail(delivery, str(exc))
    return Delivery.objects.get(pk=delivery.pk)


def _retry_later(delivery: Delivery, error: str) -> None:
    if delivery.attempts >= MAX_ATTEMPTS:
        _fail(delivery, f"{error} (nach {delivery.attempts} Versuchen)")
        return
    Delivery.objects.filter(pk=delivery.pk).update(
        last_error=error[:500],
        next_attempt_at=timezone.now() + backoff(delivery.attempts),
        locked_until=None,
    )
    logger.warning("FIT-Connect delivery %s: %s, retried later", delivery.public_id, error)


@transaction.atomic
def _fail(delivery: Delivery, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.FAILED, last_error=error[:500], locked_until=None
    )
    logger.error("FIT-Connect delivery %s failed: %s", delivery.public_id, error)
    if delivery.application_id:
        ApplicationEvent.objects.create(
            application_id=delivery.application_id,
            actor=ACTOR,
            action=FAILED_ACTION,
            message=f"Zustellung über FIT-Connect fehlgeschlagen: {error}"[:2000],
            visible_to_citizen=False,
        )


def _destination(delivery: Delivery, api) -> None:
    """Find the destination of an application delivery (configured, routed or the sandbox)."""
    if delivery.destination_id:
        return
    if delivery.kind != Delivery.Kind.APPLICATION:
        raise DeliveryImpossible("ZBP-Zustellung ohne Zustellpunkt")
    if delivery.environment == Environment.SANDBOX:
        delivery.destination_id = sandbox.back_office_id()
        delivery.authority_name = "Sandbox-Fachverfahren"
    else:
        form = delivery.application.form
        config = FormDestination.objects.filter(form=form).first()
        if config is None:
            raise DeliveryImpossible(
                f"Für „{form.title}“ ist kein FIT-Connect-Zustellpunkt eingerichtet."
            )
        if config.mode == FormDestination.Mode.FIXED:
            delivery.destination_id = str(config.destination_id)
            delivery.authority_name = config.authority_name
        else:
            route = RoutingApi().find(
                leika_key=form.local_service.service.leika_key,
                ars=tenant_settings().ars,
                ags=getattr(connection.tenant, "ags", ""),
            )
            delivery.destination_id = route.destination_id
            delivery.authority_name = config.authority_name or route.name
    Delivery.objects.filter(pk=delivery.pk).update(
        destination_id=delivery.destination_id, authority_name=delivery.authority_name[:200]
    )


def application_submission(delivery: Delivery) -> Submission:
    """The application as a FIT-Connect submission: its answers and the applicant (JSON), the
    receipt PDF (purpose "form") and the citizen's uploads."""
    application = delivery.application
    form = application.form
    service = form.local_service.service
    citizen = application.citizen
    data = {
        "antrag": {
            "referenz": application.reference,
            "formular": form.title,
            "leistung": {"leikaSchluessel": service.leika_key, "name": service.name},
            "eingereicht": application.submitted_at.isoformat()
            if application.submitted_at
            else None,
            "portal": getattr(connection.tenant, "name", ""),
        },
        "antragsteller": {
            "vorname": citizen.given_name,
            "nachname": citizen.family_name,
            "geburtsdatum": citizen.birth_date,
            "anschrift": {
                "strasse": citizen.street,
                "plz": citizen.postal_code,
                "ort": citizen.locality,
            },
            "email": citizen.email,
            "vertrauensniveau": citizen.trust_level,
        },
        "angaben": [{"feld": label, "wert": value} for label, value in answers(application)],
        "werte": application.data,
    }
    ids = dict(delivery.attachment_ids)
    attachments = [
        Attachment(
            attachment_id=ids.setdefault("receipt", str(uuid.uuid4())),
            filename=f"antrag-{application.reference}.pdf",
            mime_type="application/pdf",
            content=render_receipt(application),
            purpose="form",
            description="Antrag (Eingangsbestätigung)",
        )
    ]
    for upload in application.uploads.all():
        with upload.file.open("rb") as handle:
            content = handle.read()
        attachments.append(
            Attachment(
                attachment_id=ids.setdefault(f"upload:{upload.public_id}", str(uuid.uuid4())),
                filename=upload.original_name,
                mime_type=mimetypes.guess_type(upload.original_name)[0]
                or "application/octet-stream",
                content=content,
                description=upload.field_name,
            )
        )
    if ids != delivery.attachment_ids:
        delivery.attachment_ids = ids
        Delivery.objects.filter(pk=delivery.pk).update(attachment_ids=ids)
    return Submission(
        service_identifier=leika_identifier(service.leika_key),
        service_name=service.name,
        data=json.dumps(data, ensure_ascii=False).encode(),
        attachments=attachments,
        reply_email=citizen.email,
        reference=application.reference,
        application_date=(application.submitted_at or timezone.now()).date().isoformat(),
    )


def _submission_for(delivery: Delivery) -> Submission:
    if delivery.kind == Delivery.Kind.APPLICATION:
        return application_submission(delivery)
    return zbp_submission(delivery)


def _send(delivery: Delivery) -> None:
    api = api_for(delivery.environment)
    _destination(delivery, api)
    destination = api.destination(delivery.destination_id)
    if destination.get("status", "active") != "active":
        raise DeliveryImpossible(f"Zustellpunkt ist {destination.get('status')}")
    kid = destination.get("encryptionKid") or ""
    published = api.destination_key(delivery.destination_id, kid)
    key = crypto.check_encryption_key(published, kid=kid)
    if delivery.environment == Environment.PRODUCTION and not published.get("x5c"):
        raise crypto.KeyRefused("Schlüssel ohne Zertifikatskette (x5c)")
    submission = _submission_for(delivery)
    if delivery.submission_id:
        state = api.submission(delivery.submission_id)
        if str(state.get("status", "")).lower() not in {"", "incomplete", "announced"}:
            _mark_submitted(delivery, key.key_id, {})  # sent before; the answer was lost
            return
    else:
        created = api.create_submission(
            {
                "destinationId": delivery.destination_id,
                "announcedAttachments": [a.attachment_id for a in submission.attachments],
                "publicService": {
                    "identifier": submission.service_identifier,
                    "name": submission.service_name,
                },
            }
        )
        delivery.submission_id = str(created["submissionId"])
        delivery.case_id = str(created.get("caseId") or "")
        Delivery.objects.filter(pk=delivery.pk).update(
            submission_id=delivery.submission_id, case_id=delivery.case_id
        )
    tags: dict[str, str] = {"attachments": {}}  # type: ignore[dict-item]
    for attachment in submission.attachments:
        jwe = crypto.encrypt(attachment.content, key, content_type=attachment.mime_type)
        api.upload_attachment(delivery.submission_id, attachment.attachment_id, jwe)
        tags["attachments"][attachment.attachment_id] = jwe.rsplit(".", 1)[1]  # type: ignore[index]
    metadata = crypto.encrypt(
        json.dumps(build_metadata(submission), ensure_ascii=False).encode(),
        key,
        content_type="application/json",
    )
    data = crypto.encrypt(submission.data, key, content_type="application/json")
    try:
        api.submit(delivery.submission_id, {"encryptedMetadata": metadata, "encryptedData": data})
    except ApiRefused as exc:
        if exc.status != 409:  # 409: this submission was submitted already
            raise
    tags["metadata"] = metadata.rsplit(".", 1)[1]
    tags["data"] = data.rsplit(".", 1)[1]
    _mark_submitted(delivery, key.key_id, tags)


@transaction.atomic
def _mark_submitted(delivery: Delivery, kid: str, tags: dict) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        state=Delivery.State.SUBMITTED,
        submitted_at=timezone.now(),
        key_id=kid,
        auth_tags=tags,
        last_error="",
        locked_until=None,
    )
    if delivery.application_id and delivery.kind == Delivery.Kind.APPLICATION:
        authority = delivery.authority_name or "die zuständige Stelle"
        ApplicationEvent.objects.create(
            application_id=delivery.application_id,
            actor=ACTOR,
            action=SUBMITTED_ACTION,
            message=f"Über FIT-Connect an {authority} übermittelt.",
            visible_to_citizen=True,
        )


@transaction.atomic
def do_retry(*, delivery: Delivery, user=None) -> Delivery:
    """Staff: try a failed delivery again (from the first step that is missing)."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.state != Delivery.State.FAILED:
        return delivery
    delivery.state = Delivery.State.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = None
    delivery.save(update_fields=["state", "attempts", "next_attempt_at", "updated"])
    if delivery.application_id:
        ApplicationEvent.objects.create(
            application_id=delivery.application_id,
            actor=(user.get_username() if user else ACTOR)[:150],
            actor_user=user,
            action=RETRY_ACTION,
            message="Zustellung über FIT-Connect wird erneut versucht.",
            visible_to_citizen=False,
        )
    dispatch(ATTEMPT_TASK, str(delivery.public_id))
    return delivery


def due_deliveries():
    now = timezone.now()
    return Delivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        state=Delivery.State.PENDING,
    )


# --- the event log -------------------------------------------------------------------------------


def do_poll(*, delivery: Delivery) -> int:
    """Read the case's event log and apply what is new; returns the number of new events.
    A token whose signature does not verify is skipped (logged), never applied."""
    api = api_for(delivery.environment)
    tokens = api.case_events(delivery.case_id)
    return apply_events(delivery=delivery, tokens=tokens, api=api)


def apply_events(*, delivery: Delivery, tokens: list[str], api) -> int:
    known = set(delivery.events.values_list("jti", flat=True))
    new = 0
    for token in tokens:
        try:
            claims = verify_event(token, api)
        except (crypto.SignatureInvalid, ApiRefused) as exc:  # e.g. a kid nobody published
            logger.warning("FIT-Connect event of %s refused: %s", delivery.public_id, exc)
            continue
        if claims["jti"] in known:
            continue
        if claims.get("sub") != f"submission:{delivery.submission_id}":
            logger.warning("FIT-Connect event for another submission ignored")
            continue
        if _apply(delivery, claims):
            new += 1
            known.add(claims["jti"])
    return new


@transaction.atomic
def _apply(delivery: Delivery, claims: dict) -> bool:
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    ((url, detail),) = claims["events"].items()
    if DeliveryEvent.objects.filter(jti=claims["jti"]).exists():
        return False
    name = url.removeprefix(EVENTS)
    issued = datetime.fromtimestamp(int(claims["iat"]), tz=UTC)
    problems = list((detail or {}).get("problems") or [])
    DeliveryEvent.objects.create(
        delivery=delivery,
        jti=str(claims["jti"])[:80],
        event=url[:200],
        issuer=str(claims["iss"])[:200],
        issued_at=issued,
        problems=problems,
    )
    if delivery.state != Delivery.State.SUBMITTED:
        return True
    if name == "accept-submission":
        if str(claims["iss"]) != delivery.destination_id:
            logger.warning("accept of %s not issued by its destination", delivery.public_id)
            return True
        delivery.state = Delivery.State.ACCEPTED
        delivery.outcome_message = f"Angenommen von {delivery.authority_name}".strip()
        delivery.save(update_fields=["state", "outcome_message", "updated"])
        if delivery.application_id and delivery.kind == Delivery.Kind.APPLICATION:
            _hand_over(delivery)
    elif name == "reject-submission":
        if str(claims["iss"]) != delivery.destination_id:
            logger.warning("reject of %s not issued by its destination", delivery.public_id)
            return True
        reason = (
            "; ".join(
                str(p.get("detail") or p.get("title") or p.get("type") or "") for p in problems
            )
            or "ohne Angabe von Gründen"
        )
        delivery.state = Delivery.State.REJECTED
        delivery.outcome_message = reason[:2000]
        delivery.save(update_fields=["state", "outcome_message", "updated"])
        if delivery.application_id and delivery.kind == Delivery.Kind.APPLICATION:
            _rejected(delivery, reason)
    return True


def _hand_over(delivery: Delivery) -> None:
    """accept → the application is "in Bearbeitung bei <Behörde>" (applications' public
    action for a transition made by another system); a case no longer open is left alone."""
    application = Application.objects.get(pk=delivery.application_id)
    try:
        do_hand_over(
            application=application,
            actor=(delivery.authority_name or ACTOR)[:150],
            action=ACCEPTED_ACTION,
            message=f"In Bearbeitung bei {delivery.authority_name or 'der zuständigen Stelle'}.",
        )
    except ApplicationRefused:
        logger.info("accept for %s ignored: the case is no longer open", application.reference)


def _rejected(delivery: Delivery, reason: str) -> None:
    application = Application.objects.select_related("form", "citizen", "payment").get(
        pk=delivery.application_id
    )
    if application.status not in states.OPEN_FOR_CLERK:
        return
    try:
        do_reject(
            application=application,
            clerk=None,
            message=f"{delivery.authority_name or 'Die zuständige Stelle'} hat den Antrag "
            f"zurückgewiesen: {reason}",
        )
    except ApplicationRefused:
        logger.warning("rejection of %s could not be recorded", application.reference)


def open_deliveries():
    return Delivery.objects.filter(state=Delivery.State.SUBMITTED).exclude(case_id="")
