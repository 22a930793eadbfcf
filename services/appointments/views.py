"""Citizen pages of the booking: services → office → day → time → name and e-mail; the
confirmation link (a page with a button: no state change on GET), the personal link to see,
rebook or cancel, the ICS file, and the waiting-room screen."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from services.accounts.access import current_citizen
from services.appointments import selectors
from services.appointments.access import (
    CONFIRM,
    MANAGE,
    access_appointment_by_token,
    access_schedule,
    appointment_token,
)
from services.appointments.actions import (
    BookingRefused,
    SlotTaken,
    client_key,
    do_book_appointment,
    do_cancel_appointment,
    do_confirm_appointment,
    do_rebook_appointment,
)
from services.appointments.forms import BookingForm
from services.appointments.mail import ics_bytes, what_to_bring
from services.appointments.models import OPEN, Appointment, OfficeSchedule, Status
from services.appointments.slots import BERLIN

LEIKA = re.compile(r"^\d{14}$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MONTHS = [
    gettext_lazy("Januar"),
    gettext_lazy("Februar"),
    gettext_lazy("März"),
    gettext_lazy("April"),
    gettext_lazy("Mai"),
    gettext_lazy("Juni"),
    gettext_lazy("Juli"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("Oktober"),
    gettext_lazy("November"),
    gettext_lazy("Dezember"),
]


class BadInput(ValueError):
    pass


def _keys(request: HttpRequest) -> list[str]:
    keys = [k.strip() for k in request.GET.getlist("leistung") if k.strip()]
    if any(not LEIKA.match(k) for k in keys) or len(keys) > 10:
        raise BadInput(_("Unbekannte Leistung."))
    return list(dict.fromkeys(keys))


def _month(value: str, today: date) -> tuple[int, int]:
    if not value:
        return today.year, today.month
    match = MONTH.match(value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise BadInput(_("Ungültiger Monat."))
    return int(match[1]), int(match[2])


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadInput(_("Ungültiger Tag.")) from exc


def _start(value: str) -> datetime:
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        raise BadInput(_("Ungültige Uhrzeit.")) from exc
    return moment.replace(tzinfo=BERLIN)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _client(request: HttpRequest) -> str:
    return client_key(request.META.get("REMOTE_ADDR", ""))


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return TemplateResponse(request, "appointments/problem.html", {"message": message}, status=400)


def _query(keys: list[str], **extra: str) -> str:
    params = [("leistung", k) for k in keys] + [(k, v) for k, v in extra.items() if v]
    return urlencode(params)


def start(request: HttpRequest) -> HttpResponse:
    """Step 1 and 2: the services, then the offices offering all of them."""
    try:
        keys = _keys(request)
    except BadInput as exc:
        return _bad(request, str(exc))
    offers = selectors.bookable_services()
    preselected = request.GET.get("dienststelle", "")
    if preselected:
        offers = [o for o in offers if any(str(s.pk) == preselected for s in o.schedules)]
    schedules = selectors.schedules_offering(keys) if keys else []
    if keys and len(schedules) == 1:
        return redirect(
            reverse("appointments:calendar", args=[schedules[0].pk]) + "?" + _query(keys)
        )
    return TemplateResponse(
        request,
        "appointments/start.html",
        {
            "offers": offers,
            "chosen": keys,
            "schedules": schedules,
            "query": _query(keys),
            "nothing": bool(keys) and not schedules,
        },
    )


def _calendar_context(
    request: HttpRequest,
    schedule: OfficeSchedule,
    items: list[dict],
    *,
    exclude: Appointment | None = None,
) -> dict:
    minutes = sum(int(item["minutes"]) for item in items)
    today = timezone.localdate()
    chosen_day = request.GET.get("tag", "")
    context: dict = {
        "schedule": schedule,
        "office": schedule.office,
        "items": items,
        "minutes": minutes,
    }
    if chosen_day:
        day = _day(chosen_day)
        context["day"] = day
        context["times"] = selectors.free_times(schedule, minutes, day, exclude=exclude)
        return context
    year, month = _month(request.GET.get("monat", ""), today)
    earliest, last = selectors.booking_window(schedule)
    first_month = (today.year, today.month)
    last_month = (last.year, last.month)
    if not first_month <= (year, month) <= last_month:
        raise BadInput(_("Für diesen Monat können keine Termine gebucht werden."))
    context["weeks"] = selectors.month_grid(schedule, minutes, year, month, exclude=exclude)
    context["month_label"] = f"{MONTHS[month - 1]} {year}"
    previous = (year, month - 1) if month > 1 else (year - 1, 12)
    following = (year, month + 1) if month < 12 else (year + 1, 1)
    context["previous"] = f"{previous[0]}-{previous[1]:02d}" if previous >= first_month else ""
    context["next"] = f"{following[0]}-{following[1]:02d}" if following <= last_month else ""
    context["has_free"] = any(d.first_free and d.in_month for w in context["weeks"] for d in w)
    return context


def calendar(request: HttpRequest, schedule_id) -> HttpResponse:
    """Step 3 and 4: days with free slots (a month, no JavaScript needed), then the times."""
    schedule = access_schedule(str(schedule_id))
    try:
        keys = _keys(request)
        items = selectors.booked_items(schedule, keys)
        context = _calendar_context(request, schedule, items)
    except (BadInput, selectors.NotBookable) as exc:
        return _bad(request, str(exc))
    context.update(
        {
            "query": _query(keys),
            "keys": keys,
            "base_path": reverse("appointments:calendar", args=[schedule.pk]),
            "time_action": reverse("appointments:book", args=[schedule.pk]),
            "time_method": "get",
        }
    )
    return TemplateResponse(request, "appointments/calendar.html", context)


def _prefill(request: HttpRequest) -> dict:
    citizen = current_citizen(request)
    if citizen is None:
        return {}
    return {
        "name": f"{citizen.given_name} {citizen.family_name}".strip(),
        "email": citizen.email,
    }


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, schedule_id) -> HttpResponse:
    """Step 5: name and e-mail; POST holds the slot and sends the confirmation link."""
    schedule = access_schedule(str(schedule_id))
    source = request.POST if request.method == "POST" else request.GET
    try:
        keys = [k for k in source.getlist("leistung") if k]
        if any(not LEIKA.match(k) for k in keys):
            raise BadInput(_("Unbekannte Leistung."))
        items = selectors.booked_items(schedule, keys)
        starts = _start(source.get("beginn", ""))
    except (BadInput, selectors.NotBookable) as exc:
        return _bad(request, str(exc))
    context = {
        "schedule": schedule,
        "office": schedule.office,
        "items": items,
        "starts": starts,
        "keys": keys,
        "beginn": source.get("beginn", ""),
        "back": reverse("appointments:calendar", args=[schedule.pk])
        + "?"
        + _query(keys, tag=starts.date().isoformat()),
    }
    if request.method == "GET":
        context["form"] = BookingForm(initial=_prefill(request))
        return TemplateResponse(request, "appointments/book.html", context)
    form = BookingForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return TemplateResponse(request, "appointments/book.html", context, status=400)
    try:
        appointment = do_book_appointment(
            schedule=schedule,
            keys=keys,
            starts=starts,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            citizen=current_citizen(request),
            client=_client(request),
            base_url=_base_url(request),
            language=getattr(request, "LANGUAGE_CODE", ""),
        )
    except SlotTaken as exc:
        context.update({"taken": True, "next_free": exc.next_free, "error": str(exc)})
        return TemplateResponse(request, "appointments/book.html", context, status=409)
    except BookingRefused as exc:
        context["error"] = str(exc)
        return TemplateResponse(request, "appointments/book.html", context, status=400)
    return TemplateResponse(request, "appointments/held.html", {"appointment": appointment})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: GET shows the appointment and a button, POST confirms."""
    appointment = access_appointment_by_token(token, CONFIRM)
    if appointment.status in (Status.CONFIRMED, Status.ARRIVED, Status.CALLED):
        # the link opened again after confirming: show the appointment (a GET changes nothing)
        return redirect("appointments:manage", appointment_token(appointment, MANAGE))
    error = ""
    if request.method == "POST":
        try:
            appointment = do_confirm_appointment(
                appointment=appointment, base_url=_base_url(request)
            )
        except BookingRefused as exc:
            error = str(exc)
        else:
            return redirect("appointments:manage", appointment_token(appointment, MANAGE))
    expired = appointment.status == Status.HELD and appointment.held_until < timezone.now()
    return TemplateResponse(
        request,
        "appointments/confirm.html",
        {"appointment": appointment, "error": error, "expired": expired},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """The personal link: the appointment, what to bring, the calendar file; cancel (POST)."""
    appointment = access_appointment_by_token(token, MANAGE)
    error = ""
    if request.method == "POST" and request.POST.get("aktion") == "absagen":
        try:
            appointment = do_cancel_appointment(
                appointment=appointment, base_url=_base_url(request)
            )
        except BookingRefused as exc:
            error = str(exc)
    elif request.method == "POST":
        error = _("Unbekannte Aktion.")
    successor = appointment.rebooked_to
    return TemplateResponse(
        request,
        "appointments/manage.html",
        {
            "appointment": appointment,
            "office": appointment.schedule.office,
            "token": token,
            "bring": what_to_bring(appointment),
            "changeable": appointment.status in OPEN and appointment.starts > timezone.now(),
            "successor_token": appointment_token(successor, MANAGE) if successor else "",
            "error": error,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def rebook(request: HttpRequest, token: str) -> HttpResponse:
    """Another day or time at the same office for the same services."""
    appointment = access_appointment_by_token(token, MANAGE)
    if appointment.status != Status.CONFIRMED or appointment.starts < timezone.now():
        return _bad(request, "Dieser Termin kann nicht mehr verschoben werden.")
    schedule = appointment.schedule
    base_path = reverse("appointments:rebook", args=[token])
    error, next_free = "", []
    if request.method == "POST":
        try:
            new = do_rebook_appointment(
                appointment=appointment,
                starts=_start(request.POST.get("beginn", "")),
                base_url=_base_url(request),
            )
        except BadInput as exc:
            return _bad(request, str(exc))
        except SlotTaken as exc:
            error, next_free = str(exc), exc.next_free
        except BookingRefused as exc:
            error = str(exc)
        else:
            return redirect("appointments:manage", appointment_token(new, MANAGE))
    try:
        context = _calendar_context(request, schedule, appointment.services, exclude=appointment)
    except BadInput as exc:
        return _bad(request, str(exc))
    context.update(
        {
            "query": "",
            "keys": [],
            "base_path": base_path,
            "time_action": base_path,
            "time_method": "post",
            "rebooking": appointment,
            "error": error,
            "next_free": next_free,
        }
    )
    return TemplateResponse(
        request, "appointments/calendar.html", context, status=409 if error else 200
    )


def ics(request: HttpRequest, token: str) -> HttpResponse:
    appointment = access_appointment_by_token(token, MANAGE)
    if appointment.status not in OPEN and appointment.status != Status.ARRIVED:
        raise Http404("Termin nicht gefunden")
    response = HttpResponse(
        ics_bytes(appointment, tenant_name=request.tenant.name, base_url=_base_url(request)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="termin-{appointment.code}.ics"'
    return response


def callboard(request: HttpRequest, schedule_id) -> HttpResponse:
    """The waiting-room screen: booking codes called to a counter (no names)."""
    schedule = access_schedule(str(schedule_id), active_only=False)
    return TemplateResponse(
        request,
        "appointments/callboard.html",
        {
            "schedule": schedule,
            "office": schedule.office,
            "called": selectors.called_codes(schedule),
        },
    )


def callboard_data(request: HttpRequest, schedule_id) -> JsonResponse:
    schedule = access_schedule(str(schedule_id), active_only=False)
    response = JsonResponse(
        {
            "called": [
                {
                    "code": a.code,
                    "counter": a.called_counter or a.counter,
                    "time": a.called_at.astimezone(BERLIN).strftime("%H:%M"),
                }
                for a in selectors.called_codes(schedule)
            ]
        }
    )
    response["Cache-Control"] = "no-store"
    return response
