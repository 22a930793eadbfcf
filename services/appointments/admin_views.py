"""Staff views in each tenant's Wagtail admin (group "Terminverwaltung"): the day view of an
office (today, tomorrow or any day), statuses, call-up to a counter, blocking a counter for a
period, the list of booked appointments that no longer fit the hours, CSV export of a day.
Registered by wagtail_hooks.py."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from services.appointments import selectors
from services.appointments.access import access_schedule, access_staff_appointment
from services.appointments.actions import BookingRefused, do_block_period, do_set_status
from services.appointments.forms import BlockForm
from services.appointments.models import Status
from services.appointments.slots import BERLIN

PERMISSION = "appointments.manage_appointments"


def can_manage(request: HttpRequest) -> bool:
    return request.user.has_perm(PERMISSION)


def _require(request: HttpRequest) -> None:
    if not can_manage(request):
        raise PermissionDenied


def _chosen_day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("datum", ""))
    except ValueError:
        return timezone.localdate()


def offices(request: HttpRequest) -> HttpResponse:
    _require(request)
    return TemplateResponse(
        request,
        "appointments/admin/offices.html",
        {
            "schedules": selectors.schedules_with_office(),
            "page_title": "Termine",
            "header_icon": "date",
        },
    )


def day_view(request: HttpRequest, schedule_id) -> HttpResponse:
    _require(request)
    schedule = access_schedule(str(schedule_id), active_only=False)
    day = _chosen_day(request)
    form = BlockForm(counters=schedule.counters, initial={"day": day})
    return TemplateResponse(
        request,
        "appointments/admin/day.html",
        {
            "schedule": schedule,
            "office": schedule.office,
            "day": day,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "today": timezone.localdate(),
            "appointments": selectors.appointments_of_day(schedule, day),
            "blocks": selectors.blocks_of_day(schedule, day),
            "misfits": selectors.appointments_outside_hours(schedule),
            "counters": range(1, schedule.counters + 1),
            "form": form,
            "page_title": f"Termine {schedule.office.name}",
            "header_icon": "date",
        },
    )


ACTIONS = {
    "erschienen": Status.ARRIVED,
    "aufrufen": Status.CALLED,
    "erledigt": Status.DONE,
    "nicht-erschienen": Status.NO_SHOW,
}


@require_POST
def set_status(request: HttpRequest, schedule_id, appointment_id) -> HttpResponse:
    _require(request)
    schedule = access_schedule(str(schedule_id), active_only=False)
    appointment = access_staff_appointment(schedule, str(appointment_id))
    status = ACTIONS.get(request.POST.get("aktion", ""))
    counter = request.POST.get("schalter", "")
    try:
        if status is None:
            raise BookingRefused("Unbekannte Aktion.")
        do_set_status(
            appointment=appointment,
            status=status,
            counter=int(counter)
            if counter.isdigit() and 1 <= int(counter) <= schedule.counters
            else None,
        )
    except BookingRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{appointment.code}: {status.label}")
    day = appointment.starts.astimezone(BERLIN).date()
    return redirect(f"{reverse('appointments_admin_day', args=[schedule.pk])}?datum={day}")


@require_POST
def block(request: HttpRequest, schedule_id) -> HttpResponse:
    _require(request)
    schedule = access_schedule(str(schedule_id), active_only=False)
    form = BlockForm(request.POST, counters=schedule.counters)
    day = _chosen_day(request)
    if form.is_valid():
        data = form.cleaned_data
        day = data["day"]
        try:
            outcome = do_block_period(
                schedule=schedule,
                counter=data["counter"],
                starts=datetime.combine(day, data["starts"], tzinfo=BERLIN),
                ends=datetime.combine(day, data["ends"], tzinfo=BERLIN),
                reason=data["reason"],
                user=request.user,
                base_url=request.build_absolute_uri("/").rstrip("/"),
            )
        except BookingRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Gesperrt. {len(outcome.moved)} Termine an einen anderen Schalter verlegt, "
                f"{len(outcome.cancelled)} abgesagt (per E-Mail mit Link zur neuen Buchung "
                "informiert).",
            )
    else:
        messages.error(
            request,
            "Sperrung nicht gespeichert: "
            + "; ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect(f"{reverse('appointments_admin_day', args=[schedule.pk])}?datum={day}")


def export_csv(request: HttpRequest, schedule_id) -> HttpResponse:
    _require(request)
    schedule = access_schedule(str(schedule_id), active_only=False)
    day = _chosen_day(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="termine-{day}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "Beginn",
            "Ende",
            "Schalter",
            "Buchungscode",
            "Name",
            "E-Mail",
            "Telefon",
            "Leistungen",
            "Status",
        ]
    )
    for a in selectors.appointments_of_day(schedule, day):
        writer.writerow(
            [
                a.starts.astimezone(BERLIN).strftime("%H:%M"),
                a.ends.astimezone(BERLIN).strftime("%H:%M"),
                a.counter,
                a.code,
                _cell(a.name),
                _cell(a.email),
                _cell(a.phone),
                _cell(a.service_names),
                a.get_status_display(),
            ]
        )
    return response


def _cell(value: str) -> str:
    """No formula injection: a cell starting with =, +, - or @ is read as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


urlpatterns = [
    path("termine/", offices, name="appointments_admin"),
    path("termine/<uuid:schedule_id>/", day_view, name="appointments_admin_day"),
    path("termine/<uuid:schedule_id>/sperren/", block, name="appointments_admin_block"),
    path("termine/<uuid:schedule_id>/export.csv", export_csv, name="appointments_admin_csv"),
    path(
        "termine/<uuid:schedule_id>/termin/<uuid:appointment_id>/",
        set_status,
        name="appointments_admin_status",
    ),
]
