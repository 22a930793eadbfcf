"""Writes: book (held until the e-mail link is confirmed), confirm, cancel, rebook, staff
statuses, blocked periods, expiry of held bookings, reminders. A slot is given once because
the database refuses an overlapping row on the same counter (exclusion constraint); the
Python check before it only picks a counter likely to be free."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext

from services.accounts.models import Citizen
from services.appointments import mail
from services.appointments.models import (
    OPEN,
    Appointment,
    Block,
    OfficeSchedule,
    Status,
    new_secret,
)
from services.appointments.selectors import (
    NotBookable,
    booked_items,
    booking_window,
    load_calendar,
    next_free,
)
from services.appointments.slots import BERLIN, free_counters

logger = logging.getLogger(__name__)

HOLD_MINUTES = 30
MAX_HELD_PER_EMAIL = 2
MAX_HELD_PER_ADDRESS = 5
ATTEMPTS_PER_HOUR = 30
SLOT_CONSTRAINT = "appointment_slot_given_once"
CODE_ALPHABET = "ACEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B


class BookingRefused(Exception):
    """A booking or change that cannot be made; the message is for the citizen."""


class SlotTaken(BookingRefused):
    """Somebody else was faster; `next_free` are the next free starts to offer instead."""

    def __init__(self, *, next_free: list[datetime]) -> None:
        super().__init__("Dieser Termin ist leider gerade vergeben.")
        self.next_free = next_free


class TooManyAttempts(BookingRefused):
    pass


def client_key(address: str) -> str:
    """A keyed hash of an IP address: enough to count bookings per address, not to recover it."""
    if not address:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _tenant_name() -> str:
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "name", "") or "Kreisportal"


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
    return f"{raw[:3]}-{raw[3:]}"


def check_attempts(client: str) -> None:
    """Rate limit per address (all booking attempts of the last hour, this portal)."""
    if not client:
        return
    key = f"appointments:attempts:{client}"
    if cache.add(key, 1, timeout=3600):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > ATTEMPTS_PER_HOUR:
        raise TooManyAttempts(
            gettext(
                "Von Ihrem Anschluss kamen in der letzten Stunde sehr viele Buchungsversuche. "
                "Bitte versuchen Sie es später noch einmal."
            )
        )


def _expire_stale_holds(schedule: OfficeSchedule | None, now: datetime) -> int:
    held = Appointment.objects.filter(status=Status.HELD, held_until__lt=now)
    if schedule is not None:
        held = held.filter(schedule=schedule)
    return held.update(status=Status.EXPIRED)


def _check_limits(schedule: OfficeSchedule, email: str, client: str, now: datetime) -> None:
    email = email.lower()
    held = Appointment.objects.filter(status=Status.HELD, held_until__gte=now)
    if held.filter(email__iexact=email).count() >= MAX_HELD_PER_EMAIL:
        raise BookingRefused(
            gettext(
                "Für diese E-Mail-Adresse warten schon %(count)s Reservierungen auf die "
                "Bestätigung. Bitte bestätigen Sie zuerst diese über den Link in der E-Mail "
                "(oder warten Sie 30 Minuten)."
            )
            % {"count": MAX_HELD_PER_EMAIL}
        )
    if client and held.filter(client_key=client).count() >= MAX_HELD_PER_ADDRESS:
        raise BookingRefused(
            gettext(
                "Von Ihrem Anschluss warten schon mehrere Reservierungen auf die Bestätigung. "
                "Bitte bestätigen Sie zuerst diese."
            )
        )
    open_here = Appointment.objects.filter(
        schedule=schedule, email__iexact=email, status__in=OPEN, starts__gte=now
    ).count()
    if open_here >= schedule.max_open_per_email:
        raise BookingRefused(
            gettext(
                "Mit dieser E-Mail-Adresse sind bei %(office)s schon %(count)s Termine gebucht "
                "(höchstens %(limit)s). Bitte sagen Sie einen ab oder verschieben Sie ihn."
            )
            % {
                "office": schedule.office.name,
                "count": open_here,
                "limit": schedule.max_open_per_email,
            }
        )


def _slot_conflict(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", "") == SLOT_CONSTRAINT


def _insert(values: dict, counters: list[int]) -> Appointment | None:
    """Create the appointment on the first counter the database accepts; None if all taken."""
    for counter in counters:
        for _attempt in range(3):  # a clash of booking codes: draw a new one
            try:
                with transaction.atomic():
                    return Appointment.objects.create(counter=counter, code=_new_code(), **values)
            except IntegrityError as exc:
                if _slot_conflict(exc):
                    break
                if "code" not in str(exc):
                    raise
    return None


def _in_window(schedule: OfficeSchedule, starts: datetime, now: datetime) -> None:
    earliest, last = booking_window(schedule, now)
    if starts < earliest:
        raise BookingRefused(gettext("Dieser Termin liegt zu kurz in der Zukunft oder ist vorbei."))
    if starts.astimezone(BERLIN).date() > last:
        raise BookingRefused(
            gettext("Termine sind höchstens %(days)s Tage im Voraus buchbar.")
            % {"days": schedule.book_ahead_days}
        )


def do_book_appointment(
    *,
    schedule: OfficeSchedule,
    keys: list[str],
    starts: datetime,
    name: str,
    email: str,
    phone: str = "",
    citizen: Citizen | None = None,
    client: str = "",
    base_url: str = "",
    language: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Hold a slot for HOLD_MINUTES and send the confirmation link. Raises BookingRefused
    (SlotTaken with the next free starts when somebody else was faster). `language`: the
    citizen's UI language (the active one when not given); every e-mail about this
    appointment is written in it."""
    now = now or timezone.now()
    try:
        items = booked_items(schedule, keys)
    except NotBookable as exc:
        raise BookingRefused(str(exc)) from exc
    minutes = sum(item["minutes"] for item in items)
    _in_window(schedule, starts, now)
    check_attempts(client)
    with transaction.atomic():
        _expire_stale_holds(schedule, now)
        _check_limits(schedule, email, client, now)
        day = starts.astimezone(BERLIN).date()
        counters = free_counters(load_calendar(schedule, day, day), starts, minutes)
        appointment = _insert(
            {
                "schedule": schedule,
                "starts": starts,
                "ends": starts + timedelta(minutes=minutes),
                "status": Status.HELD,
                "name": name.strip()[:200],
                "email": email.strip(),
                "phone": phone.strip()[:40],
                "citizen": citizen,
                "services": items,
                "client_key": client,
                "language": mail.mail_language(language or get_language()),
                "held_until": now + timedelta(minutes=HOLD_MINUTES),
            },
            counters,
        )
        if appointment is not None:
            url, tenant_name = base_url or mail.portal_base_url(), _tenant_name()
            transaction.on_commit(
                lambda: mail.send_hold_mail(appointment, base_url=url, tenant_name=tenant_name)
            )
            logger.info("appointment %s held at %s", appointment.code, schedule.pk)
            return appointment
    raise SlotTaken(next_free=next_free(schedule, minutes, now=now))


def do_confirm_appointment(
    *, appointment: Appointment, base_url: str = "", now: datetime | None = None
) -> Appointment:
    """Double opt-in: the link from the e-mail turns the held booking into an appointment."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status == Status.CONFIRMED:
            return appointment  # the link clicked twice
        if appointment.status == Status.HELD and appointment.held_until < now:
            appointment.status = Status.EXPIRED
            appointment.save(update_fields=["status"])
        if appointment.status != Status.HELD:
            raise BookingRefused(
                gettext(
                    "Diese Reservierung ist abgelaufen oder wurde abgesagt. Bitte buchen Sie "
                    "einen neuen Termin."
                )
            )
        appointment.status = Status.CONFIRMED
        appointment.confirmed_at = now
        appointment.held_until = None
        appointment.save(update_fields=["status", "confirmed_at", "held_until"])
        url, tenant_name = base_url or mail.portal_base_url(), _tenant_name()
        confirmed = appointment
        transaction.on_commit(
            lambda: mail.send_confirmation_mail(confirmed, base_url=url, tenant_name=tenant_name)
        )
    return appointment


def _cancel(appointment: Appointment, now: datetime, reason: str) -> None:
    appointment.status = Status.CANCELLED
    appointment.cancelled_at = now
    appointment.cancel_reason = reason[:200]
    appointment.save(update_fields=["status", "cancelled_at", "cancel_reason"])


def do_cancel_appointment(
    *,
    appointment: Appointment,
    by_office: bool = False,
    reason: str = "",
    base_url: str = "",
    now: datetime | None = None,
) -> Appointment:
    now = now or timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update()
            .select_related("schedule__office")
            .get(pk=appointment.pk)
        )
        if appointment.status not in OPEN or appointment.starts < now:
            raise BookingRefused(gettext("Dieser Termin kann nicht mehr abgesagt werden."))
        _cancel(appointment, now, reason or ("durch die Verwaltung" if by_office else ""))
        url, tenant_name = base_url or mail.portal_base_url(), _tenant_name()
        cancelled = appointment
        transaction.on_commit(
            lambda: mail.send_cancel_mail(
                cancelled, base_url=url, tenant_name=tenant_name, by_office=by_office
            )
        )
    return appointment


def do_rebook_appointment(
    *,
    appointment: Appointment,
    starts: datetime,
    base_url: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Move a confirmed appointment to another start at the same office, in one transaction:
    the old slot is released only if the new one is given."""
    now = now or timezone.now()
    if appointment.status != Status.CONFIRMED or appointment.starts < now:
        raise BookingRefused(gettext("Dieser Termin kann nicht mehr verschoben werden."))
    schedule = appointment.schedule
    _in_window(schedule, starts, now)
    minutes = sum(int(item["minutes"]) for item in appointment.services)
    with transaction.atomic():
        old = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if old.status != Status.CONFIRMED:
            raise BookingRefused(gettext("Dieser Termin kann nicht mehr verschoben werden."))
        _cancel(old, now, "umgebucht")
        day = starts.astimezone(BERLIN).date()
        counters = free_counters(load_calendar(schedule, day, day), starts, minutes)
        new = _insert(
            {
                "schedule": schedule,
                "starts": starts,
                "ends": starts + timedelta(minutes=minutes),
                "status": Status.CONFIRMED,
                "confirmed_at": now,
                "name": old.name,
                "email": old.email,
                "phone": old.phone,
                "citizen_id": old.citizen_id,
                "services": old.services,
                "client_key": old.client_key,
                "language": old.language,
            },
            counters,
        )
        if new is None:
            transaction.set_rollback(True)
        else:
            old.rebooked_to = new
            old.save(update_fields=["rebooked_to"])
            url, tenant_name = base_url or mail.portal_base_url(), _tenant_name()
            transaction.on_commit(
                lambda: mail.send_confirmation_mail(
                    new, base_url=url, tenant_name=tenant_name, rebooked=True
                )
            )
            return new
    raise SlotTaken(next_free=next_free(schedule, minutes, now=now))


# staff: what may follow what in the day view
TRANSITIONS = {
    Status.ARRIVED: {Status.CONFIRMED, Status.NO_SHOW},
    Status.CALLED: {Status.ARRIVED, Status.CALLED, Status.CONFIRMED},
    Status.DONE: {Status.ARRIVED, Status.CALLED, Status.CONFIRMED},
    Status.NO_SHOW: {Status.CONFIRMED, Status.HELD},
}


def do_set_status(
    *,
    appointment: Appointment,
    status: str,
    counter: int | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Clerk marks an appointment arrived, called (to a counter), done or not shown up."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        allowed = TRANSITIONS.get(status)
        if allowed is None or appointment.status not in allowed:
            raise BookingRefused(
                f"Statuswechsel von „{appointment.get_status_display()}“ nicht möglich."
            )
        fields = ["status"]
        appointment.status = status
        if status == Status.ARRIVED:
            appointment.arrived_at = now
            fields.append("arrived_at")
        elif status == Status.CALLED:
            appointment.called_at = now
            appointment.called_counter = counter or appointment.counter
            fields += ["called_at", "called_counter"]
        else:
            appointment.finished_at = now
            fields.append("finished_at")
        appointment.save(update_fields=fields)
    return appointment


@dataclass
class BlockOutcome:
    block: Block
    moved: list[Appointment]
    cancelled: list[Appointment]


def do_block_period(
    *,
    schedule: OfficeSchedule,
    counter: int | None,
    starts: datetime,
    ends: datetime,
    reason: str = "",
    user=None,
    base_url: str = "",
    now: datetime | None = None,
) -> BlockOutcome:
    """Block a counter (or all) for a period. Appointments in it move to another free counter
    at the same time where one is free; the others are cancelled and told by e-mail with a
    link to book again."""
    now = now or timezone.now()
    if starts >= ends:
        raise BookingRefused("Das Ende der Sperrung muss nach ihrem Beginn liegen.")
    if counter is not None and not 1 <= counter <= schedule.counters:
        raise BookingRefused(f"Schalter {counter} gibt es hier nicht (1–{schedule.counters}).")
    moved: list[Appointment] = []
    cancelled: list[Appointment] = []
    with transaction.atomic():
        block = Block.objects.create(
            schedule=schedule,
            counter=counter,
            starts=starts,
            ends=ends,
            reason=reason[:200],
            created_by=user if getattr(user, "pk", None) else None,
        )
        affected = Appointment.objects.select_for_update().filter(
            schedule=schedule, status__in=OPEN, starts__lt=ends, ends__gt=starts
        )
        if counter is not None:
            affected = affected.filter(counter=counter)
        url, tenant_name = base_url or mail.portal_base_url(), _tenant_name()
        for appointment in affected.order_by("starts"):
            day = appointment.starts.astimezone(BERLIN).date()
            cal = load_calendar(schedule, day, day, exclude=appointment)
            target = None
            for other in free_counters(cal, appointment.starts, appointment.minutes):
                try:
                    with transaction.atomic():
                        Appointment.objects.filter(pk=appointment.pk).update(counter=other)
                    target = other
                    break
                except IntegrityError as exc:
                    if not _slot_conflict(exc):
                        raise
            if target is not None:
                appointment.counter = target
                moved.append(appointment)
                continue
            _cancel(appointment, now, reason or "Schalter gesperrt")
            cancelled.append(appointment)
            transaction.on_commit(
                lambda a=appointment: mail.send_cancel_mail(
                    a, base_url=url, tenant_name=tenant_name, by_office=True
                )
            )
    return BlockOutcome(block=block, moved=moved, cancelled=cancelled)


def do_expire_holds(*, now: datetime | None = None) -> int:
    """Held bookings not confirmed in time release their slot (beat; lazily on booking too)."""
    with transaction.atomic():
        return _expire_stale_holds(None, now or timezone.now())


def do_send_reminders(*, now: datetime | None = None, base_url: str = "") -> int:
    """The day before: one reminder per confirmed appointment of tomorrow."""
    now = now or timezone.now()
    tomorrow = now.astimezone(BERLIN).date() + timedelta(days=1)
    lo = datetime.combine(tomorrow, datetime.min.time(), tzinfo=BERLIN)
    url, tenant_name = base_url or mail.portal_base_url(), _tenant_name()
    sent = 0
    with transaction.atomic():
        due = (
            Appointment.objects.select_for_update(skip_locked=True)
            .select_related("schedule__office")
            .filter(
                status=Status.CONFIRMED,
                reminded_at__isnull=True,
                is_demo=False,
                starts__gte=lo,
                starts__lt=lo + timedelta(days=1),
            )
        )
        for appointment in due:
            appointment.reminded_at = now
            appointment.save(update_fields=["reminded_at"])
            transaction.on_commit(
                lambda a=appointment: mail.send_reminder_mail(
                    a, base_url=url, tenant_name=tenant_name
                )
            )
            sent += 1
    return sent


def do_renew_links(*, appointment: Appointment) -> Appointment:
    """A new secret: every link sent so far stops working."""
    appointment.secret = new_secret()
    appointment.save(update_fields=["secret"])
    return appointment
