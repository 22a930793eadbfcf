"""Writes on applications. Each state change is one transaction on the locked row, with an audit
entry (who, when, from, to); messages to the citizen go into the postbox with an e-mail notice."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from kreisportal.outbox import dispatch
from payments.actions import (
    PaymentError,
    do_book_payment_event,
    do_create_payment,
    do_next_attempt,
    do_refund_payment,
)
from payments.amounts import euro
from payments.models import Payment
from payments.providers import ProviderError
from payments.selectors import attempt_ids, superseded_paid, tenant_provider
from payments.tasks import refund_payment
from services.accounts.models import Citizen
from services.applications import states
from services.applications.documents import render_receipt
from services.applications.handlers import handlers, handling_of
from services.applications.hooks import status_changed
from services.applications.models import (
    CLERK,
    Application,
    ApplicationEvent,
    ApplicationForm,
    ApplicationUpload,
    Review,
    Status,
)
from services.postbox.actions import do_deliver_message

logger = logging.getLogger(__name__)
# the owner kind of application fees (payments.owners; registered in apps.py)
PAYS_FOR_APPLICATION = "application"
REFUND_TASK = "applications.refund"  # services.applications.tasks.refund_application_fee
SYSTEM = "System"


class ApplicationRefused(Exception):
    """A step that is not allowed now; the message is shown as it is."""


def _actor_label(user) -> str:
    if user is None:
        return SYSTEM
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return name or user.get_username()


def _record(
    application: Application,
    *,
    actor: str,
    action: str,
    user=None,
    message: str = "",
    from_status: str = "",
    to_status: str = "",
    visible: bool = True,
) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application,
        actor=actor[:150],
        actor_user=user,
        action=action,
        from_status=from_status,
        to_status=to_status,
        message=message,
        visible_to_citizen=visible,
    )


def _move(
    application: Application, target: str, *, actor: str, action: str, user=None, message: str = ""
) -> None:
    """One transition of the state machine (the caller holds the row lock)."""
    current = application.status
    if not states.may_transition(current, target):
        raise ApplicationRefused(
            f"Ein Antrag im Zustand „{Status(current).label}“ kann nicht in den Zustand "
            f"„{Status(target).label}“ wechseln."
        )
    application.status = target
    if target == Status.COMPLETED:
        application.completed_at = timezone.now()
    application.save(update_fields=["status", "completed_at", "updated"])
    event = _record(
        application,
        actor=actor,
        action=action,
        user=user,
        message=message,
        from_status=current,
        to_status=target,
    )
    status_changed.send(event=event)


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("form", "citizen", "payment")
        .get(pk=application.pk)
    )


def _to_postbox(
    application: Application,
    *,
    subject: str,
    body: str,
    attachment: tuple[str, bytes] | None = None,
) -> None:
    do_deliver_message(
        citizen=application.citizen,
        subject=f"{subject} – {application.reference}",
        body=body,
        attachment=attachment,
        notify=True,
    )


def _add_upload(
    application: Application, field_name: str, upload: UploadedFile, *, by_citizen: bool = True
) -> ApplicationUpload:
    record = ApplicationUpload(
        application=application,
        field_name=field_name,
        original_name=upload.name[-200:],
        size=upload.size,
        uploaded_by_citizen=by_citizen,
    )
    record.file.save(upload.name, upload, save=False)
    record.save()
    return record


def _start_pipeline(application: Application) -> None:
    """Queue the automated handling; the task is sent after commit (kreisportal.outbox).
    A case waiting for a clerk's review is not started: the clerk releases it
    (do_approve_review) or refuses it (do_reject)."""
    if application.review == Review.PENDING:
        return
    handlers[application.form.handling].start(application)


# --- citizen ------------------------------------------------------------------------------------


@transaction.atomic
def do_save_draft(
    *, form: ApplicationForm, citizen: Citizen, values: dict, uploads: dict[str, UploadedFile]
) -> Application:
    """Create or continue the citizen's one draft of this form (saved between visits)."""
    application = (
        Application.objects.select_for_update()
        .filter(form=form, citizen=citizen, status=Status.DRAFT)
        .first()
    )
    if application is None:
        application = Application.objects.create(form=form, citizen=citizen, data=values)
        _record(application, actor=str(citizen), action="created", to_status=Status.DRAFT)
    else:
        application.data = values
        application.save(update_fields=["data", "updated"])
    for field_name, upload in uploads.items():
        # a new file for a field replaces the draft's earlier one
        application.uploads.filter(field_name=field_name).delete()
        _add_upload(application, field_name, upload)
    return application


def _receipt(application: Application, submitted_at) -> bytes:
    """The receipt PDF of a draft as it will be submitted at `submitted_at`."""
    application.submitted_at = submitted_at
    return render_receipt(application)


def do_submit(*, application: Application) -> Application:
    """draft → submitted (→ awaiting payment when there is a fee); receipt PDF to the postbox.

    The receipt (a few hundred milliseconds of rendering) is made before the row is locked,
    from the draft as it stands; should the draft change in between (a second tab saving), it
    is made again under the lock so that it always shows what was submitted."""
    submitted_at = timezone.now()
    draft = Application.objects.select_related("form", "citizen").get(pk=application.pk)
    receipt = None
    if draft.status == Status.DRAFT and handling_of(draft).sends_receipt:
        receipt = (draft.updated, _receipt(draft, submitted_at))
    with transaction.atomic():
        return _submit(application, submitted_at=submitted_at, receipt=receipt)


def _submit(
    application: Application, *, submitted_at, receipt: tuple[object, bytes] | None
) -> Application:
    application = _locked(application)
    draft_version = application.updated
    form = application.form
    if not form.active:
        raise ApplicationRefused(gettext("Dieser Online-Antrag ist zurzeit nicht verfügbar."))
    citizen = application.citizen
    handling = handling_of(application)
    fee_cents = handling.fee_cents(application)
    _move(application, Status.SUBMITTED, actor=str(citizen), action="submitted")
    application.submitted_at = submitted_at
    application.save(update_fields=["submitted_at"])
    if fee_cents:
        application.payment = do_create_payment(
            provider=tenant_provider(),  # the tenant's choice (payments.PaymentSettings)
            amount_cents=fee_cents,
            payer=citizen,
            purpose=f"{form.title} ({application.reference})"[:200],
            pays_for=PAYS_FOR_APPLICATION,
            booking_data=form.local_service.booking_data,
        )
        application.save(update_fields=["payment"])
        _move(application, Status.AWAITING_PAYMENT, actor=SYSTEM, action="payment_requested")
    if handling.sends_receipt:
        rendered_from, pdf = receipt or (None, b"")
        if rendered_from != draft_version:  # not rendered, or the draft changed since
            pdf = _receipt(application, submitted_at)
        _to_postbox(
            application,
            subject="Eingangsbestätigung",
            body=(
                f"Ihr Antrag „{form.title}“ ist eingegangen. Die Eingangsbestätigung liegt bei."
                + (" Die Bearbeitung beginnt, sobald die Gebühr bezahlt ist." if fee_cents else "")
            ),
            attachment=(f"eingangsbestaetigung-{application.reference}.pdf", pdf),
        )
    if not fee_cents and not form.handled_by_clerk:
        _start_pipeline(application)
    return application


@transaction.atomic
def do_request_review(*, application: Application, message: str) -> Application:
    """Refer a case of an automated handler to a clerk before anything is produced (the
    handler decides when: services.fulfillment for owner data asked with a legitimate
    interest). Called while the case is a draft, before do_submit."""
    application = _locked(application)
    if application.status != Status.DRAFT:
        raise ApplicationRefused("Nur ein noch nicht eingereichter Vorgang kann zur Prüfung gehen.")
    application.review = Review.PENDING
    application.save(update_fields=["review", "updated"])
    _record(application, actor=str(application.citizen), action="review_requested", message=message)
    return application


@transaction.atomic
def do_withdraw(*, application: Application, citizen: Citizen) -> Application:
    application = _locked(application)
    if application.status not in states.WITHDRAWABLE:
        raise ApplicationRefused(
            gettext(
                "Dieser Antrag kann nicht mehr zurückgezogen werden. Bitte wenden Sie sich an "
                "die zuständige Stelle."
            )
        )
    _move(application, Status.CANCELLED, actor=str(citizen), action="withdrawn")
    if application.payment and application.payment.status == Payment.Status.PENDING:
        do_book_payment_event(
            payment_id=application.payment.pk,
            event_id=f"withdrawn:{application.payment.pk}",
            outcome="cancelled",
        )
    return application


@transaction.atomic
def do_reply(
    *,
    application: Application,
    citizen: Citizen,
    message: str,
    attachment: UploadedFile | None = None,
) -> Application:
    """The citizen answers a request for more information."""
    application = _locked(application)
    if not application.information_requested or application.status in states.FINAL:
        raise ApplicationRefused(
            gettext("Zu diesem Antrag wurden keine weiteren Angaben angefordert.")
        )
    if attachment is not None:
        _add_upload(application, "nachreichung", attachment)
    application.information_requested = False
    application.save(update_fields=["information_requested", "updated"])
    _record(application, actor=str(citizen), action="information_supplied", message=message)
    return application


# --- payment and pipelines ------------------------------------------------------------------------


@transaction.atomic
def do_prepare_payment(*, application: Application) -> Payment:
    """The payment the citizen is sent to pay now ("Jetzt bezahlen", "Erneut bezahlen").

    The current one while it can still be started; after a failed or cancelled attempt (or one
    already handed to a provider) a new attempt replaces it: created, linked and audited in this
    transaction, with the application's row locked (and the payment's, in do_next_attempt). The
    caller starts it at the provider after commit. The earlier payment stays as a record; a late
    "paid" on it is settled by do_mark_paid.
    """
    application = _locked(application)
    if application.status != Status.AWAITING_PAYMENT or application.payment_id is None:
        raise ApplicationRefused(gettext("Für diesen Antrag ist keine Zahlung offen."))
    previous = application.payment
    try:
        payment, is_new = do_next_attempt(payment_id=previous.pk, provider=tenant_provider())
    except PaymentError as exc:
        raise ApplicationRefused(
            gettext("Die Gebühr ist bereits eingegangen. Der Antrag wird gleich weiterbearbeitet.")
        ) from exc
    if is_new:
        application.payment = payment
        application.save(update_fields=["payment", "updated"])
        _record(
            application,
            actor=str(application.citizen),
            action="payment_renewed",
            message=(
                f"Neuer Zahlungsversuch; der vorige ist {Payment.Status(previous.status).label}."
                if previous.status != Payment.Status.PENDING
                else "Neuer Zahlungsversuch."
            ),
        )
    return payment


def _refund_extra(application: Application, payment: Payment, reason: str) -> None:
    """A payment the application does not keep (paid twice, or after withdrawal) is given back
    after commit; audited once per payment (reconciliation may ask again until it is done)."""
    note = f"{euro(payment.amount_cents)} werden erstattet ({reason}, Zahlung {payment.pk})."
    if not application.events.filter(action="payment_refund", message=note).exists():
        _record(application, actor=SYSTEM, action="payment_refund", message=note)
    logger.warning("payment %s of %s is refunded: %s", payment.pk, application.reference, reason)
    dispatch(refund_payment, str(payment.pk), f"Antrag {application.reference}: {reason}")


@transaction.atomic
def do_mark_paid(*, payment: Payment) -> Application | None:
    """awaiting payment → paid when the payment is booked; automated handling starts.

    The payment may be any attempt of the application's chain (`payments.selectors`): an
    earlier attempt that was replaced and then paid after all (a second tab, a capture that
    completed late) becomes the application's payment while the fee is still open; when the
    fee is paid already or the application was withdrawn, it is refunded. Nothing is lost and
    nothing is kept twice, in whichever order the bookings arrive (the application's row lock
    serialises them).
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("form", "citizen", "payment")
        .filter(payment_id__in=attempt_ids(payment))
        .first()
    )
    if application is None:
        return None
    payment = Payment.objects.get(pk=payment.pk)
    if payment.status != Payment.Status.PAID:
        return application
    if application.payment_id != payment.pk:
        current = application.payment
        if application.status == Status.AWAITING_PAYMENT and current.status != Payment.Status.PAID:
            application.payment = payment
            application.save(update_fields=["payment", "updated"])
            _record(
                application,
                actor=SYSTEM,
                action="payment_switched",
                message="Ein früherer Zahlungsversuch ist doch eingegangen.",
            )
        else:
            _refund_extra(application, payment, "doppelt bezahlt")
            return application
    elif application.status == Status.CANCELLED:
        _refund_extra(application, payment, "Antrag zurückgezogen")
        return application
    if application.status != Status.AWAITING_PAYMENT:
        return application
    _move(
        application,
        Status.PAID,
        actor=SYSTEM,
        action="paid",
        message=f"{euro(payment.amount_cents)} über {payment.provider}",
    )
    if not application.form.handled_by_clerk:
        _start_pipeline(application)
    return application


def do_run_pipeline(*, application: Application) -> Application:
    """Automated handling: document, postbox, completed. Idempotent: a completed application is
    left alone, so a task run twice (worker killed, reconciliation) delivers once."""
    if application.status in states.FINAL:
        return application
    handler = handlers[application.form.handling]
    filename, pdf, body = handler.produce(application)
    with transaction.atomic():
        application = _locked(application)
        if application.status in states.FINAL:
            return application
        if application.status != Status.IN_PROGRESS:
            _move(application, Status.IN_PROGRESS, actor=SYSTEM, action="automation_started")
        application.document.save(filename, ContentFile(pdf), save=False)
        application.save(update_fields=["document", "updated"])
        _move(application, Status.COMPLETED, actor=SYSTEM, action="completed", message=body)
        _to_postbox(
            application,
            subject=handler.subject(application),
            body=body,
            attachment=(filename, pdf),
        )
    return application


# --- clerk --------------------------------------------------------------------------------------


def _take_over(application: Application, clerk) -> None:
    if application.status in {Status.SUBMITTED, Status.PAID}:
        _move(
            application,
            Status.IN_PROGRESS,
            actor=_actor_label(clerk),
            action="taken_over",
            user=clerk,
        )


def _require_open(application: Application) -> None:
    if application.status not in states.OPEN_FOR_CLERK:
        raise ApplicationRefused(
            f"Ein Antrag im Zustand „{application.get_status_display()}“ kann nicht bearbeitet "
            "werden."
        )


@transaction.atomic
def do_assign(*, application: Application, clerk, assignee) -> Application:
    """Assign to a member of staff (or nobody); an assigned application is in progress."""
    application = _locked(application)
    _require_open(application)
    application.assigned_to = assignee
    application.save(update_fields=["assigned_to", "updated"])
    _record(
        application,
        actor=_actor_label(clerk),
        user=clerk,
        action="assigned",
        message=_actor_label(assignee) if assignee else "niemand",
        visible=False,
    )
    if assignee is not None:
        _take_over(application, clerk)
    return application


@transaction.atomic
def do_request_information(
    *, application: Application, clerk, message: str, attachment: UploadedFile | None = None
) -> Application:
    application = _locked(application)
    _require_open(application)
    _take_over(application, clerk)
    application.information_requested = True
    application.save(update_fields=["information_requested", "updated"])
    _record(
        application,
        actor=_actor_label(clerk),
        user=clerk,
        action="information_requested",
        message=message,
    )
    _to_postbox(
        application,
        subject="Rückfrage zu Ihrem Antrag",
        body=f"{message}\n\nBitte antworten Sie über die Seite Ihres Antrags im Portal.",
        attachment=(attachment.name, attachment.read()) if attachment else None,
    )
    return application


@transaction.atomic
def do_accept(
    *, application: Application, clerk, message: str, document: UploadedFile | None = None
) -> Application:
    """in progress → completed, with the clerk's message and document to the postbox."""
    application = _locked(application)
    _require_open(application)
    _take_over(application, clerk)
    attachment = None
    if document is not None:
        data = document.read()
        application.document.save(document.name, ContentFile(data), save=False)
        application.save(update_fields=["document", "updated"])
        attachment = (document.name, data)
    application.information_requested = False
    application.save(update_fields=["information_requested", "updated"])
    _move(
        application,
        Status.COMPLETED,
        actor=_actor_label(clerk),
        user=clerk,
        action="accepted",
        message=message,
    )
    _to_postbox(
        application, subject="Ihr Antrag ist bewilligt", body=message, attachment=attachment
    )
    return application


@transaction.atomic
def do_approve_review(*, application: Application, clerk, message: str) -> Application:
    """A clerk releases a referred case to its automated handler: audited with the clerk's
    note; the handler's pipeline runs after commit (document into the postbox, completed)."""
    application = _locked(application)
    _require_open(application)
    if application.review != Review.PENDING:
        raise ApplicationRefused("Dieser Vorgang wartet auf keine Prüfung.")
    if application.payment is not None and application.payment.status != Payment.Status.PAID:
        raise ApplicationRefused("Die Gebühr ist noch nicht bezahlt.")
    _take_over(application, clerk)
    application.review = Review.APPROVED
    application.save(update_fields=["review", "updated"])
    _record(
        application,
        actor=_actor_label(clerk),
        user=clerk,
        action="review_approved",
        message=message,
    )
    _start_pipeline(application)
    return application


@transaction.atomic
def do_reject(*, application: Application, clerk, message: str) -> Application:
    """→ rejected, message to the postbox; a paid fee is refunded (after commit, retried by the
    reconciliation task when the provider cannot be reached)."""
    application = _locked(application)
    _require_open(application)
    _move(
        application,
        Status.REJECTED,
        actor=_actor_label(clerk),
        user=clerk,
        action="rejected",
        message=message,
    )
    refund = application.payment is not None and application.payment.status == Payment.Status.PAID
    _to_postbox(
        application,
        subject="Ihr Antrag wurde abgelehnt",
        body=message + ("\n\nDie bezahlte Gebühr wird erstattet." if refund else ""),
    )
    if refund:
        dispatch(REFUND_TASK, str(application.public_id))
    return application


def do_refund_fee(*, application: Application) -> bool:
    """Refund the fee of a rejected application (once); records the outcome in the audit."""
    if application.status != Status.REJECTED or application.payment is None:
        return False
    try:
        payment, refunded = do_refund_payment(
            payment_id=application.payment.pk, reason=f"Antrag {application.reference} abgelehnt"
        )
    except ProviderError as exc:
        logger.warning("refund of %s failed, will retry: %s", application.reference, exc)
        return False
    if refunded:
        _record(
            application,
            actor=SYSTEM,
            action="refunded",
            message=f"{euro(payment.amount_cents)} erstattet",
        )
    return refunded


# --- another system ------------------------------------------------------------------------------


@transaction.atomic
def do_hand_over(
    *, application: Application, actor: str, message: str, action: str = "handed_over"
) -> Application:
    """submitted or paid → in progress, by another system that took the case (a back office
    that accepted it through FIT-Connect), audited under that system's name. Idempotent: a
    case in progress already is left as it is; any other state is refused."""
    application = _locked(application)
    if application.status != Status.IN_PROGRESS:
        _move(application, Status.IN_PROGRESS, actor=actor, action=action, message=message)
    return application


# --- reconciliation ------------------------------------------------------------------------------


def _completed_elsewhere() -> list[str]:
    """Handlers whose cases another system completes: the reconciliation never runs them."""
    return [handler.identifier for handler in handlers if handler.completes_itself]


def do_reconcile(*, min_age_seconds: int = 60) -> dict[str, int]:
    """Settle what a lost task or a crash left behind, in this tenant: paid applications still
    awaiting payment (also through an earlier, replaced attempt that was paid late), payments
    kept by mistake (paid twice, or after withdrawal: refunded), automated applications never
    completed (run now, also those whose payment is settled in this pass), fees of rejected
    applications not yet refunded. Every step is idempotent."""
    cutoff = timezone.now() - timedelta(seconds=min_age_seconds)
    counts = {"paid": 0, "automated": 0, "refunded": 0}
    base = Application.objects.select_related("form", "citizen", "payment")
    settled = base.filter(updated__lte=cutoff)
    just_paid: list[int] = []
    for application in settled.filter(status=Status.AWAITING_PAYMENT, payment__status="paid"):
        do_mark_paid(payment=application.payment)
        just_paid.append(application.pk)
        counts["paid"] += 1
    # a replaced attempt that was paid but is linked to nothing: do_mark_paid finds its
    # application through the chain and links it (fee still open) or refunds it (paid twice)
    for payment in superseded_paid().filter(application__isnull=True, paid_at__lte=cutoff):
        marked = do_mark_paid(payment=payment)
        if marked is not None:
            just_paid.append(marked.pk)
            counts["paid"] += 1
    # the fee of a withdrawn application, booked after the withdrawal: refunded
    for application in settled.filter(status=Status.CANCELLED, payment__status="paid"):
        do_mark_paid(payment=application.payment)
        counts["refunded"] += 1
    stranded = (
        base.filter(
            Q(updated__lte=cutoff) | Q(pk__in=just_paid),
            status__in=[Status.SUBMITTED, Status.PAID, Status.IN_PROGRESS],
        )
        .exclude(form__handling__in=[CLERK, *_completed_elsewhere()])
        .exclude(review=Review.PENDING)
    )
    for application in stranded:
        if application.payment_id and application.payment.status != Payment.Status.PAID:
            continue
        do_run_pipeline(application=application)
        counts["automated"] += 1
    for application in settled.filter(status=Status.REJECTED, payment__status="paid"):
        counts["refunded"] += int(do_refund_fee(application=application))
    return counts
