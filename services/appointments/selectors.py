"""Reads: what can be booked where, free slots, the staff's day, the waiting-room screen."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import BigIntegerField, F, Func, Prefetch, Q, TextField
from django.utils import timezone

from services.appointments.models import (
    RELEASED,
    Appointment,
    Block,
    OfficeSchedule,
    OfficeService,
    ScheduleException,
    Status,
)
from services.appointments.slots import (
    BERLIN,
    Calendar,
    Exception_,
    day_spans,
    days_between,
    free_starts,
    holiday_name,
)
from services.models import Service


class NotBookable(ValueError):
    """The services cannot be booked together at this office (message for the citizen)."""


@dataclass(frozen=True)
class Offer:
    service: Service
    schedules: list[OfficeSchedule]


def bookable_services() -> list[Offer]:
    """Catalogue services this tenant's offices offer by appointment, by name."""
    rows = (
        OfficeService.objects.filter(schedule__active=True)
        .select_related("schedule__office")
        .order_by("service_id")
    )
    by_key: dict[str, list[OfficeSchedule]] = {}
    for row in rows:
        by_key.setdefault(row.service_id, []).append(row.schedule)
    services = Service.objects.filter(pk__in=by_key).only("id", "leika_key", "name")
    return sorted(
        (Offer(service=s, schedules=by_key[s.pk]) for s in services),
        key=lambda offer: offer.service.name,
    )


def schedules_offering(keys: list[str]) -> list[OfficeSchedule]:
    """Active schedules offering every one of the services (LeiKa keys)."""
    if not keys:
        return []
    queryset = OfficeSchedule.objects.filter(active=True).select_related("office")
    for key in set(keys):
        queryset = queryset.filter(
            pk__in=OfficeService.objects.filter(service__leika_key=key).values("schedule_id")
        )
    return list(queryset)


def booked_items(schedule: OfficeSchedule, keys: list[str]) -> list[dict]:
    """[{"key", "name", "minutes"}] for the chosen services (LeiKa keys) at this office, in
    the order chosen, or NotBookable naming the problem."""
    unique = list(dict.fromkeys(keys))
    if not unique:
        raise NotBookable("Bitte wählen Sie mindestens eine Leistung.")
    if len(unique) > schedule.max_services:
        raise NotBookable(f"Pro Termin sind höchstens {schedule.max_services} Leistungen möglich.")
    rows = {
        row.service.leika_key: row
        for row in OfficeService.objects.filter(
            schedule=schedule, service__leika_key__in=unique
        ).select_related("service")
    }
    missing = [key for key in unique if key not in rows]
    if missing:
        raise NotBookable("Diese Dienststelle bietet nicht alle gewählten Leistungen an.")
    return [
        {
            "key": rows[key].service.leika_key,
            "name": rows[key].service.name,
            "minutes": rows[key].minutes,
        }
        for key in unique
    ]


def booking_window(schedule: OfficeSchedule, now: datetime | None = None) -> tuple[datetime, date]:
    """The earliest start and the last bookable day."""
    now = now or timezone.now()
    earliest = now + timedelta(minutes=schedule.min_notice_minutes)
    last = now.astimezone(BERLIN).date() + timedelta(days=schedule.book_ahead_days)
    return earliest, last


def _epoch(field: str) -> Func:
    return Func(
        F(field),
        template="EXTRACT(EPOCH FROM %(expressions)s)::bigint",
        output_field=BigIntegerField(),
    )


def _text(field: str) -> Func:
    return Func(F(field), template="%(expressions)s::text", output_field=TextField())


def load_calendars(
    schedules: list[OfficeSchedule],
    first: date,
    last: date,
    *,
    exclude: Appointment | None = None,
) -> dict:
    """Everything the slot computation needs for these days and offices, by schedule id: two
    queries however many offices (exceptions, and the busy intervals of appointments and
    blocks in one UNION)."""
    lo = datetime.combine(first, datetime.min.time(), tzinfo=BERLIN)
    hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=BERLIN)
    ids = [schedule.pk for schedule in schedules]
    exceptions: dict = {pk: [] for pk in ids}
    for e in ScheduleException.objects.filter(schedule_id__in=ids, date__gte=first, date__lte=last):
        exceptions[e.schedule_id].append(
            Exception_(
                day=e.date,
                closed=e.kind == ScheduleException.Kind.CLOSED,
                opens=e.opens,
                closes=e.closes,
            )
        )
    appointments = Appointment.objects.filter(
        schedule_id__in=ids, starts__lt=hi, ends__gt=lo
    ).exclude(status__in=RELEASED)
    if exclude is not None:
        appointments = appointments.exclude(pk=exclude.pk)
    blocks = Block.objects.filter(schedule_id__in=ids, starts__lt=hi, ends__gt=lo)
    # epoch seconds, not datetimes: parsing thousands of timestamps costs more than the rest;
    # read through the cursor: plain integers need none of the ORM's per-row converters
    # the schedule as text: a UUID object per row costs more than the row's other work
    columns = ("sid", "counter", "s", "e")
    union = (
        appointments.annotate(sid=_text("schedule_id"), s=_epoch("starts"), e=_epoch("ends"))
        .values_list(*columns)
        .union(
            blocks.annotate(
                sid=_text("schedule_id"), s=_epoch("starts"), e=_epoch("ends")
            ).values_list(*columns),
            all=True,
        )
    )
    sql, params = union.query.sql_with_params()
    by_text: dict[str, list] = {str(pk): [] for pk in ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for schedule_id, counter, starts, ends in cursor.fetchall():
            by_text[schedule_id].append((counter, starts, ends))
    busy = {pk: by_text[str(pk)] for pk in ids}
    return {
        schedule.pk: Calendar(
            counters=schedule.counters,
            slot_minutes=schedule.slot_minutes,
            weekly=schedule.weekly_hours,
            exceptions=exceptions[schedule.pk],
            busy=busy[schedule.pk],
        )
        for schedule in schedules
    }


def load_calendar(
    schedule: OfficeSchedule, first: date, last: date, *, exclude: Appointment | None = None
) -> Calendar:
    return load_calendars([schedule], first, last, exclude=exclude)[schedule.pk]


@dataclass(frozen=True)
class OfficeSlots:
    schedule: OfficeSchedule
    minutes: int
    starts: list[datetime]


def free_slots_at_offices(
    schedules: list[OfficeSchedule],
    key: str,
    first: date,
    last: date,
    *,
    now: datetime | None = None,
) -> list[OfficeSlots]:
    """Every free start for one service (LeiKa key) at each office, [first, last]: four
    queries for any number of offices (the API's answer)."""
    now = now or timezone.now()
    minutes = {
        row.schedule_id: row.minutes
        for row in OfficeService.objects.filter(
            schedule__in=schedules, service__leika_key=key
        ).only("schedule_id", "minutes")
    }
    offering = [s for s in schedules if s.pk in minutes]
    calendars = load_calendars(offering, first, last) if offering else {}
    result = []
    for schedule in offering:
        earliest, last_bookable = booking_window(schedule, now)
        lo, hi = max(first, earliest.astimezone(BERLIN).date()), min(last, last_bookable)
        starts: list[datetime] = []
        for day in days_between(lo, hi):
            starts.extend(
                free_starts(calendars[schedule.pk], day, minutes[schedule.pk], earliest=earliest)
            )
        result.append(OfficeSlots(schedule=schedule, minutes=minutes[schedule.pk], starts=starts))
    return result


def days_with_free_slots(
    schedule: OfficeSchedule,
    minutes: int,
    first: date,
    last: date,
    *,
    now: datetime | None = None,
    exclude: Appointment | None = None,
) -> dict[date, datetime]:
    """Each bookable day in [first, last] with its first free start."""
    earliest, last_bookable = booking_window(schedule, now)
    first = max(first, earliest.astimezone(BERLIN).date())
    last = min(last, last_bookable)
    if first > last:
        return {}
    cal = load_calendar(schedule, first, last, exclude=exclude)
    found = {}
    for day in days_between(first, last):
        starts = free_starts(cal, day, minutes, earliest=earliest, first_only=True)
        if starts:
            found[day] = starts[0]
    return found


def free_times(
    schedule: OfficeSchedule,
    minutes: int,
    day: date,
    *,
    now: datetime | None = None,
    exclude: Appointment | None = None,
) -> list[datetime]:
    earliest, last_bookable = booking_window(schedule, now)
    if day > last_bookable or day < earliest.astimezone(BERLIN).date():
        return []
    cal = load_calendar(schedule, day, day, exclude=exclude)
    return free_starts(cal, day, minutes, earliest=earliest)


def next_free(
    schedule: OfficeSchedule, minutes: int, *, now: datetime | None = None, count: int = 3
) -> list[datetime]:
    """The next few free starts (for "leider gerade vergeben")."""
    earliest, last = booking_window(schedule, now)
    first = earliest.astimezone(BERLIN).date()
    cal = load_calendar(schedule, first, last)
    found: list[datetime] = []
    for day in days_between(first, last):
        found.extend(free_starts(cal, day, minutes, earliest=earliest)[: count - len(found)])
        if len(found) >= count:
            break
    return found


@dataclass(frozen=True)
class CalendarDay:
    day: date
    in_month: bool
    first_free: datetime | None
    holiday: str


def month_grid(
    schedule: OfficeSchedule,
    minutes: int,
    year: int,
    month: int,
    *,
    now: datetime | None = None,
    exclude: Appointment | None = None,
) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of the month, each day with its first free start or None."""
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    free = days_with_free_slots(
        schedule, minutes, weeks[0][0], weeks[-1][-1], now=now, exclude=exclude
    )
    return [
        [
            CalendarDay(
                day=d, in_month=d.month == month, first_free=free.get(d), holiday=holiday_name(d)
            )
            for d in week
        ]
        for week in weeks
    ]


def appointments_of_day(schedule: OfficeSchedule, day: date) -> list[Appointment]:
    lo = datetime.combine(day, datetime.min.time(), tzinfo=BERLIN)
    return list(
        Appointment.objects.filter(
            schedule=schedule, starts__gte=lo, starts__lt=lo + timedelta(days=1)
        )
        .exclude(status=Status.EXPIRED)
        .order_by("starts", "counter")
    )


def blocks_of_day(schedule: OfficeSchedule, day: date) -> list[Block]:
    lo = datetime.combine(day, datetime.min.time(), tzinfo=BERLIN)
    return list(
        Block.objects.filter(schedule=schedule, starts__lt=lo + timedelta(days=1), ends__gt=lo)
    )


def appointments_outside_hours(
    schedule: OfficeSchedule, *, now: datetime | None = None, limit: int = 200
) -> list[Appointment]:
    """Booked future appointments that no longer fit the office's hours or counters (after a
    change of the schedule): staff must act on them, nothing drops them silently."""
    now = now or timezone.now()
    future = list(
        Appointment.objects.filter(
            schedule=schedule, starts__gte=now, status__in=[Status.HELD, Status.CONFIRMED]
        ).order_by("starts")[:2000]
    )
    if not future:
        return []
    first = future[0].starts.astimezone(BERLIN).date()
    last = future[-1].starts.astimezone(BERLIN).date()
    cal = load_calendar(schedule, first, last)
    spans_by_day: dict[date, list[tuple[int, int]]] = {}
    misfits = []
    for appointment in future:
        day = appointment.starts.astimezone(BERLIN).date()
        if day not in spans_by_day:
            spans_by_day[day] = day_spans(cal, day)
        s, e = int(appointment.starts.timestamp()), int(appointment.ends.timestamp())
        inside = any(o <= s and e <= c for o, c in spans_by_day[day])
        if not inside or appointment.counter > schedule.counters:
            misfits.append(appointment)
            if len(misfits) >= limit:
                break
    return misfits


def called_codes(schedule: OfficeSchedule, *, now: datetime | None = None) -> list[Appointment]:
    """Today's call-ups for the waiting-room screen, latest first (codes and counters only)."""
    now = now or timezone.now()
    lo = datetime.combine(now.astimezone(BERLIN).date(), datetime.min.time(), tzinfo=BERLIN)
    return list(
        Appointment.objects.filter(schedule=schedule, called_at__gte=lo, status=Status.CALLED)
        .only("code", "counter", "called_counter", "called_at")
        .order_by("-called_at")[:10]
    )


def citizen_appointments(citizen) -> list[Appointment]:
    """A signed-in citizen's current and future appointments in this tenant."""
    return list(
        Appointment.objects.filter(
            Q(citizen=citizen),
            status__in=[Status.HELD, Status.CONFIRMED, Status.ARRIVED, Status.CALLED],
            ends__gte=timezone.now(),
        )
        .select_related("schedule__office")
        .order_by("starts")[:20]
    )


def schedules_with_office() -> list[OfficeSchedule]:
    return list(
        OfficeSchedule.objects.select_related("office").prefetch_related(
            Prefetch("offered_services", queryset=OfficeService.objects.order_by("service_id"))
        )
    )


def export_appointments(*, citizen, export: dict) -> None:
    """The citizen's appointments in the GDPR export (services.accounts.hooks)."""
    export["appointments"] = [
        {
            "code": a.code,
            "office": a.schedule.office.name,
            "starts": a.starts.isoformat(),
            "ends": a.ends.isoformat(),
            "services": [item.get("name", "") for item in a.services],
            "status": a.status,
            "name": a.name,
            "email": a.email,
            "phone": a.phone,
        }
        for a in Appointment.objects.filter(citizen=citizen).select_related("schedule__office")
    ]
